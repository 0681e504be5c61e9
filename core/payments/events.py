"""Payment events: one frozen dataclass per transition (architecture.md 12).

Each is one `payment_events` row written in the transaction of the change; handlers are listed
in core/handlers.py. The ledger postings and the booking's reaction hang on these: money in
(`PaymentAuthorised`, `PaymentCaptured`), money back (`PaymentVoided`, `PaymentRefunded`) and
the exceptions (`PaymentHeldForReview`, `PaymentDisputed`, `PaymentDuplicateDetected`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from core.events import DomainEvent

from .model import PaymentEventRow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


@dataclass(frozen=True, kw_only=True)
class PaymentChange(DomainEvent):
    columns: ClassVar[frozenset[str]] = frozenset({"payment_id", "from_status", "to_status", "at"})
    payment_id: int
    booking_id: int
    reference: str
    provider: str
    from_status: str | None
    to_status: str
    at: datetime

    def store(self, session: Session) -> None:
        session.add(
            PaymentEventRow(
                payment_id=self.payment_id,
                type=self.name,
                from_status=self.from_status,
                to_status=self.to_status,
                at=self.at,
                detail=self.payload(),
            )
        )


@dataclass(frozen=True, kw_only=True)
class PaymentStarted(PaymentChange):
    name: ClassVar[str] = "payment.started"
    method: str
    amount_cents: int
    currency: str


@dataclass(frozen=True, kw_only=True)
class PaymentCallRequested(PaymentChange):
    """A provider call is due (`call` is `ProviderCall.to_payload()`); its handler hands it to
    the outbox row of kind `payment` that performs it (core/payments/delivery.py)."""

    name: ClassVar[str] = "payment.call_requested"
    call: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class PaymentCallFailed(PaymentChange):
    """The provider refused a call as made (not retried)."""

    name: ClassVar[str] = "payment.call_failed"
    call_kind: str
    error: str


@dataclass(frozen=True, kw_only=True)
class PaymentLinkCreated(PaymentChange):
    """The hosted checkout page exists: its link is what the customer is sent."""

    name: ClassVar[str] = "payment.link_created"
    link_url: str
    expires_at: datetime | None


@dataclass(frozen=True, kw_only=True)
class PaymentAuthorised(PaymentChange):
    name: ClassVar[str] = "payment.authorised"
    amount_cents: int
    currency: str


@dataclass(frozen=True, kw_only=True)
class PaymentCaptured(PaymentChange):
    name: ClassVar[str] = "payment.captured"
    amount_cents: int
    currency: str


@dataclass(frozen=True, kw_only=True)
class PaymentFailed(PaymentChange):
    name: ClassVar[str] = "payment.failed"
    reason: str | None


@dataclass(frozen=True, kw_only=True)
class PaymentVoided(PaymentChange):
    name: ClassVar[str] = "payment.voided"
    released_cents: int  # what was authorised and is now released (0 for a dropped link)


@dataclass(frozen=True, kw_only=True)
class PaymentRefunded(PaymentChange):
    """One refund went through: `amount_cents` of it, `refunded_total_cents` in all."""

    name: ClassVar[str] = "payment.refunded"
    refund_reference: str
    amount_cents: int
    refunded_total_cents: int
    reason: str


@dataclass(frozen=True, kw_only=True)
class PaymentRefundFailed(PaymentChange):
    name: ClassVar[str] = "payment.refund_failed"
    refund_reference: str
    amount_cents: int


@dataclass(frozen=True, kw_only=True)
class PaymentDisputed(PaymentChange):
    name: ClassVar[str] = "payment.disputed"
    amount_cents: int
    currency: str


@dataclass(frozen=True, kw_only=True)
class PaymentHeldForReview(PaymentChange):
    """The provider says something we did not ask for (amount or currency): never counted as
    paid; a person decides."""

    name: ClassVar[str] = "payment.held_for_review"
    reason: str
    expected_amount_cents: int
    got_amount_cents: int
    expected_currency: str
    got_currency: str


@dataclass(frozen=True, kw_only=True)
class PaymentDuplicateDetected(PaymentChange):
    """Money arrived that the booking does not need: a second payment of an already paid
    booking (`reason` duplicate; `kept_payment_id` is the one kept) or a payment of a link we
    had given up (`reason` late). Its return (void or refund) is requested at once."""

    name: ClassVar[str] = "payment.duplicate_detected"
    reason: str
    amount_cents: int
    kept_payment_id: int | None
