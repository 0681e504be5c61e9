"""Candidate search and scoring.

The geo index narrows the search to ONLINE operators near the job (nearest first, widening the
radius only when too few are found); SQL then re-checks each one (still online, sells the
service at or below the booking's price, working at that time, capacity left, not cooling off
after a decline, the job inside their service area). Survivors are scored; the breakdown is
kept on the offer so an operator can be told why a job went elsewhere.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.types import BigInteger

from core.db import UnitOfWork
from core.ledger.balances import EARNED_SQL, EARNING_KINDS_PARAM
from core.ports import OperatorIndex

from .distance import degrees_box, haversine_km
from .index_sync import ensure_index

log = logging.getLogger(__name__)

RECENT_EARNINGS_DAYS = 7
FAIRNESS_HALF_CENTS = 200_000  # R2000 earned in the last week halves the fairness score
WIDENING_KM = (1.0, 3.0, 8.0)  # dense towns answer from the first, cheap search

_ELIGIBLE = text(
    f"""
    select o.person_id, o.home_lat, o.home_lon, o.radius_km, o.lat, o.lon,
           o.concurrent_capacity, o.daily_capacity, o.offers_received, o.offers_accepted,
           os.price_cents, os.expertise, coalesce(d.used, 0) as used_today,
           p.phone, p.language,
           {EARNED_SQL.format(operator="o.person_id")} as earned
    from operators o
    join operator_services os on os.operator_id = o.person_id and os.service_id = :service_id
    join people p on p.id = o.person_id
    left join operator_days d on d.operator_id = o.person_id and d.day = :day
    left join hours_exceptions e on e.operator_id = o.person_id and e.day = :day
    where o.person_id = any(:ids)
      and o.online
      and p.opted_out_at is null  -- offers go by SMS; an opted-out phone would burn the window
      and (o.cooloff_until is null or o.cooloff_until <= :now)
      and coalesce(d.used, 0) < o.daily_capacity
      and os.price_cents <= :max_price
      and case when e.id is not null
               then e.opens is not null and e.opens <= :t0 and e.closes >= :t1
               else exists (select 1 from working_hours w
                            where w.operator_id = o.person_id and w.weekday = :weekday
                              and w.opens <= :t0 and w.closes >= :t1)
          end
      and (select count(*) from capacity_holds h
           where h.operator_id = o.person_id
             and h.during && tstzrange(:start, :end, '[)')) < o.concurrent_capacity
    """
).bindparams(bindparam("ids", type_=ARRAY(BigInteger)), EARNING_KINDS_PARAM)

_NEAR_SQL = text(
    """
    select person_id, lat, lon from operators
    where online and lat between :lat0 and :lat1 and lon between :lon0 and :lon1
    """
)


@dataclass
class Candidate:
    operator_id: int
    distance_km: float
    price_cents: int
    expertise: int
    concurrent_capacity: int
    daily_capacity: int
    used_today: int
    phone: str = ""
    language: str = "en"
    total: float = 0.0
    parts: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class JobWindow:
    """The local (Johannesburg) view of a job's time range, as the SQL checks need it."""

    start: datetime
    end: datetime
    day: date
    weekday: int
    t0: time
    t1: time

    @classmethod
    def of(cls, start: datetime, end: datetime, tz: Any) -> JobWindow | None:
        local_start, local_end = start.astimezone(tz), end.astimezone(tz)
        day = local_start.date()
        t1 = local_end.time()
        if local_end.date() != day:
            if local_end.date() == day + timedelta(days=1) and t1 == time(0, 0):
                t1 = time(23, 59, 59)
            else:
                return None  # jobs never run past midnight
        return cls(start, end, day, local_start.weekday(), local_start.time(), t1)


def search_count(candidates: int) -> int:
    """How many nearest operators to fetch from the index for `candidates` ranked ones (a few
    more, since SQL drops some). Availability uses the same number, so a slot's price is the
    price a booking for it gets."""
    return candidates + 10


def nearby_operators(
    uow: UnitOfWork, lat: float, lon: float, radius_km: float, count: int
) -> dict[int, float]:
    """Online operators near (lat, lon): id -> km, nearest first. Redis index, or SQL alone."""
    index = uow.operator_index
    if index is not None:
        try:
            return _from_index(uow, index, lat, lon, radius_km, count)
        except Exception:  # noqa: BLE001 - Redis is only an accelerator; SQL can answer alone
            log.exception("geo index unavailable; searching SQL")
    dlat, dlon = degrees_box(lat, radius_km)
    rows = uow.session.execute(
        _NEAR_SQL,
        {"lat0": lat - dlat, "lat1": lat + dlat, "lon0": lon - dlon, "lon1": lon + dlon},
    )
    found = sorted(
        (haversine_km(lat, lon, r.lat, r.lon), int(r.person_id))
        for r in rows
        if haversine_km(lat, lon, r.lat, r.lon) <= radius_km
    )
    return {operator_id: km for km, operator_id in found[:count]}


