"""Declarative base and the unit of work.

A unit of work is one database transaction. It rolls back unless `commit()` was called, so a
handler that raises half-way leaves nothing behind. Outbox rows and scheduled jobs are written
through the same session, which is what makes them transactional (architecture.md 3 and 4).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from types import TracebackType
from typing import Any

from sqlalchemy import BigInteger, DateTime, MetaData, event, func
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, SessionTransaction, mapped_column

from core.clock import Clock, SystemClock
from core.events import DomainEvent
from core.ports import LoyaltyPort, NoLoyalty, OperatorIndex, WindowCounter
from core.settings import Settings

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


EventHandler = Callable[["UnitOfWork", Any], None]
# Each event type's handlers, in order (core/handlers.py lists them; bootstrap wires them).
EventHandlers = Mapping[type[DomainEvent], Sequence[EventHandler]]


@dataclass
class UnitOfWork:
    """One transaction plus what a handler needs beside it: settings, clock, after-commit hooks,
    the event handlers and the ports (core/ports.py), all wired once in `kerbside/bootstrap.py`
    and handed on by `fresh()`: no module holds a port of its own (decision W4).

    `after_commit` callbacks run only when the transaction committed. `wake_relay`, when wired,
    asks a worker to deliver new outbox rows at once instead of on the scheduler's next sweep.
    `events` are the domain events recorded in this transaction, in order (`record`); those of
    a savepoint that rolls back, or of a rollback, are dropped with it.
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
    # Each is a core.payments.port.PaymentProvider, typed where it is read
    # (core.payments.service.provider_for), so that the kernel imports no area (W1).
    payment_providers: Mapping[str, Any] | None = None
    # What runs when an event is recorded. Empty: recording any event is a KeyError (E2).
    handlers: EventHandlers = field(default_factory=dict)
    loyalty: LoyaltyPort = field(default_factory=NoLoyalty)
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

    def wiring(self) -> dict[str, Any]:
        """What a new unit of work needs to share this one's wiring: every field but the
        transaction's own state (those starting with `_`, and `events`)."""
        return {
            f.name: getattr(self, f.name)
            for f in fields(UnitOfWork)
            if not f.name.startswith("_") and f.name != "events"
        }

    def fresh(self) -> UnitOfWork:
        """A new, independent unit of work sharing this one's wiring."""
        return UnitOfWork(**self.wiring())

    def record(self, event: DomainEvent, *, stored: bool = False) -> DomainEvent:
        """Record `event` (core/events.py): on this unit of work, in SQL (unless the caller's
        own statement already wrote the row: `stored=True`), then its handlers, in order, in
        this transaction. An event type missing from `handlers` is a programming error
        (KeyError), not an event nobody handles: list it with `()`. Returns the event."""
        self.events.append(event)
        if not stored:
            event.store(self.session)
        for handler in self.handlers[type(event)]:
            handler(self, event)
        return event

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
