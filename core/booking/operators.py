"""Operators manage their business: catalogue services and prices, service area, weekly hours
and exceptions, capacity, online/offline. All run in the caller's transaction; index changes
are applied after commit."""

from __future__ import annotations

from datetime import date, time

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert

from core.accounts.model import Person
from core.db import UnitOfWork
from core.dispatch.index_sync import sync_after_commit

from .errors import (
    InvalidRequestError,
    NotFoundError,
    NotOperatorError,
    PriceOutOfBandError,
    UnknownServiceError,
)
from .model import HoursException, Operator, OperatorService, Service, WorkingHours
from .views import OperatorServiceView, ServiceView

MAX_RADIUS_KM = 50.0
MAX_CONCURRENT = 20


def upsert_service(
    uow: UnitOfWork,
    code: str,
    name: str,
    duration_minutes: int,
    min_price_cents: int,
    max_price_cents: int,
) -> ServiceView:
    """Add or update a catalogue entry (idempotent by code)."""
    values = {
        "code": code,
        "name": name,
        "duration_minutes": duration_minutes,
        "min_price_cents": min_price_cents,
        "max_price_cents": max_price_cents,
        "active": True,
    }
    uow.session.execute(
        insert(Service).values(**values).on_conflict_do_update(index_elements=["code"], set_=values)
    )
    return ServiceView(code, name, duration_minutes, min_price_cents, max_price_cents)


def list_services(uow: UnitOfWork) -> list[ServiceView]:
    rows = uow.session.scalars(select(Service).where(Service.active).order_by(Service.id))
    return [
        ServiceView(s.code, s.name, s.duration_minutes, s.min_price_cents, s.max_price_cents)
        for s in rows
    ]


def get_service(uow: UnitOfWork, code: str) -> Service:
    service = uow.session.scalar(select(Service).where(Service.code == code, Service.active))
    if service is None:
        raise UnknownServiceError(f"unknown service {code!r}")
    return service


def require_operator(uow: UnitOfWork, person_id: int, *, lock: bool = False) -> Operator:
    stmt = select(Operator).where(Operator.person_id == person_id)
    if lock:
        stmt = stmt.with_for_update()
    operator = uow.session.scalar(stmt)
    if operator is None:
        raise NotOperatorError(f"person {person_id} is not an operator")
    return operator


def register_operator(
    uow: UnitOfWork,
    person_id: int,
    business_name: str,
    lat: float,
    lon: float,
    *,
    radius_km: float = 15.0,
    area: str | None = None,
    concurrent: int = 1,
    daily: int = 8,
) -> None:
    """Make a person an operator (idempotent: a second call updates the profile)."""
    person = uow.session.get(Person, person_id)
    if person is None:
        raise NotFoundError(f"no person {person_id}")
    _check_area(lat, lon, radius_km)
    _check_capacity(concurrent, daily)
    person.is_operator = True
    values = {
        "person_id": person_id,
        "business_name": business_name,
        "home_lat": lat,
        "home_lon": lon,
        "home_area": area,
        "radius_km": radius_km,
        "lat": lat,
        "lon": lon,
        "concurrent_capacity": concurrent,
        "daily_capacity": daily,
    }
    uow.session.execute(
        insert(Operator)
        .values(online=False, offers_received=0, offers_accepted=0, **values)
        .on_conflict_do_update(index_elements=["person_id"], set_=values)
    )
    operator = require_operator(uow, person_id)
    uow.session.refresh(operator)
    sync_after_commit(uow, operator.person_id, operator.online, operator.lat, operator.lon)


def _check_area(lat: float, lon: float, radius_km: float) -> None:
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise InvalidRequestError("coordinates out of range")
    if not 0 < radius_km <= MAX_RADIUS_KM:
        raise InvalidRequestError(f"radius must be above 0 and at most {MAX_RADIUS_KM:g} km")


def _check_capacity(concurrent: int, daily: int | None) -> None:
    if not 1 <= concurrent <= MAX_CONCURRENT:
        raise InvalidRequestError(f"concurrent capacity must be 1..{MAX_CONCURRENT}")
    if daily is not None and daily < 1:
        raise InvalidRequestError("daily capacity must be at least 1")


def set_service_area(
    uow: UnitOfWork, operator_person_id: int, lat: float, lon: float, radius_km: float
) -> None:
    _check_area(lat, lon, radius_km)
    operator = require_operator(uow, operator_person_id, lock=True)
    operator.home_lat, operator.home_lon, operator.radius_km = lat, lon, radius_km


