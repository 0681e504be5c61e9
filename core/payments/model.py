"""Payments, saved cards, refunds and the payment event log (docs/decisions.md P1-P12).

One `payments` row per attempt to be paid for a booking (a link, a saved-card charge, cash at
the door). `reference` is ours, derived from our ids and safe for Paystack (lowercase letters,
digits, `-`, `_`); every provider call and every provider event is matched through it (or the
provider's own id). Amounts are integer cents. A payment's status only moves forward
(`STATUS_RANK`), so events that arrive late or twice cannot take it back.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, created_column, id_column


class PaymentMethod(enum.StrEnum):
    CASH = "cash"  # the operator collects at the door
    CARD_LINK = "card_link"  # a hosted checkout page whose link goes by SMS
    SAVED_CARD = "saved_card"  # a card authorisation kept from an earlier card payment


class PaymentStatus(enum.StrEnum):
    PENDING = "pending"
    FAILED = "failed"  # a try failed; a link can still be paid
    AUTHORISED = "authorised"  # reserved on the card, not yet taken
    VOIDED = "voided"  # we gave it up (released the reservation or dropped the link)
    CAPTURED = "captured"  # the money is ours
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"
    DISPUTED = "disputed"
    HELD_FOR_REVIEW = "held_for_review"  # the provider's figures disagree with ours: a person looks


# Forward-only: an event may move a payment only to a higher rank. Voided sits below captured so
# that money arriving on a link we gave up is still recorded (and then returned, P6).
STATUS_RANK: dict[str, int] = {
    PaymentStatus.PENDING: 0,
    PaymentStatus.FAILED: 10,
    PaymentStatus.AUTHORISED: 20,
    PaymentStatus.VOIDED: 25,
    PaymentStatus.CAPTURED: 30,
    PaymentStatus.PARTIALLY_REFUNDED: 40,
    PaymentStatus.REFUNDED: 50,
    PaymentStatus.DISPUTED: 60,
    PaymentStatus.HELD_FOR_REVIEW: 100,
}
# Statuses in which a payment holds (or held) the customer's money for its booking.
HOLDS_MONEY = (PaymentStatus.AUTHORISED, PaymentStatus.CAPTURED, PaymentStatus.DISPUTED)


class RefundStatus(enum.StrEnum):
    REQUESTED = "requested"  # we decided; the provider call is on its way
    PENDING = "pending"  # the provider took it
    SUCCEEDED = "succeeded"
    FAILED = "failed"


REFUND_RANK = {"requested": 0, "pending": 1, "succeeded": 2, "failed": 2}


def _values(kind: type[enum.StrEnum]) -> str:
    return ",".join(f"'{member.value}'" for member in kind)


class PaymentCard(Base):
    """A card the provider lets us charge again (Paystack authorisation code, Stripe customer
    and payment method). Only last4 and brand are kept, never a card number."""

    __tablename__ = "payment_cards"
    __table_args__ = (UniqueConstraint("provider", "authorization_code"),)

    id: Mapped[int] = id_column()
    person_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("people.id"), index=True)
    provider: Mapped[str] = mapped_column(String(16), nullable=False)
    authorization_code: Mapped[str] = mapped_column(String(200), nullable=False)
    customer_code: Mapped[str | None] = mapped_column(String(100))
    last4: Mapped[str | None] = mapped_column(String(4))
    brand: Mapped[str | None] = mapped_column(String(20))
    reusable: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_at: Mapped[datetime] = created_column()
    updated_at: Mapped[datetime] = mapped_column(
        server_default=func.now(), onupdate=func.now(), nullable=False
    )


class Payment(Base):
    __tablename__ = "payments"
    __table_args__ = (
        UniqueConstraint("reference"),
        Index(
            "uq_payments_provider_payment_id",
            "provider",
            "provider_payment_id",
            unique=True,
            postgresql_where="provider_payment_id is not null",
        ),
        CheckConstraint("reference ~ '^[a-z0-9_-]{1,64}$'", name="reference_safe"),
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        CheckConstraint(f"status in ({_values(PaymentStatus)})", name="status_known"),
        CheckConstraint(f"method in ({_values(PaymentMethod)})", name="method_known"),
        CheckConstraint("currency ~ '^[A-Z]{3}$'", name="currency_code"),
    )

    id: Mapped[int] = id_column()
    booking_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("bookings.id"), index=True)
    person_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("people.id"), nullable=False)
    method: Mapped[str] = mapped_column(String(16), nullable=False)
    provider: Mapped[str] = mapped_column(String(16), nullable=False)  # paystack, stripe, cash
    reference: Mapped[str] = mapped_column(String(64), nullable=False)
    amount_cents: Mapped[int] = mapped_column(nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False, default="ZAR")
    status: Mapped[str] = mapped_column(String(20), nullable=False, default=PaymentStatus.PENDING)
    provider_payment_id: Mapped[str | None] = mapped_column(String(100))  # pi_..., transaction id
    link_url: Mapped[str | None] = mapped_column(Text)
    link_expires_at: Mapped[datetime | None] = mapped_column()
    card_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("payment_cards.id"))
    authorised_cents: Mapped[int] = mapped_column(nullable=False, default=0)
    captured_cents: Mapped[int] = mapped_column(nullable=False, default=0)
    refunded_cents: Mapped[int] = mapped_column(nullable=False, default=0)
    capture_requested_cents: Mapped[int | None] = mapped_column()
    review_reason: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(nullable=False)
    updated_at: Mapped[datetime] = mapped_column(nullable=False)


class PaymentRefund(Base):
    """One refund of a payment: ours (requested) or one the provider told us of. `reason`:
    requested, capture_less, duplicate, late, provider."""

    __tablename__ = "payment_refunds"
    __table_args__ = (
        UniqueConstraint("reference"),
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        CheckConstraint(f"status in ({_values(RefundStatus)})", name="status_known"),
    )

    id: Mapped[int] = id_column()
    payment_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("payments.id"), index=True)
    reference: Mapped[str] = mapped_column(String(80), nullable=False)
    amount_cents: Mapped[int] = mapped_column(nullable=False)
    reason: Mapped[str] = mapped_column(String(16), nullable=False)
    status: Mapped[str] = mapped_column(String(12), nullable=False, default=RefundStatus.REQUESTED)
    provider_refund_id: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(nullable=False)
    updated_at: Mapped[datetime] = mapped_column(nullable=False)


class PaymentEventRow(Base):
    """Every payment event (core/payments/events.py): `type` its name, `detail` its payload.
    Never updated; read in `id` order (the ledger and finance read it)."""

    __tablename__ = "payment_events"
    __table_args__ = (Index("ix_payment_events_type_id", "type", "id"),)

    id: Mapped[int] = id_column()
    payment_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("payments.id", ondelete="CASCADE"), index=True
    )
    type: Mapped[str] = mapped_column(String(40), nullable=False)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20), nullable=False)
    at: Mapped[datetime] = mapped_column(nullable=False)
    detail: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, default=dict)
