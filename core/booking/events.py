"""The booking and offer events: one frozen dataclass per transition (architecture.md 12).

Each is stored as one `booking_events` row: the common fields in their columns, `name` in
`type`, the rest as the JSON `detail` (its payload), in the transaction that made the change.
Readers (console, analytics, payouts) read them by `id`. Handlers are listed in core/handlers.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar

from sqlalchemy.orm import Session

from core.events import TRANSIENT, DomainEvent

from .model import BookingEvent as BookingEventRow
from .model import BookingStatus as S


@dataclass(frozen=True, kw_only=True)
class BookingChange(DomainEvent):
    """What every booking event says: which booking, from and to which status, who, when."""

    columns: ClassVar[frozenset[str]] = frozenset(
        {"booking_id", "from_status", "to_status", "actor_kind", "actor_person_id", "at"}
    )
    booking_id: int
    from_status: str | None
    to_status: str
    actor_kind: str  # consumer / operator / system
    actor_person_id: int | None
    at: datetime

    def store(self, session: Session) -> None:
        session.add(
            BookingEventRow(
                booking_id=self.booking_id,
                type=self.name,
                from_status=self.from_status,
                to_status=self.to_status,
                actor_kind=self.actor_kind,
                actor_person_id=self.actor_person_id,
                at=self.at,
                detail=self.payload(),
            )
        )


@dataclass(frozen=True, kw_only=True)
class BookingRequested(BookingChange):
    name: ClassVar[str] = "booking.requested"


@dataclass(frozen=True, kw_only=True)
class BookingOffered(BookingChange):
    """An exclusive, expiring offer went to one operator. Written by the dispatch statement
    itself (core/booking/cascade.py), so `payload()` must match what that statement stores."""

    name: ClassVar[str] = "booking.offered"
    offer_id: int
    operator_id: int
    attempt: int
    score: float
    distance_km: float
    expires_at: datetime
    # Who to text, as the candidate search found them: saves reading the person again.
    operator_phone: str = field(default="", metadata=TRANSIENT)
    operator_language: str = field(default="en", metadata=TRANSIENT)


@dataclass(frozen=True, kw_only=True)
class OfferChange(BookingChange):
    """What became of one offer (a base: the events below say what)."""

    offer_id: int
    operator_id: int


@dataclass(frozen=True, kw_only=True)
class BookingAccepted(OfferChange):
    name: ClassVar[str] = "booking.accepted"


@dataclass(frozen=True, kw_only=True)
class OfferDeclined(OfferChange):
    """The operator said no; the booking stays offered while the cascade moves on."""

    name: ClassVar[str] = "offer.declined"


@dataclass(frozen=True, kw_only=True)
class OfferExpired(OfferChange):
    """The operator let the offer time out; the cascade moves on."""

    name: ClassVar[str] = "offer.expired"


@dataclass(frozen=True, kw_only=True)
class BookingExpired(BookingChange):
    name: ClassVar[str] = "booking.expired"
    reason: str


@dataclass(frozen=True, kw_only=True)
class BookingEnRoute(BookingChange):
    name: ClassVar[str] = "booking.en_route"
    eta_minutes: int


@dataclass(frozen=True, kw_only=True)
class BookingArrived(BookingChange):
    name: ClassVar[str] = "booking.arrived"
    # True when the operator reported a later step (DONE) and this one was recorded on the way.
    walked_through: bool = False


@dataclass(frozen=True, kw_only=True)
class JobStarted(BookingChange):
    name: ClassVar[str] = "booking.in_progress"
    walked_through: bool = False


@dataclass(frozen=True, kw_only=True)
class BookingCompleted(BookingChange):
    """The job is done: what it cost and who earns what, as agreed when it was booked."""

    name: ClassVar[str] = "booking.completed"
    operator_id: int
    price_cents: int
    commission_cents: int
    operator_earn_cents: int
    payment_method: str


@dataclass(frozen=True, kw_only=True)
class BookingCancelled(BookingChange):
    """Cancelled by `actor_kind` (consumer or operator), with the fee decision: `fee_cents`
    charged under `fee_rule` (not_accepted, by_operator, free_window or late)."""

    name: ClassVar[str] = "booking.cancelled"
    fee_cents: int
    fee_rule: str
    operator_id: int | None
    withdrawn_offer_operator_ids: tuple[int, ...] = ()


@dataclass(frozen=True, kw_only=True)
class BookingNoShow(BookingChange):
    """The customer was not there; `fee_cents` is charged as a late cancellation's would be."""

    name: ClassVar[str] = "booking.no_show"
    fee_cents: int = 0


@dataclass(frozen=True, kw_only=True)
class BookingRescheduled(BookingChange):
    """Moved to `start_at`; `kept_operator_id` is the assigned operator who keeps it (None when
    it was unassigned and is offered afresh)."""

    name: ClassVar[str] = "booking.rescheduled"
    rescheduled_from: datetime
    start_at: datetime
    kept_operator_id: int | None


@dataclass(frozen=True, kw_only=True)
class BookingRated(BookingChange):
    name: ClassVar[str] = "booking.rated"
    stars: int
    operator_id: int | None


# The event a status move records, for `lifecycle.move`.
MOVE_EVENTS: dict[str, type[BookingChange]] = {
    S.REQUESTED: BookingRequested,
    S.OFFERED: BookingOffered,
    S.ACCEPTED: BookingAccepted,
    S.EXPIRED: BookingExpired,
    S.EN_ROUTE: BookingEnRoute,
    S.ARRIVED: BookingArrived,
    S.IN_PROGRESS: JobStarted,
    S.COMPLETED: BookingCompleted,
    S.CANCELLED: BookingCancelled,
    S.NO_SHOW: BookingNoShow,
}
