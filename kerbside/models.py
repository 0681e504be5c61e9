"""Imports every module that defines tables, so that `Base.metadata` is complete.

Alembic's env and the test fixtures import this; add new model modules here.
"""

from channels.sms import console  # noqa: F401
from core.accounts import model as accounts  # noqa: F401
from core.booking import model as booking  # noqa: F401
from core.db import Base
from core.dispatch import model as dispatch  # noqa: F401
from core.inbound import model as inbound  # noqa: F401
from core.jobs import model as jobs  # noqa: F401
from core.outbox import model as outbox  # noqa: F401

metadata = Base.metadata
from channels.ussd import model as ussd  # noqa: F401, E402
from core import clock_offset  # noqa: F401, E402
from core.accounts import saved_places  # noqa: F401, E402
from core.conversation import model as conversation  # noqa: F401, E402
from core.ledger import model as ledger  # noqa: F401, E402
from core.payments import model as payments  # noqa: F401, E402
from core.payouts import bank_details  # noqa: F401, E402
from core.ratings import model as ratings  # noqa: F401, E402