def set_location(uow: UnitOfWork, operator_person_id: int, lat: float, lon: float) -> None:
    """Where the operator is now; the geo index follows after commit."""
    _check_area(lat, lon, 1.0)
    operator = require_operator(uow, operator_person_id, lock=True)
    operator.lat, operator.lon = lat, lon
    sync_after_commit(uow, operator.person_id, operator.online, operator.lat, operator.lon)


def set_online(uow: UnitOfWork, operator_person_id: int, online: bool) -> None:
    operator = require_operator(uow, operator_person_id, lock=True)
    operator.online = online
    sync_after_commit(uow, operator.person_id, operator.online, operator.lat, operator.lon)


def set_capacity(
    uow: UnitOfWork, operator_person_id: int, concurrent: int, daily: int | None = None
) -> None:
    """Lowering capacity never cancels jobs already held; it only stops new ones."""
    _check_capacity(concurrent, daily)
    operator = require_operator(uow, operator_person_id, lock=True)
    operator.concurrent_capacity = concurrent
    if daily is not None:
        operator.daily_capacity = daily


def set_service_price(
    uow: UnitOfWork,
    operator_person_id: int,
    service_code: str,
    price_cents: int,
    *,
    expertise: int | None = None,
) -> None:
    """Sell a service at the operator's own price, inside the platform band (adds it if new)."""
    operator = require_operator(uow, operator_person_id)
    service = get_service(uow, service_code)
    if not service.min_price_cents <= price_cents <= service.max_price_cents:
        raise PriceOutOfBandError(
            f"{service.code}: price must be between {service.min_price_cents} and "
            f"{service.max_price_cents} cents"
        )
    if expertise is not None and not 1 <= expertise <= 5:
        raise InvalidRequestError("expertise must be 1..5")
    values: dict[str, int] = {"price_cents": price_cents}
    if expertise is not None:
        values["expertise"] = expertise
    uow.session.execute(
        insert(OperatorService)
        .values(
            operator_id=operator.person_id,
            service_id=service.id,
            price_cents=price_cents,
            expertise=expertise or 3,
        )
        .on_conflict_do_update(index_elements=["operator_id", "service_id"], set_=values)
    )


def remove_service(uow: UnitOfWork, operator_person_id: int, service_code: str) -> None:
    service = get_service(uow, service_code)
    uow.session.execute(
        delete(OperatorService).where(
            OperatorService.operator_id == operator_person_id,
            OperatorService.service_id == service.id,
        )
    )


def operator_services(uow: UnitOfWork, operator_person_id: int) -> list[OperatorServiceView]:
    require_operator(uow, operator_person_id)
    rows = uow.session.execute(
        select(Service, OperatorService.price_cents)
        .join(OperatorService, OperatorService.service_id == Service.id)
        .where(OperatorService.operator_id == operator_person_id)
        .order_by(Service.id)
    )
    return [
        OperatorServiceView(s.code, s.name, price, s.min_price_cents, s.max_price_cents)
        for s, price in rows
    ]


def set_working_hours(
    uow: UnitOfWork, operator_person_id: int, weekday: int, opens: time | None, closes: time | None
) -> None:
    """Replace one weekday's hours (Johannesburg time, 0 = Monday); None closes that day."""
    require_operator(uow, operator_person_id)
    if not 0 <= weekday <= 6:
        raise InvalidRequestError("weekday must be 0 (Monday) .. 6 (Sunday)")
    uow.session.execute(
        delete(WorkingHours).where(
            WorkingHours.operator_id == operator_person_id, WorkingHours.weekday == weekday
        )
    )
    if opens is not None and closes is not None:
        if closes <= opens:
            raise InvalidRequestError("closing time must be after opening time")
        uow.session.add(
            WorkingHours(
                operator_id=operator_person_id, weekday=weekday, opens=opens, closes=closes
            )
        )


def set_hours_exception(
    uow: UnitOfWork,
    operator_person_id: int,
    day: date,
    opens: time | None = None,
    closes: time | None = None,
) -> None:
    """Closed all day (no times) or special hours on one date; replaces an earlier exception."""
    require_operator(uow, operator_person_id)
    if (opens is None) != (closes is None) or (opens and closes and closes <= opens):
        raise InvalidRequestError("give both opening and closing times, closing after opening")
    values = {"opens": opens, "closes": closes}
    uow.session.execute(
        insert(HoursException)
        .values(operator_id=operator_person_id, day=day, **values)
        .on_conflict_do_update(index_elements=["operator_id", "day"], set_=values)
    )
