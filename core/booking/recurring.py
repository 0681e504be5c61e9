"""Recurring bookings: the same slot weekly, fortnightly or monthly, with the same operator
when possible. Occurrences are booked `GENERATE_AHEAD_DAYS` ahead by a daily scheduled job
(`booking.generate_series`), each with an idempotency key per series and date, so running the
job twice books nothing twice."""

from __future__ import annotations

import calendar
import logging
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from core.db import UnitOfWork
from core.jobs.service import job_handler, schedule

from .availability import check_start, ensure_serves_place
from .errors import BookingError, InvalidRequestError, NotFoundError
from .model import ACTIVE_STATUSES, Booking, BookingSeries, BookingStatus
from .operators import get_service
from .views import SeriesView

log = logging.getLogger(__name__)

FREQUENCIES = ("weekly", "fortnightly", "monthly")
GENERATE_AHEAD_DAYS = 7
SERIES_JOB = "booking.generate_series"
RUN_AT = time(2, 0)  # Johannesburg


def occurrences(series: BookingSeries, after: date, through: date) -> Iterator[date]:
    """Occurrence dates in (after, through]. Monthly keeps the day of month, clamped to the
    month's last day (31 Jan -> 28/29 Feb -> 31 Mar)."""
    n = 0
    while True:
        if series.frequency == "monthly":
            month_index = series.first_day.month - 1 + n
            year, month = series.first_day.year + month_index // 12, month_index % 12 + 1
            last = calendar.monthrange(year, month)[1]
            day = date(year, month, min(series.first_day.day, last))
        else:
            step = 7 if series.frequency == "weekly" else 14
            day = series.first_day + timedelta(days=step * n)
        if day > through:
            return
        if day > after:
            yield day
        n += 1


def create_series(
    uow: UnitOfWork,
    consumer_id: int,
    service_code: str,
    lat: float,
    lon: float,
    place_name: str,
    first_start: datetime,
    frequency: str,
    operator_id: int | None = None,
    payment_method: str = "cash",
) -> SeriesView:
    """Start a series and book what falls inside the generation window now."""
    if frequency not in FREQUENCIES:
        raise InvalidRequestError(f"frequency must be one of {', '.join(FREQUENCIES)}")
    service = get_service(uow, service_code)
    check_start(uow, first_start)
    ensure_serves_place(uow, service, lat, lon)
    local = first_start.astimezone(uow.settings.tz)
    series = BookingSeries(
        consumer_id=consumer_id,
        service_id=service.id,
        operator_id=operator_id,
        lat=lat,
        lon=lon,
        place_name=place_name[:60],
        frequency=frequency,
        first_day=local.date(),
        local_time=local.time().replace(tzinfo=None),
        payment_method=payment_method,
        status="active",
        skipped_days=[],
    )
    uow.session.add(series)
    uow.session.flush()
    generate_for_series(uow, series)
    ensure_series_job(uow)
    return series_view(uow, series)


def series_view(uow: UnitOfWork, series: BookingSeries) -> SeriesView:
    today = uow.now().astimezone(uow.settings.tz).date()
    upcoming = next(
        (
            d
            for d in occurrences(series, today - timedelta(days=1), today + timedelta(days=400))
            if d.isoformat() not in series.skipped_days
        ),
        None,
    )
    service = get_service_code(uow, series.service_id)
    return SeriesView(
        series.id,
        series.frequency,
        series.status,
        service,
        series.place_name,
        upcoming.isoformat() if upcoming else None,
    )


def get_service_code(uow: UnitOfWork, service_id: int) -> str:
    from .model import Service

    service = uow.session.get(Service, service_id)
    assert service is not None
    return service.code


def _preferred_operator(uow: UnitOfWork, series: BookingSeries) -> int | None:
    """The series' operator, else whoever last took (or did) one of its bookings."""
    if series.operator_id is not None:
        return series.operator_id
    return uow.session.scalar(
        select(Booking.operator_id)
        .where(
            Booking.series_id == series.id,
            Booking.operator_id.is_not(None),
            Booking.status.not_in([BookingStatus.CANCELLED, BookingStatus.EXPIRED]),
        )
        .order_by(Booking.start_at.desc())
        .limit(1)
    )


