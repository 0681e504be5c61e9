"""Imports every module that defines tables, so that `Base.metadata` is complete.

Alembic's env and the test fixtures import this; add new model modules here.
"""

from channels.sms import console  # noqa: F401
from core.accounts import model as accounts  # noqa: F401
from core.db import Base
from core.inbound import model as inbound  # noqa: F401
from core.jobs import model as jobs  # noqa: F401
from core.outbox import model as outbox  # noqa: F401

metadata = Base.metadata
from core.ratings import model as ratings  # noqa: F401
