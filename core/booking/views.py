"""Plain read models returned by booking operations (frozen dataclasses, UTC datetimes)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class ServiceView:
    code: str
    name: str
    duration_minutes: int
    min_price_cents: int
    max_price_cents: int


@dataclass(frozen=True)
class SlotView:
    start: datetime
    end: datetime
    price_cents: int
    service_code: str
    operator_id: int | None


@dataclass(frozen=True)
class BookingView:
    id: int
    ref: str
    status: str
    service_code: str
    service_name: str
    place_name: str
    start: datetime
    price_cents: int
    operator_earn_cents: int
    consumer_id: int
    operator_person_id: int | None
    operator_name: str | None
    eta_minutes: int | None


@dataclass(frozen=True)
class OfferView:
    ref: str
    service_name: str
    place_name: str
    start: datetime
    earn_cents: int
    distance_km: float
    expires_at: datetime


@dataclass(frozen=True)
class OperatorServiceView:
    code: str
    name: str
    price_cents: int
    min_price_cents: int
    max_price_cents: int


@dataclass(frozen=True)
class EarningsView:
    today_cents: int
    week_cents: int
    month_cents: int
    jobs_today: int


@dataclass(frozen=True)
class VisitView:
    customer_name: str
    service_name: str
    when: datetime
    price_cents: int


@dataclass(frozen=True)
class SeriesView:
    id: int
    frequency: str
    status: str
    service_code: str
    place_name: str
    next_day: str | None