def generate_for_series(uow: UnitOfWork, series: BookingSeries) -> list[str]:
    """Book the series' occurrences up to GENERATE_AHEAD_DAYS ahead. Returns the refs booked.

    An occurrence nobody can take is passed over (logged); the series goes on."""
    from .service import request_booking

    if series.status != "active":
        return []
    tz = uow.settings.tz
    today = uow.now().astimezone(tz).date()
    through = today + timedelta(days=GENERATE_AHEAD_DAYS)
    after = series.generated_through or (series.first_day - timedelta(days=1))
    service_code = get_service_code(uow, series.service_id)
    booked: list[str] = []
    for day in occurrences(series, after, through):
        if day.isoformat() in series.skipped_days:
            continue
        start = datetime.combine(day, series.local_time, tzinfo=tz).astimezone(UTC)
        if start < uow.now():
            continue
        preferred = _preferred_operator(uow, series)
        for operator_id in dict.fromkeys([preferred, None]):
            try:
                with uow.session.begin_nested():
                    view = request_booking(
                        uow, series.consumer_id, service_code, series.lat, series.lon,
                        series.place_name, start, series.payment_method,
                        idempotency_key=f"series:{series.id}:{day.isoformat()}",
                        operator_id=operator_id, series_id=series.id,
                    )  # fmt: skip
                booked.append(view.ref)
                break
            except BookingError as err:
                log.info("series %s: %s not booked (%s)", series.id, day, err.code)
    series.generated_through = through
    return booked


def generate_due(uow: UnitOfWork) -> int:
    """Book every active series' upcoming occurrences. Returns how many bookings were made."""
    total = 0
    for series in uow.session.scalars(
        select(BookingSeries).where(BookingSeries.status == "active").with_for_update()
    ).all():
        try:
            with uow.session.begin_nested():  # one broken series must not stop the others
                total += len(generate_for_series(uow, series))
        except Exception:  # noqa: BLE001 - logged; that series is tried again tomorrow
            log.exception("series %s: generation failed", series.id)
    return total


def ensure_series_job(uow: UnitOfWork) -> None:
    """Schedule the next daily generation run (02:00 Johannesburg); idempotent per day."""
    tz = uow.settings.tz
    local_now = uow.now().astimezone(tz)
    run = datetime.combine(local_now.date(), RUN_AT, tzinfo=tz)
    if run <= local_now:
        run += timedelta(days=1)
    schedule(
        uow,
        SERIES_JOB,
        {},
        due_at=run.astimezone(UTC),
        dedupe_key=f"series-gen:{run.date().isoformat()}",
    )


@job_handler(SERIES_JOB)
def run_series_generation(uow: UnitOfWork, payload: dict[str, Any]) -> None:
    """Books in the job's transaction. Tomorrow's run is scheduled first in a transaction of
    its own (idempotent per day): a failure today must not end the daily runs."""
    tomorrow = uow.fresh()
    with tomorrow:
        ensure_series_job(tomorrow)
        tomorrow.commit()
    made = generate_due(uow)
    log.info("series generation booked %s occurrences", made)


def _series_of(uow: UnitOfWork, consumer_id: int, series_id: int) -> BookingSeries:
    series = uow.session.scalar(
        select(BookingSeries)
        .where(BookingSeries.id == series_id, BookingSeries.consumer_id == consumer_id)
        .with_for_update()
    )
    if series is None:
        raise NotFoundError(f"no series {series_id}")
    return series


def _cancel_series_bookings(uow: UnitOfWork, series: BookingSeries, day: date | None) -> None:
    from .service import cancel_booking

    stmt = select(Booking).where(
        Booking.series_id == series.id,
        Booking.status.in_(ACTIVE_STATUSES),
        Booking.start_at > uow.now(),
    )
    for booking in uow.session.scalars(stmt).all():
        if day is None or booking.start_at.astimezone(uow.settings.tz).date() == day:
            cancel_booking(uow, series.consumer_id, booking.ref, reason="series change")


def skip_occurrence(uow: UnitOfWork, consumer_id: int, series_id: int, day: date) -> SeriesView:
    """Leave one date out; a booking already made for it is cancelled (usual fee rules)."""
    series = _series_of(uow, consumer_id, series_id)
    if day.isoformat() not in series.skipped_days:
        series.skipped_days = [*series.skipped_days, day.isoformat()]
    _cancel_series_bookings(uow, series, day)
    return series_view(uow, series)


def pause_series(uow: UnitOfWork, consumer_id: int, series_id: int) -> SeriesView:
    """No new occurrences; those already booked stay (cancel them one by one if wanted)."""
    series = _series_of(uow, consumer_id, series_id)
    if series.status == "cancelled":
        raise InvalidRequestError("the series is cancelled")
    series.status = "paused"
    return series_view(uow, series)


def resume_series(uow: UnitOfWork, consumer_id: int, series_id: int) -> SeriesView:
    series = _series_of(uow, consumer_id, series_id)
    if series.status == "cancelled":
        raise InvalidRequestError("the series is cancelled")
    series.status = "active"
    # Dates missed while paused are not booked after the fact.
    series.generated_through = max(
        series.generated_through or date.min, uow.now().astimezone(uow.settings.tz).date()
    )
    generate_for_series(uow, series)
    return series_view(uow, series)


def cancel_series(uow: UnitOfWork, consumer_id: int, series_id: int) -> SeriesView:
    """Stop the series and cancel its future bookings."""
    series = _series_of(uow, consumer_id, series_id)
    series.status = "cancelled"
    _cancel_series_bookings(uow, series, None)
    return series_view(uow, series)
