"""A booking paid by a card link (PW6): booked holding its capacity, the link sent by SMS,
dispatched once the provider says it is paid, released with an SMS when unpaid in time.

The booking stays `requested` (no new status) with an operator's capacity held and no offer
until the payment is authorised or captured; `PAYMENT_HOLD_MINUTES` after the link was made,
a job releases it if still unpaid (expired, reason `unpaid`), and the link is dropped.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from core.accounts.model import Person
from core.booking import capacity, cascade
from core.booking import events as bev
from core.booking import service as bookings
from core.booking.model import Booking, BookingStatus, Service
from core.booking.views import BookingView
from core.db import UnitOfWork
from core.jobs.service import job_handler, schedule
from core.notify.bookings import message_params
from core.notify.service import send_sms

from . import events as pev
from . import (
    messages,  # noqa: F401 - registers the payment SMS templates
    service,
)
from .lifecycle import CARD, live_payment
from .model import PaymentCard, PaymentMethod, PaymentStatus

DEADLINE_JOB = "payments.link_deadline"
UNPAID = "unpaid"  # the BookingExpired reason of a booking released unpaid
S = PaymentStatus


def book_by_card_link(
    uow: UnitOfWork,
    consumer_id: int,
    service_code: str,
    lat: float,
    lon: float,
    place_name: str,
    start: datetime,
    idempotency_key: str | None = None,
    card_id: int | None = None,
) -> BookingView:
    """Book holding the capacity, and ask the provider for a link (sent by SMS once made),
    or, with `card_id`, charge that saved card (one tap); either waits until paid."""
    view = bookings.request_booking(
        uow, consumer_id, service_code, lat, lon, place_name, start,
        payment_method=CARD, idempotency_key=idempotency_key, await_payment=True,
    )  # fmt: skip
    if live_payment(uow, view.id) is None and view.status == BookingStatus.REQUESTED:
        payment = service.start_payment(
            uow,
            booking_id=view.id,
            person_id=consumer_id,
            method=PaymentMethod.SAVED_CARD if card_id else PaymentMethod.CARD_LINK,
            amount_cents=view.price_cents,
            card_id=card_id,
        )
        deadline = uow.now() + timedelta(minutes=uow.settings.payment_hold_minutes)
        schedule(
            uow,
            DEADLINE_JOB,
            {"booking_id": view.id, "payment_id": payment.id},
            due_at=payment.link_expires_at or deadline,
            dedupe_key=f"{DEADLINE_JOB}:{payment.id}",
        )
    return view


def saved_card(uow: UnitOfWork, person_id: int) -> tuple[int, str] | None:
    """The person's newest card the configured provider can charge again: (id, last4)."""
    found = uow.session.execute(
        select(PaymentCard.id, PaymentCard.last4)
        .where(
            PaymentCard.person_id == person_id,
            PaymentCard.provider == uow.settings.payment_provider,
            PaymentCard.reusable.is_(True),
        )
        .order_by(PaymentCard.id.desc())
        .limit(1)
    ).first()
    return None if found is None else (int(found[0]), found[1] or "????")


def _waiting(uow: UnitOfWork, booking_id: int) -> Booking | None:
    """The card booking if it is still waiting for its payment (capacity held, never offered)."""
    booking = cascade.lock_booking(uow, booking_id)
    waiting = (
        booking.payment_method == CARD
        and booking.status == BookingStatus.REQUESTED
        and booking.offer_attempts == 0
    )
    return booking if waiting else None


def dispatch_when_paid(uow: UnitOfWork, event: pev.PaymentAuthorised | pev.PaymentCaptured) -> None:
    """Paid: the held capacity is let go and the job offered afresh (the held operator first
    in line as before); nobody left to take it expires the booking, which returns the money."""
    booking = _waiting(uow, event.booking_id)
    if booking is None:
        return
    capacity.release(uow, booking.id)
    if cascade.offer_next_operator(uow, booking) is None:
        cascade.expire_booking(uow, booking, "no_operator")


def give_up_payment(uow: UnitOfWork, event: bev.BookingExpired) -> None:
    """An expired card booking (unpaid, or nobody took it) gives its payment up."""
    booking = uow.session.get(Booking, event.booking_id)
    payment = live_payment(uow, event.booking_id) if booking is not None else None
    if booking is not None and booking.payment_method == CARD and payment is not None:
        service.request_void(uow, payment.id)


def send_link(uow: UnitOfWork, event: pev.PaymentLinkCreated) -> None:
    """The consumer gets the link by SMS (one per payment)."""
    booking = uow.session.get(Booking, event.booking_id)
    assert booking is not None
    consumer = uow.session.get(Person, booking.consumer_id)
    service_row = uow.session.get(Service, booking.service_id)
    assert consumer is not None and service_row is not None
    params = message_params(uow, booking, service_row)
    left = (event.expires_at - uow.now()).total_seconds() if event.expires_at else 0
    params.update(link=event.link_url, mins=str(max(1, round(left / 60))))
    send_sms(uow, consumer, "payment.link", params, key=f"payment-link:{event.payment_id}")


@job_handler(DEADLINE_JOB)
def release_unpaid(uow: UnitOfWork, payload: dict[str, Any]) -> None:
    """The link's time is up: a booking still waiting is released (its SMS says so)."""
    booking = _waiting(uow, int(payload["booking_id"]))
    if booking is None:
        return
    payment = live_payment(uow, booking.id)
    if payment is not None and payment.status not in (S.PENDING, S.FAILED):
        return  # paid meanwhile: its dispatch is on its way
    cascade.expire_booking(uow, booking, UNPAID)
