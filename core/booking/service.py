"""The booking API (see the brief's contract): every function takes an open unit of work,
runs in the caller's transaction and never commits. A raised BookingError means the caller
should roll back; nothing is half-written because the caller's transaction is all-or-nothing.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.accounts.model import Person
from core.db import UnitOfWork
from core.dispatch.candidates import find_candidates, search_count

from . import capacity, cascade, lifecycle, limits
from .availability import check_start, ensure_serves_place, find_slots
from .errors import (
    IllegalTransitionError,
    InvalidRequestError,
    NoLongerAvailableError,
    NotFoundError,
    TooLateToMoveError,
)
from .events import BookingRescheduled
from .model import ACTIVE_STATUSES, Booking, BookingStatus, Service
from .operators import (
    get_service,
    list_services,
    operator_services,
    require_operator,
    set_capacity,
    set_online,
    set_service_price,
)
from .progress import (
    booking_for,
    complete_job,
    mark_arrived,
    mark_en_route,
    mark_no_show,
)
from .queries import (
    booking_view,
    consumer_bookings,
    customer_history,
    open_offers,
    operator_earnings,
    operator_jobs,
    upcoming_jobs,
)
from .refs import new_ref, normalise_ref
from .views import BookingView

__all__ = [
    "accept_offer", "cancel_booking", "cancellation_quote", "complete_job", "consumer_bookings",
    "customer_history", "decline_offer", "find_slots", "list_services", "mark_arrived",
    "mark_en_route", "mark_no_show", "open_offers", "operator_earnings", "operator_jobs",
    "operator_services", "request_booking", "reschedule_booking", "set_capacity", "set_online",
    "set_service_price", "upcoming_jobs",
]  # fmt: skip

REF_TRIES = 30


def commission_for(uow: UnitOfWork, price_cents: int) -> int:
    """Platform commission in cents, rounded down: the operator keeps the odd cent."""
    return price_cents * uow.settings.commission_percent // 100


def request_booking(
    uow: UnitOfWork,
    consumer_id: int,
    service_code: str,
    lat: float,
    lon: float,
    place_name: str,
    start: datetime,
    payment_method: str = "cash",
    idempotency_key: str | None = None,
    operator_id: int | None = None,
    *,
    series_id: int | None = None,
    await_payment: bool = False,
) -> BookingView:
    """Create the booking, reserve an operator's capacity and send the first offer, all in the
    caller's transaction. The same idempotency key returns the same booking. With
    `await_payment` the capacity is held and the offer waits for the card payment (PW6).

    Price: the lowest price among the operators able to take the job now (the favourite's own
    price when one is asked); only operators at or below that price are offered the job."""
    key = idempotency_key or f"booking:{uuid.uuid4()}"
    existing = _earlier_request(uow, key, consumer_id, start)
    if existing is None and series_id is None:  # the scheduler books a series: no limits
        limits.count_attempt(uow, consumer_id)
        limits.lock_consumer(uow, consumer_id)
        existing = _earlier_request(uow, key, consumer_id, start)  # a retry that waited
        if existing is None:
            limits.check_open_bookings(uow, consumer_id)
    if existing is not None:
        return booking_view(uow, existing)
    service = get_service(uow, service_code)
    if uow.session.get(Person, consumer_id) is None:
        raise NotFoundError(f"no person {consumer_id}")
    check_start(uow, start)
    ensure_serves_place(uow, service, lat, lon)
    end = start + timedelta(minutes=service.duration_minutes)
    able = find_candidates(
        uow,
        service.id,
        lat,
        lon,
        start,
        end,
        only_operator_id=operator_id,
        limit=search_count(uow.settings.dispatch_candidates),
    )  # every survivor, as availability prices them
    if not able:
        raise NoLongerAvailableError("no operator can take that slot any more")
    price = min(c.price_cents for c in able)
    commission = commission_for(uow, price)
    now = uow.now()
    booking = Booking(
        status=BookingStatus.REQUESTED,
        consumer_id=consumer_id,
        service_id=service.id,
        favourite_operator_id=operator_id,
        series_id=series_id,
        lat=lat,
        lon=lon,
        place_name=place_name[:60],
        start_at=start,
        end_at=end,
        price_cents=price,
        commission_cents=commission,
        operator_earn_cents=price - commission,
        payment_method=payment_method,
        idempotency_key=key,
        offer_attempts=0,
        cancel_fee_cents=0,
        created_at=now,
        updated_at=now,
    )
    if not _insert_with_fresh_ref(uow, booking):
        # The same key raced us and won: answer as a retry would (its row is committed now).
        winner = uow.session.scalar(select(Booking).where(Booking.idempotency_key == key))
        assert winner is not None
        return booking_view(uow, winner)
    lifecycle.record_event(uow, booking, None, BookingStatus.REQUESTED, "consumer", consumer_id)
    at_price = [c for c in able if c.price_cents <= price]
    if await_payment:
        placed = cascade.hold_capacity(uow, booking, at_price)
    else:
        placed = cascade.offer_next_operator(uow, booking, candidates=at_price) is not None
    if not placed:
        raise NoLongerAvailableError("no operator can take that slot any more")
    return booking_view(uow, booking)


def _earlier_request(
    uow: UnitOfWork, key: str, consumer_id: int, start: datetime
) -> Booking | None:
    """The booking this idempotency key already made, if any (refused if it was another's)."""
    existing = uow.session.scalar(select(Booking).where(Booking.idempotency_key == key))
    if existing is not None and existing.consumer_id != consumer_id:
        raise InvalidRequestError("that idempotency key belongs to another booking")
    if existing is not None and existing.start_at != start:
        raise InvalidRequestError("that idempotency key was used for another booking")
    return existing


def _insert_with_fresh_ref(uow: UnitOfWork, booking: Booking) -> bool:
    """Pick a ref unique among active bookings; a collision retries inside a savepoint.
    False: another transaction inserted a booking with the same idempotency key first."""
    for _ in range(REF_TRIES):
        booking.ref = new_ref()
        try:
            with uow.session.begin_nested():
                uow.session.add(booking)
                uow.session.flush()
            return True
        except IntegrityError as err:
            constraint = getattr(getattr(err.orig, "diag", None), "constraint_name", None)
            if constraint == "uq_bookings_idempotency_key":
                return False
            if constraint != "uq_bookings_active_ref":
                raise
    raise RuntimeError("could not find a free booking ref")  # 390k refs: practically never


def accept_offer(uow: UnitOfWork, operator_person_id: int, ref: str | None = None) -> BookingView:
    require_operator(uow, operator_person_id)
    booking = cascade.accept(uow, operator_person_id, normalise_ref(ref) if ref else None)
    return booking_view(uow, booking)


def decline_offer(uow: UnitOfWork, operator_person_id: int, ref: str | None = None) -> BookingView:
    require_operator(uow, operator_person_id)
    booking = cascade.decline(uow, operator_person_id, normalise_ref(ref) if ref else None)
    return booking_view(uow, booking)


def _cancel_fee(uow: UnitOfWork, booking: Booking, person_id: int) -> int:
    return _fee_decision(uow, booking, person_id)[0]


def _fee_decision(uow: UnitOfWork, booking: Booking, person_id: int) -> tuple[int, str]:
    """The fee cancelling now costs this person, in cents, and the rule that decided it."""
    if person_id != booking.consumer_id:
        return 0, "by_operator"
    if booking.status in (BookingStatus.REQUESTED, BookingStatus.OFFERED):
        return 0, "not_accepted"
    free_until = booking.start_at - timedelta(minutes=uow.settings.free_cancel_minutes)
    if uow.now() <= free_until:
        return 0, "free_window"
    return min(uow.settings.cancel_fee_cents, booking.price_cents), "late"


def cancellation_quote(uow: UnitOfWork, person_id: int, ref: str) -> int:
    """Fee in cents that cancelling now would cost this person (operators never pay one here)."""
    booking = booking_for(uow, person_id, ref, role="any")
    if booking.status not in ACTIVE_STATUSES:
        raise IllegalTransitionError(f"{booking.ref} is {booking.status}")
    return _cancel_fee(uow, booking, person_id)


def cancel_booking(uow: UnitOfWork, person_id: int, ref: str, reason: str = "") -> BookingView:
    """Cancel by the consumer (fee after the free window once accepted) or the assigned
    operator (no fee; the consumer is told). Releases capacity and withdraws open offers."""
    booking = booking_for(uow, person_id, ref, role="any")
    by_consumer = person_id == booking.consumer_id
    fee, rule = _fee_decision(uow, booking, person_id)
    offered_to = cascade.withdraw_open_offers(uow, booking)
    booking.cancel_fee_cents = fee
    booking.cancel_reason = reason[:200] or None
    capacity.release(uow, booking.id)
    lifecycle.move(
        uow,
        booking,
        BookingStatus.CANCELLED,
        "consumer" if by_consumer else "operator",
        person_id,
        fee_cents=fee,
        fee_rule=rule,
        operator_id=booking.operator_id,
        withdrawn_offer_operator_ids=tuple(offered_to),
    )
    return booking_view(uow, booking)


def reschedule_booking(
    uow: UnitOfWork, consumer_id: int, ref: str, new_start: datetime
) -> BookingView:
    """Move a booking not yet under way. An assigned booking keeps its operator (or fails with
    NoLongerAvailableError); an unassigned one is offered afresh at the new time."""
    booking = booking_for(uow, consumer_id, ref, role="consumer")
    if booking.status not in (
        BookingStatus.REQUESTED,
        BookingStatus.OFFERED,
        BookingStatus.ACCEPTED,
    ):
        raise IllegalTransitionError(f"{booking.ref} is {booking.status}; it cannot be moved")
    if _cancel_fee(uow, booking, consumer_id) > 0:
        raise TooLateToMoveError(f"{booking.ref} starts too soon to be moved")
    check_start(uow, new_start)
    service = uow.session.get(Service, booking.service_id)
    assert service is not None
    old_start = booking.start_at
    new_end = new_start + timedelta(minutes=service.duration_minutes)
    capacity.release(uow, booking.id)
    if booking.status == BookingStatus.ACCEPTED and booking.operator_id is not None:
        able = find_candidates(
            uow,
            service.id,
            booking.lat,
            booking.lon,
            new_start,
            new_end,
            only_operator_id=booking.operator_id,
        )
        window_day = new_start.astimezone(uow.settings.tz).date()
        if not able or not capacity.reserve(
            uow,
            booking.id,
            booking.operator_id,
            new_start,
            new_end,
            window_day,
            able[0].concurrent_capacity,
            able[0].daily_capacity,
        ):
            raise NoLongerAvailableError("your operator cannot take the new time")
        booking.start_at, booking.end_at = new_start, new_end
    else:
        cascade.withdraw_open_offers(uow, booking)
        booking.start_at, booking.end_at = new_start, new_end
        booking.offer_attempts = 0
        if cascade.offer_next_operator(uow, booking) is None:
            raise NoLongerAvailableError("no operator can take the new time")
    kept = booking.operator_id if booking.status == BookingStatus.ACCEPTED else None
    lifecycle.record_in_place(
        uow, booking, BookingRescheduled, "consumer", consumer_id,
        rescheduled_from=old_start, start_at=new_start, kept_operator_id=kept,
    )  # fmt: skip
    return booking_view(uow, booking)
