"""Handlers of booking events that ask the card provider for money (core/handlers.py, PW4).

Only bookings paid by card (`payment_method = 'card'`: a link or a saved card) are touched;
the calls go through the request functions of `service.py`, so they become outbox rows after
commit and their answers come back as payment events (which the ledger posts, PW1):
- the job is done: the whole price is captured;
- a free cancellation: the payment is given up (a link dropped, a hold released, money
  already taken refunded);
- a late cancellation or a no-show: the fee stored on the booking is captured and the rest
  released (Paystack, which took it all, refunds the difference); with no money held the
  saved card the booking was to be paid with is charged the fee.
"""

from __future__ import annotations

from sqlalchemy import select

from core.booking import events as bev
from core.booking.model import Booking
from core.db import UnitOfWork

from . import events as pev
from . import service
from .model import Payment, PaymentMethod, PaymentStatus

CARD = "card"
S = PaymentStatus
# A payment the booking still counts on: money held or taken, or a link that can be paid.
LIVE = (S.PENDING, S.FAILED, S.AUTHORISED, S.CAPTURED, S.PARTIALLY_REFUNDED)


def live_payment(uow: UnitOfWork, booking_id: int) -> Payment | None:
    """The booking's card payment, newest first: the one holding its money if any."""
    found = list(
        uow.session.scalars(
            select(Payment)
            .where(
                Payment.booking_id == booking_id,
                Payment.provider != "cash",
                Payment.status.in_(LIVE),
            )
            .order_by(Payment.id.desc())
        )
    )
    holding = [p for p in found if p.status not in (S.PENDING, S.FAILED)]
    chosen = holding or found
    return chosen[0] if chosen else None


def _card_booking(uow: UnitOfWork, booking_id: int) -> Booking | None:
    booking = uow.session.get(Booking, booking_id)
    return booking if booking is not None and booking.payment_method == CARD else None


def capture_on_completion(uow: UnitOfWork, event: bev.BookingCompleted) -> None:
    if event.payment_method != CARD:
        return
    payment = live_payment(uow, event.booking_id)
    if payment is not None and payment.status not in (S.PENDING, S.FAILED):
        service.request_capture(uow, payment.id)


def settle_cancellation(uow: UnitOfWork, event: bev.BookingCancelled) -> None:
    _settle(uow, event.booking_id, event.fee_cents)


def settle_no_show(uow: UnitOfWork, event: bev.BookingNoShow) -> None:
    _settle(uow, event.booking_id, event.fee_cents)


def _settle(uow: UnitOfWork, booking_id: int, fee_cents: int) -> None:
    booking = _card_booking(uow, booking_id)
    if booking is None:
        return
    payment = live_payment(uow, booking_id)
    holds = payment is not None and payment.status not in (S.PENDING, S.FAILED)
    if payment is not None and holds and fee_cents > 0:
        service.request_capture(uow, payment.id, min(fee_cents, payment.amount_cents))
        return
    if payment is not None:
        service.request_void(uow, payment.id)  # free, or a link never paid
    card_id = _saved_card(uow, booking_id) if fee_cents > 0 else None
    if card_id is not None:
        service.start_payment(
            uow,
            booking_id=booking_id,
            person_id=booking.consumer_id,
            method=PaymentMethod.SAVED_CARD,
            amount_cents=fee_cents,
            card_id=card_id,
        )


def _saved_card(uow: UnitOfWork, booking_id: int) -> int | None:
    """The saved card a payment of this booking named (a one-tap booking)."""
    return uow.session.scalar(
        select(Payment.card_id)
        .where(
            Payment.booking_id == booking_id,
            Payment.method == PaymentMethod.SAVED_CARD,
            Payment.card_id.is_not(None),
        )
        .order_by(Payment.id.desc())
        .limit(1)
    )


def capture_fee_charge(uow: UnitOfWork, event: pev.PaymentAuthorised) -> None:
    """A saved card charged for a fee (above) is only authorised where the provider captures
    later (Stripe): the fee is taken at once, since the booking is over."""
    payment = uow.session.get(Payment, event.payment_id)
    booking = _card_booking(uow, event.booking_id)
    if (
        payment is None
        or booking is None
        or booking.status not in ("cancelled", "no_show")
        or payment.method != PaymentMethod.SAVED_CARD
        or payment.amount_cents != booking.cancel_fee_cents
        or payment.capture_requested_cents is not None
    ):
        return
    service.request_capture(uow, payment.id)
