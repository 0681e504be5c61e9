"""What the rest of the platform asks of payments: start one, capture, void, refund.

Each request changes our rows and records a `PaymentCallRequested` event in the caller's
transaction; no provider is called inside it. The call itself (`port.perform`) runs later,
from the outbox row of kind `payment` its handler writes (core/payments/delivery.py), and its
answer comes back through `record_call_outcome`, applied with
the same rules as a webhook (core/payments/apply.py). A call carries its idempotency key, so
running it twice is safe (docs/decisions.md P3, P5).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, select, text

from core.db import UnitOfWork

from . import events as ev
from .errors import PaymentAmountError, PaymentMethodUnavailableError, PaymentStateError
from .model import (
    Payment,
    PaymentCard,
    PaymentMethod,
    PaymentRefund,
    PaymentStatus,
    RefundStatus,
)
from .port import CallKind, CallOutcome, PaymentProvider, ProviderCall

S = PaymentStatus
REFUNDABLE = (S.CAPTURED, S.PARTIALLY_REFUNDED, S.DISPUTED)


def next_id(uow: UnitOfWork, table: str) -> int:
    """Take the row's id before inserting it, so that its reference can be derived from it."""
    return int(
        uow.session.execute(
            text("select nextval(pg_get_serial_sequence(:table, 'id'))"), {"table": table}
        ).scalar_one()
    )


def payer_email(uow: UnitOfWork, person_id: int) -> str:
    """Paystack wants an e-mail address and feature-phone customers have none: one per person
    under the platform's own host (P9)."""
    host = urlsplit(uow.settings.public_base_url).hostname or ""
    if "." not in host or host.replace(".", "").isdigit():
        host = "kerbside.example"
    return f"customer-{person_id}@{host}"


def provider_for(uow: UnitOfWork, name: str) -> PaymentProvider:
    provider = (uow.payment_providers or {}).get(name)
    if provider is None:
        raise PaymentMethodUnavailableError(f"no payment provider {name!r} is configured")
    return provider


def change(payment: Payment, uow: UnitOfWork, to_status: str | None = None) -> dict[str, Any]:
    """The fields every payment event shares, for a move to `to_status` (default: none)."""
    return {
        "payment_id": payment.id,
        "booking_id": payment.booking_id,
        "reference": payment.reference,
        "provider": payment.provider,
        "from_status": payment.status,
        "to_status": to_status or payment.status,
        "at": uow.now(),
    }


