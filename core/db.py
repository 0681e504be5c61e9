"""Declarative base and the unit of work.

A unit of work is one database transaction. It rolls back unless `commit()` was called, so a
handler that raises half-way leaves nothing behind. Outbox rows and scheduled jobs are written
through the same session, which is what makes them transactional (architecture.md 3 and 4).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any

from sqlalchemy import BigInteger, DateTime, MetaData, event, func
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, SessionTransaction, mapped_column

from core.clock import Clock, SystemClock
from core.settings import Settings

if TYPE_CHECKING:
    from core.counters import WindowCounter
    from core.dispatch.ports import OperatorIndex
    from core.events import DomainEvent
    from core.payments.port import PaymentProvider

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: DateTime(timezone=True), int: BigInteger}


def id_column() -> Mapped[int]:
    return mapped_column(BigInteger, primary_key=True, autoincrement=True)


def created_column() -> Mapped[datetime]:
    return mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)


@dataclass
class UnitOfWork:
    """One transaction plus what a handler needs beside it: settings, clock, after-commit hooks.

    `after_commit` callbacks run only when the transaction committed. `wake_relay`, when wired,
    asks a worker to deliver new outbox rows at once instead of on the scheduler's next sweep.
    `events` are the domain events recorded in this transaction, in order (core/events.py);
    those of a savepoint that rolls back, or of a rollback, are dropped with it.
    """

    session_factory: Callable[[], Session]
    settings: Settings = field(default_factory=Settings)
    clock: Clock = field(default_factory=SystemClock)
    wake_relay: Callable[[], None] | None = None
    # The Redis geo index of online operators; None: dispatch searches SQL alone.
    operator_index: OperatorIndex | None = None
    # Redis counters for abuse limits (booking attempts); None: those limits are off.
    counter: WindowCounter | None = None
    # Payment providers by name (the configured card provider and cash); None: no payments.
    payment_providers: Mapping[str, PaymentProvider] | None = None
    _session: Session | None = None
    _after_commit: list[Callable[[], None]] = field(default_factory=list)
    events: list[DomainEvent] = field(default_factory=list)
    # How many events there were when each savepoint of this transaction began (SQLAlchemy ends
    # a savepoint before it reports the rollback, so marks are kept until the unit of work ends).
    _savepoint_marks: dict[SessionTransaction, int] = field(default_factory=dict)

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("unit of work used outside its `with` block")
        return self._session

    def __enter__(self) -> UnitOfWork:
        self._session = self.session_factory()
        self._session.info[_UOW_KEY] = self
        self._after_commit = []
        self.events = []
        self._savepoint_marks = {}
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self.session.rollback()
        finally:
            self.session.info.pop(_UOW_KEY, None)
            self.session.close()
            self._session = None

    def commit(self) -> None:
        self.session.commit()
        callbacks, self._after_commit = self._after_commit, []
        for callback in callbacks:
            callback()

    def rollback(self) -> None:
        self.session.rollback()
        self._after_commit = []
        self.events = []

    def after_commit(self, callback: Callable[[], None]) -> None:
        if callback not in self._after_commit:
            self._after_commit.append(callback)

    def now(self) -> datetime:
        return self.clock.now()

    def fresh(self) -> UnitOfWork:
        """A new, independent unit of work sharing this one's wiring."""
        return UnitOfWork(
            self.session_factory,
            self.settings,
            self.clock,
            self.wake_relay,
            operator_index=self.operator_index,
            counter=self.counter,
            payment_providers=self.payment_providers,
        )

    def __call__(self) -> UnitOfWork:
        return self.fresh()

    def add(self, obj: Any) -> None:
        self.session.add(obj)


_UOW_KEY = "kerbside_uow"


@event.listens_for(Session, "after_transaction_create")
def _mark_savepoint(session: Session, transaction: SessionTransaction) -> None:
    uow = session.info.get(_UOW_KEY)
    if uow is not None and transaction.nested:
        uow._savepoint_marks[transaction] = len(uow.events)


@event.listens_for(Session, "after_soft_rollback")
def _forget_savepoint_events(session: Session, previous_transaction: SessionTransaction) -> None:
    uow = session.info.get(_UOW_KEY)
    if (
        uow is not None
        and (mark := uow._savepoint_marks.pop(previous_transaction, None)) is not None
    ):
        del uow.events[mark:]
