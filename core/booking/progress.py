"""An assigned job's steps as its operator reports them (on the way, arrived, done, no-show),
and finding a person's booking by ref. Part of the booking API: `service` re-exports these."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import case, select

from core.db import UnitOfWork
from core.dispatch.distance import haversine_km

from . import cascade, lifecycle
from .errors import NotFoundError, TooEarlyError
from .model import ACTIVE_STATUSES, Booking, BookingStatus
from .operators import require_operator
from .queries import booking_view
from .refs import normalise_ref
from .views import BookingView


def booking_for(uow: UnitOfWork, person_id: int, ref: str, *, role: str) -> Booking:
    """The person's booking with this ref (active ones first), locked for update."""
    ref = normalise_ref(ref)
    column = Booking.operator_id if role == "operator" else Booking.consumer_id
    who = column == person_id
    if role == "any":
        who = (Booking.operator_id == person_id) | (Booking.consumer_id == person_id)
    booking_id = uow.session.scalar(
        select(Booking.id)
        .where(Booking.ref == ref, who)
        .order_by(case((Booking.status.in_(ACTIVE_STATUSES), 0), else_=1), Booking.id.desc())
        .limit(1)
    )
    if booking_id is None:
        raise NotFoundError(f"no booking {ref}")
    return cascade.lock_booking(uow, booking_id)


# An operator may set off, arrive (and so finish) at most this long before the booked start.
# Without a limit a job could be marked done, and earned, days before it happened, and a
# customer told "ETA 10 min" the day before.
EARLIEST_ARRIVAL = timedelta(minutes=60)


def _not_too_early(uow: UnitOfWork, booking: Booking) -> None:
    allowed_from = booking.start_at - EARLIEST_ARRIVAL
    if uow.now() < allowed_from:
        raise TooEarlyError(f"{booking.ref} starts at {booking.start_at.isoformat()}", allowed_from)


def mark_en_route(
    uow: UnitOfWork, operator_person_id: int, ref: str, eta_minutes: int | None = None
) -> BookingView:
    booking = booking_for(uow, operator_person_id, ref, role="operator")
    _not_too_early(uow, booking)
    if eta_minutes is None:
        operator = require_operator(uow, operator_person_id)
        km = haversine_km(operator.lat, operator.lon, booking.lat, booking.lon)
        eta_minutes = 5 + round(km * 2.5)  # ~24 km/h in town, plus getting going
    booking.eta_minutes = eta_minutes
    lifecycle.walk_to(
        uow,
        booking,
        BookingStatus.EN_ROUTE,
        "operator",
        operator_person_id,
        eta_minutes=eta_minutes,
    )
    return booking_view(uow, booking)


def mark_arrived(uow: UnitOfWork, operator_person_id: int, ref: str) -> BookingView:
    booking = booking_for(uow, operator_person_id, ref, role="operator")
    _not_too_early(uow, booking)
    lifecycle.walk_to(uow, booking, BookingStatus.ARRIVED, "operator", operator_person_id)
    return booking_view(uow, booking)


def complete_job(uow: UnitOfWork, operator_person_id: int, ref: str) -> BookingView:
    """Completed, walking through arrived/in_progress when the operator skipped reporting them."""
    booking = booking_for(uow, operator_person_id, ref, role="operator")
    _not_too_early(uow, booking)
    booking.completed_at = uow.now()
    lifecycle.walk_to(
        uow,
        booking,
        BookingStatus.COMPLETED,
        "operator",
        operator_person_id,
        operator_id=operator_person_id,
        price_cents=booking.price_cents,
        commission_cents=booking.commission_cents,
        operator_earn_cents=booking.operator_earn_cents,
        payment_method=booking.payment_method,
    )
    return booking_view(uow, booking)


def mark_no_show(uow: UnitOfWork, operator_person_id: int, ref: str) -> BookingView:
    """The operator came and the customer was not there. The job stays counted for the day, and
    the consumer owes the late-cancellation fee (capped at the price), kept on the booking."""
    booking = booking_for(uow, operator_person_id, ref, role="operator")
    fee = min(uow.settings.cancel_fee_cents, booking.price_cents)
    booking.cancel_fee_cents = fee
    lifecycle.move(
        uow, booking, BookingStatus.NO_SHOW, "operator", operator_person_id, fee_cents=fee
    )
    return booking_view(uow, booking)
