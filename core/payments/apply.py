"""Apply a verified provider event to a payment, idempotently (docs/decisions.md P5-P8).

Rules, whatever order events arrive in and however often:
- status only moves forward (`STATUS_RANK`); an event that would move it back changes nothing
  beyond filling in what was missing (the provider's id, the saved card);
- the amount and currency must be the ones we asked for; otherwise the payment is
  `held_for_review` and never counts as paid;
- money the booking does not need (a second payment of a paid booking, or a link paid after we
  gave it up) is recorded, then its void or refund is requested at once;
- a refund is counted once, by its own row (ours, or one the provider told us of).
Webhooks come in through `receive_provider_event`, which also records the delivery in
`inbound_requests`, so a replayed event changes nothing at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.dialects.postgresql import insert

from core.db import UnitOfWork
from core.inbound.service import StoredAnswer, claim

from . import events as ev
from .model import (
    HOLDS_MONEY,
    REFUND_RANK,
    STATUS_RANK,
    Payment,
    PaymentCard,
    PaymentRefund,
    PaymentStatus,
    RefundStatus,
)
from .port import REFUND_EVENTS, CallKind, CardDetails, EventKind, ProviderEvent
from .service import change, lock_payment, next_id, provider_for, request_call, request_refund

S = PaymentStatus
TARGET = {
    EventKind.AUTHORISED: S.AUTHORISED,
    EventKind.CAPTURED: S.CAPTURED,
    EventKind.FAILED: S.FAILED,
    EventKind.VOIDED: S.VOIDED,
    EventKind.DISPUTED: S.DISPUTED,
}
REFUND_TARGET = {
    EventKind.REFUND_PENDING: RefundStatus.PENDING,
    EventKind.REFUND_SUCCEEDED: RefundStatus.SUCCEEDED,
    EventKind.REFUND_FAILED: RefundStatus.FAILED,
}


@dataclass(frozen=True)
class Receipt:
    outcome: str
    duplicate: bool = False


def receive_provider_event(uow: UnitOfWork, event: ProviderEvent) -> Receipt:
    """One webhook delivery: recorded under (`<provider>-payment`, its key) and applied in one
    transaction. A replay finds the record and changes nothing. An event for a payment we do not
    know is not recorded (a later retry is applied once the payment exists)."""
    with uow:
        stored = claim(uow, f"{event.provider}-payment", event.key, StoredAnswer(200, "", "ok"))
        if stored is not None:
            return Receipt("duplicate", duplicate=True)
        outcome = apply_provider_event(uow, event)
        if outcome == "unknown":
            return Receipt(outcome)  # rolled back: nothing kept
        uow.commit()
    return Receipt(outcome)


def find_payment_id(uow: UnitOfWork, event: ProviderEvent) -> int | None:
    conditions = []
    if event.reference:
        conditions.append(Payment.reference == event.reference)
    if event.provider_payment_id:
        conditions.append(Payment.provider_payment_id == event.provider_payment_id)
    if not conditions:
        return None
    return uow.session.scalar(
        select(Payment.id)
        .where(Payment.provider == event.provider, or_(*conditions))
        .order_by(Payment.id)
        .limit(1)
    )


def apply_provider_event(uow: UnitOfWork, event: ProviderEvent) -> str:
    """Apply one event in the caller's transaction; returns what became of it."""
    payment_id = find_payment_id(uow, event)
    if payment_id is None:
        return "unknown"
    payment = lock_payment(uow, payment_id)
    if event.kind in REFUND_EVENTS:
        return _apply_refund(uow, payment, event)
    if payment.status == S.HELD_FOR_REVIEW:
        return "held_for_review"
    if (
        event.kind in (EventKind.AUTHORISED, EventKind.CAPTURED)
        and event.provider_payment_id
        and payment.provider_payment_id
        and event.provider_payment_id != payment.provider_payment_id
    ):
        return _hold(uow, payment, event, "a second transaction for one reference")
    mismatch = _mismatch(payment, event)
    if mismatch:
        return _hold(uow, payment, event, mismatch)
    target = TARGET[event.kind]
    if (
        payment.status == S.VOIDED
        and event.kind == EventKind.AUTHORISED
        and payment.authorised_cents == 0
    ):
        return _late_authorisation(uow, payment, event)
    if STATUS_RANK[target] <= STATUS_RANK[payment.status]:
        _fill_in(uow, payment, event)
        return "stale"
    previous = payment.status
    _fill_in(uow, payment, event)
    _move(uow, payment, event, target)
    if event.kind in (EventKind.AUTHORISED, EventKind.CAPTURED):
        _return_if_unwanted(uow, payment, previous, event)
    return str(payment.status)


