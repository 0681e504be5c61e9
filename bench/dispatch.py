"""Dispatch benchmark: "find and score candidates + create the offer" with 100,000 online
operators in the geo index, on PostgreSQL + Redis.

    python bench/dispatch.py [--operators 100000] [--runs 2000] [--reload] [--database NAME]

Uses DATABASE_URL/REDIS_URL when set, else the embedded servers. It works in its own database
`kerbside_bench` (or `--database`) on that PostgreSQL server (created if absent) and its own
Redis key, so it never touches dev or test data. The 100k operators are loaded once with COPY
and kept; pass --reload to load them again. Prints p50/p95/p99 in ms; it is not a test.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from core.booking import operators as ops  # noqa: E402
from core.booking.cascade import offer_next_operator  # noqa: E402
from core.booking.model import Booking, Service  # noqa: E402
from core.clock import SystemClock  # noqa: E402
from core.db import UnitOfWork  # noqa: E402
from core.settings import Settings  # noqa: E402
from kerbside.bootstrap import bootstrap  # noqa: E402
from kerbside.migrate import upgrade  # noqa: E402
from kerbside.redis_ports import RedisOperatorIndex  # noqa: E402

BENCH_DB = "kerbside_bench"
GEO_KEY = "kerbside:bench:operators:geo"
CITIES = [  # centre, spread in degrees (about 15 km)
    ("Johannesburg", -26.1076, 28.0567, 0.14),
    ("Pretoria", -25.7487, 28.2380, 0.12),
    ("Durban", -29.8500, 31.0000, 0.12),
    ("Cape Town", -33.9350, 18.4130, 0.14),
]
SERVICES = [
    ("exterior_wash", "Exterior wash", 45, 6_000, 20_000),
    ("full_valet", "Full valet", 120, 12_000, 60_000),
]


def bench_settings(database: str = BENCH_DB) -> Settings:
    settings = Settings.from_env()
    if settings.embedded:
        from kerbside import embedded

        settings = embedded.resolve(settings)
    assert settings.database_url is not None
    url = make_url(settings.database_url)
    admin = url.set(drivername="postgresql", database="postgres")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
        exists = conn.execute(
            "select 1 from pg_database where datname = %s", (database,)
        ).fetchone()
        if not exists:
            conn.execute(f'create database "{database}"')
    return settings.replace(
        database_url=url.set(database=database).render_as_string(hide_password=False)
    )


def load(platform, count: int, rng: random.Random) -> None:  # type: ignore[no-untyped-def]
    with platform.engine.begin() as conn:
        conn.execute(
            text(
                "truncate people, operators, services, bookings, offers, capacity_holds, "
                "operator_days, scheduled_jobs, outbox restart identity cascade"
            )
        )
    uow = platform.uow()
    with uow:
        for service in SERVICES:
            ops.upsert_service(uow, *service)
        uow.commit()
    raw = platform.engine.raw_connection()
    try:
        conn = raw.driver_connection
        with conn.cursor() as cur:
            with cur.copy(
                "copy people (id, phone, name, language, is_consumer, is_operator, "
                "marketing_consent, pin_failed_attempts) from stdin"
            ) as copy:
                for n in range(1, count + 1):
                    copy.write_row((n, f"+2760{n:07d}", f"Operator {n}", "en", False, True,
                                    False, 0))  # fmt: skip
                for n in range(count + 1, count + 1001):
                    copy.write_row((n, f"+2761{n:07d}", f"Consumer {n}", "en", True, False,
                                    False, 0))  # fmt: skip
            cur.execute("select setval('people_id_seq', %s)", (count + 1000,))
            with cur.copy(
                "copy operators (person_id, business_name, home_lat, home_lon, radius_km, lat, "
                "lon, online, concurrent_capacity, daily_capacity, offers_received, "
                "offers_accepted) from stdin"
            ) as copy:
                for n in range(1, count + 1):
                    _, lat0, lon0, spread = CITIES[n % len(CITIES)]
                    lat, lon = rng.gauss(lat0, spread / 2), rng.gauss(lon0, spread / 2)
                    seen, took = rng.randint(0, 40), rng.randint(0, 20)
                    copy.write_row((n, f"Wash {n}", lat, lon, 15.0, lat, lon, True,
                                    1 + n % 2, 8, seen, took))  # fmt: skip
            with cur.copy(
                "copy operator_services (operator_id, service_id, price_cents, expertise) "
                "from stdin"
            ) as copy:
                for n in range(1, count + 1):
                    copy.write_row((n, 1, 8_000 + 500 * (n % 10), 1 + n % 5))
                    copy.write_row((n, 2, 15_000 + 500 * (n % 10), 1 + (n + 2) % 5))
            with cur.copy(
                "copy working_hours (operator_id, weekday, opens, closes) from stdin"
            ) as copy:
                for n in range(1, count + 1):
                    for weekday in range(7):
                        copy.write_row((n, weekday, "06:00", "20:00"))
        conn.commit()
    finally:
        raw.close()
    with platform.engine.begin() as conn:
        conn.execute(text("analyze"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--operators", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=2_000)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--reload", action="store_true")
    parser.add_argument("--database", default=BENCH_DB, help="its own database, named *bench*")
    args = parser.parse_args()
    if "bench" not in args.database or not args.database.replace("_", "").isalnum():
        sys.exit("bench/dispatch.py: --database must be a plain name containing 'bench'")

    platform = bootstrap(bench_settings(args.database))
    upgrade(platform.engine)
    index = RedisOperatorIndex(platform.redis, key=GEO_KEY)
    rng = random.Random(7)
    with platform.engine.connect() as conn:
        loaded = conn.execute(text("select count(*) from operators where online")).scalar_one()
    if args.reload or loaded != args.operators:
        started = time.perf_counter()
        load(platform, args.operators, rng)
        print(f"loaded {args.operators} operators in SQL in {time.perf_counter() - started:.1f}s")
    started = time.perf_counter()
    wiring = platform.uow().wiring()
    uow = UnitOfWork(
        **{**wiring, "clock": SystemClock(), "wake_relay": None, "operator_index": index}
    )
    from core.dispatch.index_sync import rebuild_index

    indexed = rebuild_index(uow)
    print(f"indexed {indexed} online operators in Redis in {time.perf_counter() - started:.1f}s")
    with platform.engine.begin() as conn:  # each run starts with free capacity
        conn.execute(text("truncate bookings, offers, capacity_holds, operator_days, "
                          "scheduled_jobs, outbox restart identity cascade"))  # fmt: skip

    tz = platform.settings.tz
    today = datetime.now(tz).date()
    consumers = range(args.operators + 1, args.operators + 1001)
    timings: list[float] = []
    geo_timings: list[float] = []
    cpu_timings: list[float] = []
    offered = 0
    for run in range(args.warmup + args.runs):
        _, lat0, lon0, spread = CITIES[run % len(CITIES)]
        lat, lon = rng.gauss(lat0, spread / 3), rng.gauss(lon0, spread / 3)
        day = today + timedelta(days=1 + run % 7)
        local = datetime(day.year, day.month, day.day, 8 + rng.randrange(0, 18) // 2,
                         30 * (run % 2), tzinfo=tz)  # fmt: skip
        start = local.astimezone(UTC)
        now = datetime.now(UTC)
        with uow:
            booking = Booking(
                ref=f"{run:08d}", status="requested",
                consumer_id=consumers[run % 1000], service_id=2, lat=lat, lon=lon,
                place_name="Bench", start_at=start, end_at=start + timedelta(minutes=120),
                price_cents=20_000, commission_cents=3_000, operator_earn_cents=17_000,
                idempotency_key=f"bench-{run}-{uuid.uuid4()}", offer_attempts=0,
                cancel_fee_cents=0, created_at=now, updated_at=now,
            )  # fmt: skip
            uow.session.add(booking)
            uow.session.flush()
            uow.session.get(Service, 2)  # request_booking has loaded it while validating
            t0, c0 = time.perf_counter(), time.process_time()
            offer = offer_next_operator(uow, booking)
            uow.commit()
            elapsed = (time.perf_counter() - t0) * 1000
            cpu_ms = (time.process_time() - c0) * 1000
        g0 = time.perf_counter()
        index.near(lat, lon, 1.0, 30)
        geo_ms = (time.perf_counter() - g0) * 1000
        if run >= args.warmup:
            timings.append(elapsed)
            cpu_timings.append(cpu_ms)
            geo_timings.append(geo_ms)
            offered += offer is not None

    def pct(values: list[float], p: float) -> float:
        return statistics.quantiles(values, n=1000)[int(p * 10) - 1]

    print(
        f"dispatch (find+score candidates, reserve capacity, create offer+job+SMS, commit) "
        f"over {args.runs} jobs, {indexed} operators indexed, {offered} offered:\n"
        f"  p50 {statistics.median(timings):.2f} ms  p95 {pct(timings, 95):.2f} ms  "
        f"p99 {pct(timings, 99):.2f} ms  max {max(timings):.2f} ms\n"
        f"  of which Python CPU in this process: p50 {statistics.median(cpu_timings):.2f} ms\n"
        f"  GEOSEARCH alone: p50 {statistics.median(geo_timings):.2f} ms  "
        f"p99 {pct(geo_timings, 99):.2f} ms"
    )
    platform.close()


if __name__ == "__main__":
    main()
