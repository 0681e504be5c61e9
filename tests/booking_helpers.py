"""Builders for booking tests: a catalogue, operators with hours, consumers (real SQL)."""

from __future__ import annotations

from datetime import UTC, datetime, time

from sqlalchemy import func, select, text

from core.accounts.model import Person
from core.booking import operators as ops
from kerbside.bootstrap import Platform

SANDTON = (-26.1076, 28.0567)
ROSEBANK = (-26.1457, 28.0417)
CAPE_TOWN = (-33.9150, 18.3860)
# 2026-11-25 is a Wednesday; 08:00 UTC is 10:00 in Johannesburg.
TWO_PM = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def catalogue(platform: Platform) -> None:
    uow = platform.uow()
    with uow:
        ops.upsert_service(uow, "full_valet", "Full valet", 120, 12_000, 60_000)
        ops.upsert_service(uow, "exterior_wash", "Exterior wash", 45, 6_000, 20_000)
        uow.commit()


def person(platform: Platform, phone: str, name: str, language: str = "en") -> int:
    uow = platform.uow()
    with uow:
        p = Person(phone=phone, name=name, language=language)
        uow.add(p)
        uow.session.flush()
        uow.commit()
        return p.id


def operator(
    platform: Platform,
    n: int,
    at: tuple[float, float] = SANDTON,
    *,
    price: int = 15_900,
    concurrent: int = 1,
    daily: int = 8,
    expertise: int = 3,
    online: bool = True,
    services: tuple[str, ...] = ("full_valet", "exterior_wash"),
) -> int:
    person_id = person(platform, f"+2772{n:07d}", f"Operator {n}")
    uow = platform.uow()
    with uow:
        ops.register_operator(uow, person_id, f"Wash {n}", at[0], at[1], radius_km=20,
                              concurrent=concurrent, daily=daily)  # fmt: skip
        for code in services:
            low = 6_000 if code == "exterior_wash" else 12_000
            ops.set_service_price(uow, person_id, code, max(price, low) if code != "exterior_wash"
                                  else 8_000, expertise=expertise)  # fmt: skip
        for weekday in range(7):
            ops.set_working_hours(uow, person_id, weekday, time(7, 0), time(19, 0))
        ops.set_online(uow, person_id, online)
        uow.commit()
    return person_id


def consumer(platform: Platform, n: int = 1, language: str = "en") -> int:
    return person(platform, f"+2782{n:07d}", f"Consumer {n}", language)


def table_counts(platform: Platform) -> dict[str, int]:
    from kerbside.models import metadata

    with platform.engine.connect() as conn:
        return {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in metadata.sorted_tables
        }


def outbox_rows(platform: Platform, template: str | None = None) -> list[tuple[str, str]]:
    sql = "select template, body from outbox"
    params = {}
    if template:
        sql += " where template = :t"
        params["t"] = template
    with platform.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql + " order by id"), params)]


def book_at_sandton(
    platform: Platform, consumer_id: int, key: str, start: datetime = TWO_PM
) -> str:
    """A full valet at Sandton City through the booking API; returns its ref."""
    from core.booking import service as bookings

    uow = platform.uow()
    with uow:
        view = bookings.request_booking(
            uow, consumer_id, "full_valet", *SANDTON, "Sandton City", start, idempotency_key=key
        )
        uow.commit()
    return view.ref


def wide(platform: Platform, connections: int) -> Platform:
    """The same servers and clock with a pool of `connections` real connections (races)."""
    from sqlalchemy import create_engine

    assert platform.settings.database_url is not None
    engine = create_engine(platform.settings.database_url, pool_size=connections, max_overflow=0)
    return Platform(platform.settings, engine, platform.redis, platform.clock)
