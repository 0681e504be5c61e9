"""What a channel needs of the platform, as a protocol (decision W5).

Channels are handed the platform when their blueprint is made (`blueprint(platform)`, called
by kerbside/app.py); they never import kerbside/bootstrap.py, whose `Platform` satisfies this
protocol, so the composition root depends on the channels and not the reverse.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from sqlalchemy.orm import Session

from core.db import UnitOfWork
from core.ports import WindowCounter
from core.settings import Settings


class PlatformPort(Protocol):
    @property
    def settings(self) -> Settings: ...

    @property
    def session_factory(self) -> Callable[[], Session]: ...

    @property
    def counter(self) -> WindowCounter: ...

    def uow(self) -> UnitOfWork:
        """A new unit of work with every port wired (core/db.py)."""
        ...
