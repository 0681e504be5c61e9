"""Run a core entry point that opens and commits its own unit of work inside ours.

`converse()` is written for a channel that has no transaction of its own (USSD). The SMS webhook
already holds one (the idempotency record and the reply must commit together with the dialog
step), so the engine gets this unit of work: its `with` block is a SAVEPOINT in our session, its
`commit()` releases the savepoint and its rollback rolls back only the savepoint.
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType

from sqlalchemy.orm import SessionTransaction

from core.db import UnitOfWork


class JoinedUnitOfWork(UnitOfWork):
    def __init__(self, outer: UnitOfWork) -> None:
        super().__init__(outer.session_factory, outer.settings, outer.clock, outer.wake_relay)
        self._outer = outer
        self._savepoint: SessionTransaction | None = None

    def __enter__(self) -> JoinedUnitOfWork:
        self._session = self._outer.session
        self._savepoint = self._session.begin_nested()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._savepoint is not None and self._savepoint.is_active:
            self._savepoint.rollback()
        self._savepoint, self._session = None, None

    def commit(self) -> None:
        if self._savepoint is not None and self._savepoint.is_active:
            self._savepoint.commit()

    def rollback(self) -> None:
        if self._savepoint is not None and self._savepoint.is_active:
            self._savepoint.rollback()

    def after_commit(self, callback: Callable[[], None]) -> None:
        self._outer.after_commit(callback)