def lock_payment(uow: UnitOfWork, payment_id: int) -> Payment:
    """Lock the booking first, then the payment (the order every booking operation keeps,
    decision 16): two payments of one booking are then judged one after the other."""
    booking_id = uow.session.scalar(select(Payment.booking_id).where(Payment.id == payment_id))
    if booking_id is None:
        raise PaymentStateError(f"no payment {payment_id}")
    uow.session.execute(
        text("select 1 from bookings where id = :id for update"), {"id": booking_id}
    )
    return uow.session.scalars(
        select(Payment)
        .where(Payment.id == payment_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def start_payment(
    uow: UnitOfWork,
    *,
    booking_id: int,
    person_id: int,
    method: PaymentMethod,
    amount_cents: int,
    currency: str = "ZAR",
    card_id: int | None = None,
) -> Payment:
    """A new payment for a booking, `pending`. A card link or saved-card charge is requested
    from the configured provider at once; cash waits for the operator (core/payments/cash.py)."""
    if amount_cents <= 0:
        raise PaymentAmountError("a payment must be for more than nothing")
    method = PaymentMethod(method)
    provider = "cash" if method == PaymentMethod.CASH else uow.settings.payment_provider
    provider_for(uow, provider)
    card = None
    if method == PaymentMethod.SAVED_CARD:
        card = uow.session.get(PaymentCard, card_id) if card_id else None
        if card is None or card.person_id != person_id or card.provider != provider:
            raise PaymentMethodUnavailableError("no such saved card for this person")
        if not card.reusable:
            raise PaymentMethodUnavailableError("this card cannot be charged again")
    now = uow.now()
    payment_id = next_id(uow, "payments")
    payment = Payment(
        id=payment_id,
        booking_id=booking_id,
        person_id=person_id,
        method=method,
        provider=provider,
        reference=f"kbs-b{booking_id}-p{payment_id}",
        amount_cents=amount_cents,
        currency=currency.upper(),
        status=S.PENDING,
        card_id=card.id if card else None,
        created_at=now,
        updated_at=now,
    )
    if method == PaymentMethod.CARD_LINK:
        payment.link_expires_at = now + timedelta(minutes=uow.settings.payment_hold_minutes)
    uow.add(payment)
    uow.session.flush()
    uow.record(
        ev.PaymentStarted(
            **change(payment, uow),
            method=method,
            amount_cents=amount_cents,
            currency=payment.currency,
        ),
    )
    if method == PaymentMethod.CARD_LINK:
        request_call(uow, payment, CallKind.LINK, save_card=True)
    elif card is not None:
        request_call(
            uow,
            payment,
            CallKind.CHARGE_CARD,
            authorization_code=card.authorization_code,
            customer_code=card.customer_code,
        )
    return payment


def request_call(
    uow: UnitOfWork,
    payment: Payment,
    kind: CallKind,
    *,
    amount_cents: int | None = None,
    idempotency_key: str | None = None,
    **extra: Any,
) -> ProviderCall:
    """Describe one provider call and record that it is due (its handler performs it)."""
    call = ProviderCall(
        kind=kind,
        provider=payment.provider,
        payment_reference=payment.reference,
        idempotency_key=idempotency_key or f"{payment.reference}.{kind}",
        amount_cents=payment.amount_cents if amount_cents is None else amount_cents,
        currency=payment.currency,
        email=payer_email(uow, payment.person_id),
        provider_payment_id=payment.provider_payment_id,
        return_url=f"{uow.settings.public_base_url}/payments/done",
        **extra,
    )
    uow.record(ev.PaymentCallRequested(**change(payment, uow), call=call.to_payload()))
    return call


def request_capture(uow: UnitOfWork, payment_id: int, amount_cents: int | None = None) -> Payment:
    """Take the money at completion: all of it, or `amount_cents` of it (a cancellation fee).
    Where the provider took the money at once (Paystack), taking less refunds the difference."""
    payment = lock_payment(uow, payment_id)
    amount = payment.amount_cents if amount_cents is None else amount_cents
    if not 0 < amount <= payment.amount_cents:
        raise PaymentAmountError(f"capture {amount} of a payment of {payment.amount_cents}")
    if payment.status == S.AUTHORISED:
        if payment.capture_requested_cents is None:
            payment.capture_requested_cents = amount
            payment.updated_at = uow.now()
            request_call(uow, payment, CallKind.CAPTURE, amount_cents=amount)
        return payment
    if payment.status in REFUNDABLE and not provider_for(uow, payment.provider).manual_capture:
        if payment.capture_requested_cents is None:
            payment.capture_requested_cents = amount
            if amount < payment.captured_cents:
                request_refund(uow, payment.id, payment.captured_cents - amount, "capture_less")
        return payment
    if payment.status in REFUNDABLE or payment.status == S.REFUNDED:
        return payment  # already taken: asking again changes nothing
    raise PaymentStateError(f"a {payment.status} payment cannot be captured")


def request_void(uow: UnitOfWork, payment_id: int) -> Payment:
    """Give the payment up (a free cancellation): a link not yet paid is dropped, an
    authorisation released, money already taken refunded in full."""
    payment = lock_payment(uow, payment_id)
    if payment.status in (S.PENDING, S.FAILED):
        uow.record(ev.PaymentVoided(**change(payment, uow, S.VOIDED), released_cents=0))
        payment.status, payment.updated_at = S.VOIDED, uow.now()
    elif payment.status == S.AUTHORISED:
        request_call(uow, payment, CallKind.VOID)
    elif payment.status in REFUNDABLE:
        left = refundable_cents(uow, payment)
        if left > 0:
            request_refund(uow, payment.id, left, "requested")
    return payment


def refundable_cents(uow: UnitOfWork, payment: Payment) -> int:
    """Captured, less every refund that succeeded or is still on its way."""
    open_or_done = uow.session.scalar(
        select(func.coalesce(func.sum(PaymentRefund.amount_cents), 0)).where(
            PaymentRefund.payment_id == payment.id,
            PaymentRefund.status != RefundStatus.FAILED,
        )
    )
    return payment.captured_cents - int(open_or_done or 0)


def request_refund(
    uow: UnitOfWork, payment_id: int, amount_cents: int | None = None, reason: str = "requested"
) -> PaymentRefund:
    payment = lock_payment(uow, payment_id)
    if payment.status not in REFUNDABLE:
        raise PaymentStateError(f"a {payment.status} payment cannot be refunded")
    left = refundable_cents(uow, payment)
    amount = left if amount_cents is None else amount_cents
    if not 0 < amount <= left:
        raise PaymentAmountError(f"refund {amount} when {left} can be refunded")
    refund_id = next_id(uow, "payment_refunds")
    now = uow.now()
    refund = PaymentRefund(
        id=refund_id,
        payment_id=payment.id,
        reference=f"{payment.reference}-r{refund_id}",
        amount_cents=amount,
        reason=reason,
        status=RefundStatus.REQUESTED,
        created_at=now,
        updated_at=now,
    )
    uow.add(refund)
    uow.session.flush()
    request_call(
        uow,
        payment,
        CallKind.REFUND,
        amount_cents=amount,
        idempotency_key=refund.reference,
        refund_reference=refund.reference,
    )
    return refund


def record_call_outcome(uow: UnitOfWork, call: ProviderCall, outcome: CallOutcome) -> list[str]:
    """Apply what a provider answered to one of our calls: a link is stored (and announced),
    any change it reports is applied exactly as a webhook's would be."""
    from .apply import apply_provider_event

    results = []
    if outcome.link_url:
        payment = uow.session.scalars(
            select(Payment).where(Payment.reference == call.payment_reference)
        ).one()
        payment = lock_payment(uow, payment.id)
        if payment.link_url is None:
            payment.link_url, payment.updated_at = outcome.link_url, uow.now()
            uow.record(
                ev.PaymentLinkCreated(
                    **change(payment, uow),
                    link_url=outcome.link_url,
                    expires_at=payment.link_expires_at,
                ),
            )
        results.append("link")
    for event in outcome.all_events():
        results.append(apply_provider_event(uow, event))
    return results


def record_call_failure(uow: UnitOfWork, call: ProviderCall, error: str) -> None:
    payment = uow.session.scalars(
        select(Payment).where(Payment.reference == call.payment_reference)
    ).one()
    uow.record(ev.PaymentCallFailed(**change(payment, uow), call_kind=call.kind, error=error))
    if call.refund_reference:
        refund = uow.session.scalars(
            select(PaymentRefund).where(PaymentRefund.reference == call.refund_reference)
        ).one()
        refund.status, refund.updated_at = RefundStatus.FAILED, uow.now()
