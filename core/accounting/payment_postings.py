"""Handlers of payment events (registered in core/handlers.py): card money into the ledger.

Each runs in the transaction that applied the provider's event and posts through `card.py`,
whose keys derive from our payment reference, so an event applied twice posts once. Cash
payments are left alone: a cash job is posted by its completion (`rules.py`, L5).

- authorised: the hold (pending lines);
- captured: the capture (an authorisation is posted first where the provider took the money
  at once, as Paystack does), then the job's card completion if the job is already done;
- voided: the hold released (a link dropped before it was paid held nothing);
- refunded: the refund (money the booking never needed, P6, only settles the consumer);
- disputed: the chargeback;
- a fee's operator share is theirs once a card payment of the booking holds it (PW5).
"""

from __future__ import annotations

from sqlalchemy import select, text

from core.booking.events import BookingCancelled, BookingCompleted, BookingNoShow
from core.booking.model import Booking
from core.db import UnitOfWork
from core.ledger import accounts as acc
from core.ledger.posting import Line
from core.ledger.rules import (
    AUTHORISE,
    CANCEL_FEE,
    CAPTURE,
    CARD_COMPLETION,
    FEE_COLLECTED,
    NO_SHOW_FEE,
    booking_key,
    post_booking_entry,
)
from core.payments import events as ev
from core.payments.model import Payment, PaymentStatus

from . import card

CARD_METHOD = "card"  # bookings.payment_method of a booking paid by card (link or saved)
# Payment statuses in which the money was taken (the job can be posted against it).
TAKEN = (
    PaymentStatus.CAPTURED,
    PaymentStatus.PARTIALLY_REFUNDED,
    PaymentStatus.REFUNDED,
    PaymentStatus.DISPUTED,
)


def _entry_exists(uow: UnitOfWork, key: str) -> bool:
    found = uow.session.execute(
        text("select 1 from ledger_entries where idempotency_key = :k"), {"k": key}
    ).first()
    return found is not None


def _consumer(uow: UnitOfWork, booking_id: int) -> int:
    consumer_id = uow.session.scalar(select(Booking.consumer_id).where(Booking.id == booking_id))
    assert consumer_id is not None
    return int(consumer_id)


def post_authorised(uow: UnitOfWork, event: ev.PaymentAuthorised | ev.PaymentCaptured) -> None:
    if event.provider == "cash":
        return
    card.authorise(
        uow,
        provider=event.provider,
        reference=event.reference,
        consumer_id=_consumer(uow, event.booking_id),
        amount_cents=event.amount_cents,
        booking_id=event.booking_id,
    )


def post_captured(uow: UnitOfWork, event: ev.PaymentCaptured) -> None:
    if event.provider == "cash":
        return
    provider, reference = event.provider, event.reference
    if not _entry_exists(uow, f"{AUTHORISE}:{provider}:{reference}"):
        post_authorised(uow, event)  # taken at once: held and captured in one go
    if not _entry_exists(uow, f"{CAPTURE}:{provider}:{reference}"):
        card.capture(uow, provider=provider, reference=reference, amount_cents=event.amount_cents)
    post_job_if_paid(uow, event.booking_id)
    post_fee_if_collected(uow, event.booking_id)


def post_job_if_paid(uow: UnitOfWork, booking_id: int) -> None:
    """A card job is posted once it is both done and paid, whichever comes second: the
    operator earns card money only once it was taken (as fees wait until collected, L6)."""
    booking = uow.session.get(Booking, booking_id)
    if booking is None or booking.status != "completed" or booking.payment_method != CARD_METHOD:
        return
    paid = uow.session.scalar(
        select(Payment.id).where(
            Payment.booking_id == booking_id,
            Payment.provider != "cash",
            Payment.status.in_(TAKEN),
            Payment.captured_cents >= booking.price_cents,
        )
    )
    if paid is not None and not _entry_exists(uow, booking_key(booking_id, CARD_COMPLETION)):
        card.post_card_completion(uow, booking_id)


def collect_fee(uow: UnitOfWork, event: BookingCancelled | BookingNoShow) -> None:
    """A late cancellation or no-show of a card booking whose money was already taken."""
    post_fee_if_collected(uow, event.booking_id)


def post_fee_if_collected(uow: UnitOfWork, booking_id: int) -> None:
    """A fee's operator share waits in `fees_pending` (L6) until a card payment of the booking
    holds at least the fee; then it becomes theirs (payable, an earning). Once per booking."""
    if _entry_exists(uow, booking_key(booking_id, FEE_COLLECTED)):
        return
    booking = uow.session.get(Booking, booking_id)
    if booking is None or booking.operator_id is None or booking.cancel_fee_cents <= 0:
        return
    if booking.status not in ("cancelled", "no_show"):
        return
    held = uow.session.scalar(
        select(Payment.id).where(
            Payment.booking_id == booking_id,
            Payment.provider != "cash",
            Payment.status.in_(TAKEN),
            Payment.captured_cents - Payment.refunded_cents >= booking.cancel_fee_cents,
        )
    )
    fee_kind = CANCEL_FEE if booking.status == "cancelled" else NO_SHOW_FEE
    pending = acc.operator_fees_pending(booking.operator_id)
    share = -int(
        uow.session.execute(
            text(
                "select coalesce(sum(l.amount), 0) from ledger_lines l "
                "join ledger_entries e on e.id = l.entry_id "
                "join ledger_accounts a on a.id = l.account_id "
                "where e.idempotency_key = :k and a.code = :code"
            ),
            {"k": booking_key(booking_id, fee_kind), "code": pending.code},
        ).scalar_one()
    )
    if held is None or share <= 0:
        return
    lines = [Line(pending, share), Line(acc.operator_payable(booking.operator_id), -share)]
    post_booking_entry(uow, booking_id, FEE_COLLECTED, lines)


def post_voided(uow: UnitOfWork, event: ev.PaymentVoided) -> None:
    if event.provider == "cash" or event.released_cents == 0:
        return  # a link dropped unpaid held nothing
    if _entry_exists(uow, f"{AUTHORISE}:{event.provider}:{event.reference}"):
        card.void(uow, provider=event.provider, reference=event.reference)


def post_refunded(uow: UnitOfWork, event: ev.PaymentRefunded) -> None:
    if event.provider == "cash":
        return
    card.refund(
        uow,
        booking_id=event.booking_id,
        provider=event.provider,
        reference=event.refund_reference,
        amount_cents=event.amount_cents,
        settle_only=event.reason in ("duplicate", "late"),
    )
    post_fee_if_collected(uow, event.booking_id)


def post_disputed(uow: UnitOfWork, event: ev.PaymentDisputed) -> None:
    if event.provider == "cash":
        return
    card.chargeback(
        uow,
        booking_id=event.booking_id,
        provider=event.provider,
        reference=f"{event.reference}.dispute",
        amount_cents=event.amount_cents,
    )


def post_card_job(uow: UnitOfWork, event: BookingCompleted) -> None:
    """A card job done: posted now if its money was already taken (Paystack takes it when the
    customer pays), else when the capture arrives."""
    if event.payment_method == CARD_METHOD:
        post_job_if_paid(uow, event.booking_id)
