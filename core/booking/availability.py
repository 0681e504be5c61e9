"""Availability and quotes: bookable slots on a grid, priced at the lowest price among the
operators able to take each one, computed from SQL at the moment of asking.

Only ONLINE operators count: the offer goes out as the booking is made, and only an online
operator can receive it. Slots are on `settings.slot_minutes` boundaries (Johannesburg time),
starting at least `LEAD` from now.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.types import BigInteger

from core.db import UnitOfWork
from core.dispatch.candidates import nearby_operators, search_count
from core.dispatch.distance import degrees_box, haversine_km

from .errors import OutsideAreaError, TimeInPastError, TooFarAheadError
from .model import Service
from .operators import MAX_RADIUS_KM, get_service
from .views import SlotView

LEAD = timedelta(minutes=30)
ASAP_DAYS = 2

_SERVES_PLACE = text(
    """
    select o.home_lat, o.home_lon, o.radius_km from operators o
    join operator_services os on os.operator_id = o.person_id and os.service_id = :service_id
    where o.home_lat between :lat0 and :lat1 and o.home_lon between :lon0 and :lon1
    """
)
_DAY_OPERATORS = text(
    """
    select o.person_id, o.home_lat, o.home_lon, o.radius_km, o.concurrent_capacity,
           o.daily_capacity, os.price_cents, coalesce(d.used, 0) as used_today,
           e.id is not null as has_exception, e.opens as ex_opens, e.closes as ex_closes
    from operators o
    join operator_services os on os.operator_id = o.person_id and os.service_id = :service_id
    left join operator_days d on d.operator_id = o.person_id and d.day = :day
    left join hours_exceptions e on e.operator_id = o.person_id and e.day = :day
    where o.person_id = any(:ids) and o.online
      and (o.cooloff_until is null or o.cooloff_until <= :now)
    """
).bindparams(bindparam("ids", type_=ARRAY(BigInteger)))
_WEEKLY = text(
    "select operator_id, opens, closes from working_hours "
    "where operator_id = any(:ids) and weekday = :weekday"
).bindparams(bindparam("ids", type_=ARRAY(BigInteger)))
_HOLDS = text(
    "select operator_id, lower(during) as s, upper(during) as e from capacity_holds "
    "where operator_id = any(:ids) and during && tstzrange(:from_, :to_, '[)')"
).bindparams(bindparam("ids", type_=ARRAY(BigInteger)))


def ensure_serves_place(uow: UnitOfWork, service: Service, lat: float, lon: float) -> None:
    """OutsideAreaError unless some operator selling the service covers (lat, lon)."""
    dlat, dlon = degrees_box(lat, MAX_RADIUS_KM)
    rows = uow.session.execute(
        _SERVES_PLACE,
        {
            "service_id": service.id,
            "lat0": lat - dlat,
            "lat1": lat + dlat,
            "lon0": lon - dlon,
            "lon1": lon + dlon,
        },
    )
    if not any(haversine_km(r.home_lat, r.home_lon, lat, lon) <= r.radius_km for r in rows):
        raise OutsideAreaError("no operator serves this place")


def check_start(uow: UnitOfWork, start: datetime) -> None:
    now = uow.now()
    if start.tzinfo is None:
        raise TimeInPastError("start must carry a time zone")
    if start < now:
        raise TimeInPastError("that time has passed")
    if start > now + timedelta(days=uow.settings.booking_horizon_days):
        raise TooFarAheadError(f"book at most {uow.settings.booking_horizon_days} days ahead")


def check_day(uow: UnitOfWork, day: date) -> None:
    today = uow.now().astimezone(uow.settings.tz).date()
    if day < today:
        raise TimeInPastError("that day has passed")
    if day > today + timedelta(days=uow.settings.booking_horizon_days):
        raise TooFarAheadError(f"book at most {uow.settings.booking_horizon_days} days ahead")


def find_slots(
    uow: UnitOfWork,
    service_code: str,
    lat: float,
    lon: float,
    day: date | None = None,
    operator_id: int | None = None,
    limit: int = 5,
) -> list[SlotView]:
    """Up to `limit` bookable slots, earliest first: on `day`, or ASAP (today and tomorrow)."""
    service = get_service(uow, service_code)
    ensure_serves_place(uow, service, lat, lon)
    tz = uow.settings.tz
    today = uow.now().astimezone(tz).date()
    if day is not None:
        check_day(uow, day)
        days = [day]
    else:
        days = [today + timedelta(days=n) for n in range(ASAP_DAYS)]
    if operator_id is not None:
        ids = [operator_id]
    else:
        ids = list(
            nearby_operators(
                uow,
                lat,
                lon,
                uow.settings.dispatch_radius_km,
                search_count(uow.settings.dispatch_candidates),
            )
        )
    slots: list[SlotView] = []
    for each_day in days:
        if ids:
            wanted = limit - len(slots)
            slots.extend(_day_slots(uow, service, lat, lon, each_day, ids, operator_id, wanted))
        if len(slots) >= limit:
            break
    return slots[:limit]


def _day_slots(
    uow: UnitOfWork,
    service: Service,
    lat: float,
    lon: float,
    day: date,
    ids: list[int],
    favourite: int | None,
    limit: int,
) -> list[SlotView]:
    """The day's first `limit` bookable slots (slots come out in time order, so the walk stops
    there: the ASAP line asks for one)."""
    tz, session = uow.settings.tz, uow.session
    day_start = datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)
    day_end = day_start + timedelta(days=1, hours=1)
    rows = [
        r
        for r in session.execute(
            _DAY_OPERATORS,
            {"ids": ids, "service_id": service.id, "day": day, "now": uow.now()},
        )
        if haversine_km(r.home_lat, r.home_lon, lat, lon) <= r.radius_km
        and r.used_today < r.daily_capacity
    ]
    if not rows:
        return []
    eligible = [int(r.person_id) for r in rows]
    weekly: dict[int, list[tuple[time, time]]] = defaultdict(list)
    for w in session.execute(_WEEKLY, {"ids": eligible, "weekday": day.weekday()}):
        weekly[int(w.operator_id)].append((w.opens, w.closes))
    holds: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    for h in session.execute(_HOLDS, {"ids": eligible, "from_": day_start, "to_": day_end}):
        holds[int(h.operator_id)].append((h.s, h.e))

    duration = timedelta(minutes=service.duration_minutes)
    grid = timedelta(minutes=uow.settings.slot_minutes)
    earliest = uow.now() + LEAD
    slots: list[SlotView] = []
    start = day_start
    while start.astimezone(tz).date() == day:
        end = start + duration
        local_start, local_end = start.astimezone(tz), end.astimezone(tz)
        if start >= earliest and local_end.date() == day:
            t0, t1 = local_start.time(), local_end.time()
            prices = []
            for r in rows:
                if r.has_exception:
                    ranges = [(r.ex_opens, r.ex_closes)] if r.ex_opens is not None else []
                else:
                    ranges = weekly.get(int(r.person_id), [])
                if not any(opens <= t0 and t1 <= closes for opens, closes in ranges):
                    continue
                overlapping = sum(1 for s, e in holds[int(r.person_id)] if s < end and start < e)
                if overlapping < r.concurrent_capacity:
                    prices.append(int(r.price_cents))
            if prices:
                slots.append(SlotView(start, end, min(prices), service.code, favourite))
                if len(slots) >= limit:
                    break
        start += grid
    return slots