def _mismatch(payment: Payment, event: ProviderEvent) -> str | None:
    if event.kind not in (EventKind.AUTHORISED, EventKind.CAPTURED, EventKind.DISPUTED):
        return None
    if event.currency.upper() != payment.currency:
        return f"currency {event.currency.upper()} instead of {payment.currency}"
    if event.kind == EventKind.AUTHORISED:
        expected = payment.amount_cents
    elif event.kind == EventKind.CAPTURED:
        expected = payment.capture_requested_cents or payment.amount_cents
    else:
        return None if event.amount_cents <= payment.amount_cents else "dispute above the amount"
    if event.amount_cents != expected:
        return f"amount {event.amount_cents} instead of {expected}"
    return None


def _move(uow: UnitOfWork, payment: Payment, event: ProviderEvent, target: str) -> None:
    fields = change(payment, uow, target)
    released = payment.authorised_cents
    if event.kind == EventKind.AUTHORISED:
        payment.authorised_cents = event.amount_cents
    elif event.kind == EventKind.CAPTURED:
        payment.captured_cents = event.amount_cents
        payment.authorised_cents = max(payment.authorised_cents, event.amount_cents)
    payment.status, payment.updated_at = target, uow.now()
    amount: dict[str, Any] = {
        "amount_cents": event.amount_cents,
        "currency": event.currency.upper(),
    }
    if event.kind == EventKind.AUTHORISED:
        uow.record(ev.PaymentAuthorised(**fields, **amount))
    elif event.kind == EventKind.CAPTURED:
        uow.record(ev.PaymentCaptured(**fields, **amount))
        if payment.refunded_cents:  # a refund told before the capture (out of order)
            payment.status = _refunded_status(payment)
    elif event.kind == EventKind.FAILED:
        uow.record(ev.PaymentFailed(**fields, reason=event.reason))
    elif event.kind == EventKind.VOIDED:
        uow.record(ev.PaymentVoided(**fields, released_cents=released))
    else:
        uow.record(ev.PaymentDisputed(**fields, **amount))


def _fill_in(uow: UnitOfWork, payment: Payment, event: ProviderEvent) -> None:
    if event.provider_payment_id and payment.provider_payment_id is None:
        payment.provider_payment_id = event.provider_payment_id
    if event.card is not None and event.card.reusable and payment.card_id is None:
        payment.card_id = save_card(uow, payment, event.card)


def save_card(uow: UnitOfWork, payment: Payment, card: CardDetails) -> int:
    """Keep a reusable card for the payer (one row per provider authorisation)."""
    values = {
        "person_id": payment.person_id,
        "provider": payment.provider,
        "authorization_code": card.authorization_code,
        "customer_code": card.customer_code,
        "last4": card.last4,
        "brand": card.brand,
        "reusable": card.reusable,
    }
    card_id = uow.session.execute(
        insert(PaymentCard)
        .values(**values)
        .on_conflict_do_update(
            index_elements=["provider", "authorization_code"],
            set_={"last4": card.last4, "brand": card.brand, "reusable": card.reusable},
        )
        .returning(PaymentCard.id)
    ).scalar_one()
    return int(card_id)


def _hold(uow: UnitOfWork, payment: Payment, event: ProviderEvent, reason: str) -> str:
    fields = change(payment, uow, S.HELD_FOR_REVIEW)
    expected = payment.capture_requested_cents or payment.amount_cents
    payment.status, payment.review_reason = S.HELD_FOR_REVIEW, reason[:200]
    payment.updated_at = uow.now()
    uow.record(
        ev.PaymentHeldForReview(
            **fields,
            reason=reason,
            expected_amount_cents=expected,
            got_amount_cents=event.amount_cents,
            expected_currency=payment.currency,
            got_currency=event.currency.upper(),
        ),
    )
    return "held_for_review"


def _kept_payment(uow: UnitOfWork, payment: Payment) -> Payment | None:
    """Another payment of the same booking that already holds its money."""
    return uow.session.scalars(
        select(Payment)
        .where(
            Payment.booking_id == payment.booking_id,
            Payment.id != payment.id,
            Payment.status.in_([*HOLDS_MONEY, S.PARTIALLY_REFUNDED]),
        )
        .order_by(Payment.id)
        .limit(1)
    ).one_or_none()


