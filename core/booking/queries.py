"""Read models over bookings: what a consumer or operator sees on a phone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement, select

from core.accounts.model import Person
from core.db import UnitOfWork
from core.dispatch.model import Offer, OfferStatus
from core.ledger.balances import operator_earned

from .model import ACTIVE_STATUSES, Booking, BookingStatus, Service
from .operators import require_operator
from .views import BookingView, EarningsView, OfferView, VisitView


def booking_view(uow: UnitOfWork, booking: Booking) -> BookingView:
    service = uow.session.get(Service, booking.service_id)
    assert service is not None
    operator = uow.session.get(Person, booking.operator_id) if booking.operator_id else None
    return BookingView(
        id=booking.id,
        ref=booking.ref,
        status=booking.status,
        service_code=service.code,
        service_name=service.name,
        place_name=booking.place_name,
        start=booking.start_at,
        price_cents=booking.price_cents,
        operator_earn_cents=booking.operator_earn_cents,
        consumer_id=booking.consumer_id,
        operator_person_id=booking.operator_id,
        operator_name=operator.name if operator else None,
        eta_minutes=booking.eta_minutes,
    )


def find_booking(uow: UnitOfWork, booking_id: int) -> BookingView:
    booking = uow.session.get(Booking, booking_id)
    if booking is None:
        from .errors import NotFoundError

        raise NotFoundError(f"no booking {booking_id}")
    return booking_view(uow, booking)


def consumer_bookings(
    uow: UnitOfWork, consumer_id: int, active_only: bool = True
) -> list[BookingView]:
    stmt = select(Booking).where(Booking.consumer_id == consumer_id)
    if active_only:
        stmt = stmt.where(Booking.status.in_(ACTIVE_STATUSES)).order_by(Booking.start_at)
    else:
        stmt = stmt.order_by(Booking.start_at.desc()).limit(50)
    return [booking_view(uow, b) for b in uow.session.scalars(stmt)]


def _local_day_bounds(uow: UnitOfWork, day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tzinfo=uow.settings.tz).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=uow.settings.tz)
    return start, end.astimezone(UTC)


def operator_jobs(
    uow: UnitOfWork, operator_person_id: int, day: date | None = None
) -> list[BookingView]:
    """The operator's jobs starting on `day` (today in Johannesburg by default), by time;
    cancelled and expired ones left out."""
    require_operator(uow, operator_person_id)
    day = day or uow.now().astimezone(uow.settings.tz).date()
    start, end = _local_day_bounds(uow, day)
    kept = Booking.status.not_in([BookingStatus.CANCELLED, BookingStatus.EXPIRED])
    return _operator_bookings(uow, operator_person_id, start, end, kept)


def _operator_bookings(
    uow: UnitOfWork, operator_id: int, start: datetime, end: datetime, status: ColumnElement[bool]
) -> list[BookingView]:
    rows = uow.session.scalars(
        select(Booking)
        .where(
            Booking.operator_id == operator_id,
            Booking.start_at >= start,
            Booking.start_at < end,
            status,
        )
        .order_by(Booking.start_at)
    )
    return [booking_view(uow, b) for b in rows]


OPERATOR_OPEN_STATUSES = (
    BookingStatus.ACCEPTED,
    BookingStatus.EN_ROUTE,
    BookingStatus.ARRIVED,
    BookingStatus.IN_PROGRESS,
)


def upcoming_jobs(uow: UnitOfWork, operator_person_id: int, days: int = 7) -> list[BookingView]:
    """The operator's accepted jobs not finished yet, starting today (Johannesburg) or on the
    following `days - 1` days, by time. A job of this morning still open is included."""
    require_operator(uow, operator_person_id)
    today = uow.now().astimezone(uow.settings.tz).date()
    start = _local_day_bounds(uow, today)[0]
    end = _local_day_bounds(uow, today + timedelta(days=days))[0]
    open_ = Booking.status.in_(OPERATOR_OPEN_STATUSES)
    return _operator_bookings(uow, operator_person_id, start, end, open_)


def open_offers(uow: UnitOfWork, operator_person_id: int) -> list[OfferView]:
    rows = uow.session.execute(
        select(Offer, Booking, Service.name)
        .join(Booking, Booking.id == Offer.booking_id)
        .join(Service, Service.id == Booking.service_id)
        .where(
            Offer.operator_id == operator_person_id,
            Offer.status == OfferStatus.OPEN,
            Offer.expires_at > uow.now(),
        )
        .order_by(Offer.expires_at)
    )
    return [
        OfferView(
            ref=booking.ref,
            service_name=name,
            place_name=booking.place_name,
            start=booking.start_at,
            earn_cents=offer.earn_cents,
            distance_km=offer.distance_km,
            expires_at=offer.expires_at,
        )
        for offer, booking, name in rows
    ]


def operator_earnings(uow: UnitOfWork, operator_person_id: int) -> EarningsView:
    """Earnings (after commission, less refunds and chargebacks) as the ledger has them, by
    posting time: today, this week (from Monday) and this month, Johannesburg calendar."""
    require_operator(uow, operator_person_id)
    today = uow.now().astimezone(uow.settings.tz).date()
    day_start, _ = _local_day_bounds(uow, today)
    week_start, _ = _local_day_bounds(uow, today - timedelta(days=today.weekday()))
    month_start, _ = _local_day_bounds(uow, today.replace(day=1))

    def since(moment: datetime) -> tuple[int, int]:
        return operator_earned(uow, operator_person_id, moment)

    today_cents, jobs_today = since(day_start)
    return EarningsView(today_cents, since(week_start)[0], since(month_start)[0], jobs_today)


def customer_history(uow: UnitOfWork, operator_person_id: int, limit: int = 5) -> list[VisitView]:
    require_operator(uow, operator_person_id)
    rows = uow.session.execute(
        select(Person.name, Person.phone, Service.name, Booking.start_at, Booking.price_cents)
        .join(Person, Person.id == Booking.consumer_id)
        .join(Service, Service.id == Booking.service_id)
        .where(
            Booking.operator_id == operator_person_id,
            Booking.status == BookingStatus.COMPLETED,
        )
        .order_by(Booking.start_at.desc())
        .limit(limit)
    )
    return [
        VisitView(name or f"Customer {phone[-4:]}", service, when, price)
        for name, phone, service, when, price in rows
    ]