def _from_index(
    uow: UnitOfWork, index: OperatorIndex, lat: float, lon: float, radius_km: float, count: int
) -> dict[int, float]:
    radii = [r for r in WIDENING_KM if r < radius_km] + [radius_km]
    hits: list[tuple[int, float]] = []
    for radius in radii:
        hits = index.near(lat, lon, radius, count)
        if len(hits) >= count:
            break
    if not hits and not index.is_built():  # Redis lost the index: rebuild from SQL
        ensure_index(uow)
        hits = index.near(lat, lon, radius_km, count)
    return dict(hits)


def find_candidates(
    uow: UnitOfWork,
    service_id: int,
    lat: float,
    lon: float,
    start: datetime,
    end: datetime,
    *,
    max_price_cents: int | None = None,
    exclude: Collection[int] = (),
    only_operator_id: int | None = None,
    limit: int | None = None,
) -> list[Candidate]:
    """Operators able to take this job now, best first (score, then distance, then id)."""
    settings = uow.settings
    window = JobWindow.of(start, end, settings.tz)
    if window is None:
        return []
    limit = limit or settings.dispatch_candidates
    if only_operator_id is not None:
        distances = _distance_to(uow, only_operator_id, lat, lon)
    else:
        distances = nearby_operators(
            uow, lat, lon, settings.dispatch_radius_km, search_count(settings.dispatch_candidates)
        )
    ids = [i for i in distances if i not in exclude]
    if not ids:
        return []
    # Core execution on the session's connection: the hot path skips the ORM layers.
    uow.session.flush()  # (what autoflush would do; free when nothing is pending)
    rows = (
        uow.session.connection()
        .execute(
            _ELIGIBLE,
            {
                "ids": ids,
                "service_id": service_id,
                "day": window.day,
                "weekday": window.weekday,
                "t0": window.t0,
                "t1": window.t1,
                "start": window.start,
                "end": window.end,
                "now": uow.now(),
                "since": uow.now() - timedelta(days=RECENT_EARNINGS_DAYS),
                "max_price": max_price_cents if max_price_cents is not None else 2**62,
            },
        )
        .all()
    )
    candidates = [
        Candidate(
            operator_id=int(r.person_id),
            distance_km=round(distances[int(r.person_id)], 2),
            price_cents=int(r.price_cents),
            expertise=int(r.expertise),
            concurrent_capacity=int(r.concurrent_capacity),
            daily_capacity=int(r.daily_capacity),
            used_today=int(r.used_today),
            phone=r.phone,
            language=r.language,
            parts={
                "_received": r.offers_received,
                "_accepted": r.offers_accepted,
                "_earned": r.earned,
            },
        )
        for r in rows
        if haversine_km(r.home_lat, r.home_lon, lat, lon) <= r.radius_km
    ]
    if not candidates:
        return []
    for candidate in candidates:
        score(candidate, settings.dispatch_radius_km, settings.dispatch_weights)
    candidates.sort(key=lambda c: (-c.total, c.distance_km, c.operator_id))
    return candidates[:limit]


def score(candidate: Candidate, radius_km: float, weights: Mapping[str, float]) -> None:
    """Fill `parts` (each 0..1, higher is better) and `total` (their weighted sum)."""
    received = int(candidate.parts.pop("_received", 0))
    accepted = int(candidate.parts.pop("_accepted", 0))
    earned_cents = int(candidate.parts.pop("_earned", 0))
    # Straight-line arithmetic: this runs for every candidate of every dispatch.
    distance = max(0.0, 1.0 - candidate.distance_km / max(radius_km, 0.1))
    load = max(0.0, 1.0 - candidate.used_today / max(candidate.daily_capacity, 1))
    expertise = (candidate.expertise - 1) / 4
    # Laplace-smoothed, so a newcomer starts at 0.5 rather than 0 or 1.
    acceptance = (accepted + 1) / (received + 2)
    # Less earned lately scores higher: spreads work instead of feeding the busiest.
    fairness = FAIRNESS_HALF_CENTS / (FAIRNESS_HALF_CENTS + max(earned_cents, 0))
    candidate.parts = {
        "distance": round(distance, 4),
        "load": round(load, 4),
        "expertise": round(expertise, 4),
        "acceptance": round(acceptance, 4),
        "fairness": round(fairness, 4),
    }
    get = weights.get
    candidate.total = round(
        get("distance", 0.0) * distance
        + get("load", 0.0) * load
        + get("expertise", 0.0) * expertise
        + get("acceptance", 0.0) * acceptance
        + get("fairness", 0.0) * fairness,
        4,
    )


def breakdown(chosen: Candidate, others: list[Candidate], weights: Mapping[str, float]) -> dict:
    """What the offer row keeps: the pick's parts and the runners-up (for 'why not me')."""
    return {
        "total": chosen.total,
        "parts": chosen.parts,
        "weights": dict(weights),
        "distance_km": chosen.distance_km,
        "price_cents": chosen.price_cents,
        "others": [
            {"operator_id": c.operator_id, "total": c.total, "parts": c.parts} for c in others[:5]
        ],
    }


def _distance_to(uow: UnitOfWork, operator_id: int, lat: float, lon: float) -> dict[int, float]:
    row = uow.session.execute(
        text("select lat, lon from operators where person_id = :id and online"),
        {"id": operator_id},
    ).one_or_none()
    return {} if row is None else {operator_id: haversine_km(lat, lon, row.lat, row.lon)}