def _return_if_unwanted(
    uow: UnitOfWork, payment: Payment, previous: str, event: ProviderEvent
) -> None:
    kept = None if previous == S.VOIDED else _kept_payment(uow, payment)
    if previous != S.VOIDED and kept is None:
        return
    reason = "late" if previous == S.VOIDED else "duplicate"
    uow.record(
        ev.PaymentDuplicateDetected(
            **change(payment, uow),
            reason=reason,
            amount_cents=event.amount_cents,
            kept_payment_id=kept.id if kept else None,
        ),
    )
    if payment.status == S.AUTHORISED and provider_for(uow, payment.provider).manual_capture:
        request_call(uow, payment, CallKind.VOID)
    else:
        request_refund(uow, payment.id, None, reason)


def _late_authorisation(uow: UnitOfWork, payment: Payment, event: ProviderEvent) -> str:
    """A link we gave up was authorised after all: keep it voided and release the money."""
    _fill_in(uow, payment, event)
    uow.record(
        ev.PaymentDuplicateDetected(
            **change(payment, uow),
            reason="late",
            amount_cents=event.amount_cents,
            kept_payment_id=None,
        ),
    )
    request_call(uow, payment, CallKind.VOID, idempotency_key=f"{payment.reference}.late-void")
    return "late_authorisation_released"


def _refunded_status(payment: Payment) -> str:
    if payment.status not in (S.CAPTURED, S.PARTIALLY_REFUNDED, S.REFUNDED):
        return payment.status  # disputed, held or not yet captured: the figures are kept
    if payment.refunded_cents >= payment.captured_cents:
        return S.REFUNDED
    return S.PARTIALLY_REFUNDED if payment.refunded_cents else S.CAPTURED


def _find_refund(uow: UnitOfWork, payment: Payment, event: ProviderEvent) -> PaymentRefund | None:
    refunds = select(PaymentRefund).where(PaymentRefund.payment_id == payment.id)
    for condition in (
        PaymentRefund.reference == event.refund_reference if event.refund_reference else None,
        PaymentRefund.provider_refund_id == event.provider_refund_id
        if event.provider_refund_id
        else None,
    ):
        if condition is not None:
            found = uow.session.scalars(refunds.where(condition).with_for_update()).first()
            if found is not None:
                return found
    # Paystack's refund webhooks echo neither our reference nor the refund's id: the oldest
    # open refund of that amount is the one (P7).
    return uow.session.scalars(
        refunds.where(
            PaymentRefund.amount_cents == event.amount_cents,
            PaymentRefund.status.in_([RefundStatus.REQUESTED, RefundStatus.PENDING]),
        )
        .order_by(PaymentRefund.id)
        .with_for_update()
    ).first()


def _apply_refund(uow: UnitOfWork, payment: Payment, event: ProviderEvent) -> str:
    refund = _find_refund(uow, payment, event)
    now = uow.now()
    if refund is None:  # made at the provider (its dashboard): ours to count all the same
        refund_id = next_id(uow, "payment_refunds")
        refund = PaymentRefund(
            id=refund_id,
            payment_id=payment.id,
            reference=f"{payment.reference}-x{refund_id}",
            amount_cents=event.amount_cents,
            reason="provider",
            status=RefundStatus.REQUESTED,
            created_at=now,
            updated_at=now,
        )
        uow.add(refund)
    elif event.amount_cents != refund.amount_cents or event.currency.upper() != payment.currency:
        return _hold(uow, payment, event, f"refund of {event.amount_cents} {event.currency}")
    target = REFUND_TARGET[event.kind]
    if event.provider_refund_id and refund.provider_refund_id is None:
        refund.provider_refund_id = event.provider_refund_id
    if REFUND_RANK[target] <= REFUND_RANK[refund.status]:
        return "stale"
    refund.status, refund.updated_at = target, now
    if target == RefundStatus.SUCCEEDED:
        payment.refunded_cents += refund.amount_cents
        fields = change(payment, uow, _refunded_status(payment))
        payment.status, payment.updated_at = fields["to_status"], now
        uow.record(
            ev.PaymentRefunded(
                **fields,
                refund_reference=refund.reference,
                amount_cents=refund.amount_cents,
                refunded_total_cents=payment.refunded_cents,
                reason=refund.reason,
            ),
        )
    elif target == RefundStatus.FAILED:
        uow.record(
            ev.PaymentRefundFailed(
                **change(payment, uow),
                refund_reference=refund.reference,
                amount_cents=refund.amount_cents,
            ),
        )
    return f"refund_{target}"
