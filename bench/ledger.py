"""Ledger benchmark: posting throughput beside pgbench's TPC-B, and reconcile over 1M lines.

    python bench/ledger.py [--clients 8] [--seconds 20] [--lines 1000000]

Uses DATABASE_URL's server (or the embedded one) but its own database `kerbside_bench_ledger`
(rebuilt from the migrations on every run). It is not a test.

1. 8 processes each post cash booking-completion entries (4 lines: cash held, operator
   payable, commission, VAT) through `core.ledger.posting.post_entry`, one transaction each,
   for `--seconds`; prints entries/s.
2. pgbench TPC-B (`pgbench -i -s 8`, then 8 clients for the same time) on the same server, in
   the same database; prints its transactions/s and our ratio to it.
3. Loads completed cash bookings with their entries (7 lines a booking) in bulk up to
   `--lines` lines and times `reconcile` over them.
"""

from __future__ import annotations

import argparse
import glob
import multiprocessing
import random
import re
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from core.ledger import rules  # noqa: E402
from core.ledger.posting import post_entry  # noqa: E402
from core.ledger.reconcile import reconcile  # noqa: E402
from core.settings import Settings  # noqa: E402
from kerbside.bootstrap import bootstrap  # noqa: E402
from kerbside.migrate import upgrade  # noqa: E402

BENCH_DB = "kerbside_bench_ledger"
OPERATORS = 1_000


def bench_settings(fresh: bool) -> Settings:
    settings = Settings.from_env()
    if settings.embedded:
        from kerbside import embedded

        settings = embedded.resolve(settings)
    assert settings.database_url is not None
    url = make_url(settings.database_url)
    admin = url.set(drivername="postgresql", database="postgres")
    if fresh:
        with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as c:
            c.execute(f'drop database if exists "{BENCH_DB}" with (force)')
            c.execute(f'create database "{BENCH_DB}"')
    return settings.replace(
        database_url=url.set(database=BENCH_DB).render_as_string(hide_password=False)
    )


def _client(seed: int, seconds: float, ready, counts) -> None:  # type: ignore[no-untyped-def]
    """One client: connect, wait for the others, then post completions for `seconds`."""
    platform = bootstrap(bench_settings(fresh=False))
    rng = random.Random(seed)
    with platform.engine.connect():
        pass
    ready.wait()
    deadline, posted = time.time() + seconds, 0
    while time.time() < deadline:
        operator = rng.randint(1, OPERATORS)
        lines = rules.cash_completion_lines(operator, rules.Split(15_900, 13_515, 2_385))
        uow = platform.uow()
        with uow:
            post_entry(uow, key=f"bench:{seed}:{posted}", kind="bench_completion", lines=lines)
            uow.commit()
        posted += 1
    counts.put(posted)
    platform.close()


def posting_rate(clients: int, seconds: float) -> float:
    ctx = multiprocessing.get_context("spawn")
    ready, counts = ctx.Barrier(clients), ctx.Queue()
    workers = [
        ctx.Process(target=_client, args=(n, seconds, ready, counts)) for n in range(clients)
    ]
    for w in workers:
        w.start()
    total = sum(counts.get() for _ in workers)
    for w in workers:
        w.join()
    return total / seconds


def pgbench_tps(settings: Settings, clients: int, seconds: float) -> float:
    [pgbench, *_] = sorted(glob.glob("/usr/lib/postgresql/*/bin/pgbench"), reverse=True)
    url = make_url(settings.database_url or "")
    conn = ["-h", url.host or url.query.get("host", "127.0.0.1"), "-p", str(url.port or 5432),
            "-U", url.username or "postgres", BENCH_DB]  # fmt: skip
    subprocess.run([pgbench, "-i", "-q", "-s", "8", *conn], check=True, capture_output=True)
    out = subprocess.run(
        [pgbench, "-n", "-c", str(clients), "-j", "2", "-T", str(int(seconds)), *conn],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    match = re.search(r"tps = ([\d.]+)", out)
    assert match, out
    return float(match.group(1))


BULK = [
    "insert into people (id, phone, name, language, is_consumer, is_operator, "
    "marketing_consent, pin_failed_attempts) select n, '+2760' || lpad(n::text, 7, '0'), "
    "'Bench ' || n, 'en', n = 0, n > 0, false, 0 from generate_series(0, :ops) n",
    "insert into operators (person_id, business_name, home_lat, home_lon, radius_km, lat, lon, "
    "online, concurrent_capacity, daily_capacity, offers_received, offers_accepted) "
    "select n, 'W', -26, 28, 15, -26, 28, true, 1, 8, 0, 0 from generate_series(1, :ops) n",
    "insert into services (id, code, name, duration_minutes, min_price_cents, max_price_cents, "
    "active) "
    "values (1, 'full_valet', 'Full valet', 120, 12000, 60000, true)",
    "insert into bookings (id, ref, status, consumer_id, service_id, operator_id, lat, lon, "
    "place_name, start_at, end_at, price_cents, commission_cents, operator_earn_cents, "
    "payment_method, idempotency_key, offer_attempts, cancel_fee_cents, completed_at, "
    "created_at, updated_at) select n, 'B' || n, 'completed', 0, 1, 1 + n % :ops, -26, 28, "
    "'Sandton', now(), now(), 15900, 2385, 13515, 'cash', 'b' || n, 1, 0, now(), now(), now() "
    "from generate_series(1, :bookings) n",
    "alter table ledger_entries disable trigger user",
    "alter table ledger_lines disable trigger user",
    "insert into ledger_entries (id, idempotency_key, kind, booking_id, digest, posted_at) "
    "select 2 * n - 1 + k, 'booking:' || n || ':' || kind, kind, n, '', now() "
    "from generate_series(1, :bookings) n, generate_series(0, 1) k, "
    "lateral (select (array['cash_completion', 'cash_netting'])[k + 1] as kind) x",
    "insert into ledger_lines (entry_id, account_id, currency, phase, amount, posted_at) "
    "select e.id, a.id, 'ZAR', 'posted', v.amount, e.posted_at from ledger_entries e "
    "join bookings b on b.id = e.booking_id cross join lateral (values "
    " ('cash_completion', 'operator:' || b.operator_id || ':' || 'cash_held', 15900),"
    " ('cash_completion', 'operator:' || b.operator_id || ':' || 'payable', -13515),"
    " ('cash_completion', 'platform:commission', -2074),"
    " ('cash_completion', 'platform:vat', -311),"
    " ('cash_netting', 'operator:' || b.operator_id || ':' || 'cash_held', -15900),"
    " ('cash_netting', 'operator:' || b.operator_id || ':' || 'payable', 13515),"
    " ('cash_netting', 'operator:' || b.operator_id || ':' || 'receivable', 2385)"
    ") as v(kind, code, amount) join ledger_accounts a on a.code = v.code "
    "where v.kind = e.kind",
    "select setval('ledger_entries_id_seq', (select max(id) from ledger_entries))",
    "alter table ledger_entries enable trigger user",
    "alter table ledger_lines enable trigger user",
    "analyze",
]


def load_lines(platform, lines: int) -> int:  # type: ignore[no-untyped-def]
    with platform.engine.begin() as conn:
        conn.execute(text("truncate ledger_lines, ledger_entries, ledger_accounts cascade"))
        conn.execute(text(
            "insert into ledger_accounts (code, owner_kind, owner_id, purpose, currency) "
            "select 'operator:' || n || ':' || p, 'operator', n, p, 'ZAR' "
            "from generate_series(1, :ops) n, unnest(array['cash_held','payable','receivable']) p "
            "union all select 'platform:' || p, 'platform', null, p, 'ZAR' "
            "from unnest(array['commission','vat']) p"), {"ops": OPERATORS})  # fmt: skip
        for statement in BULK:
            conn.execute(text(statement), {"ops": OPERATORS, "bookings": lines // 7})
        return int(conn.execute(text("select count(*) from ledger_lines")).scalar_one())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--lines", type=int, default=1_000_000)
    args = parser.parse_args()
    settings = bench_settings(fresh=True)
    platform = bootstrap(settings)
    upgrade(platform.engine)
    rate = posting_rate(args.clients, args.seconds)
    print(f"ledger: {rate:.0f} entries/s (4 lines each), {args.clients} clients, "
          f"{args.seconds:.0f} s")  # fmt: skip
    tps = pgbench_tps(settings, args.clients, args.seconds)
    print(f"pgbench TPC-B: {tps:.0f} tps, {args.clients} clients; ledger/pgbench {rate / tps:.0%}")
    count = load_lines(platform, args.lines)
    started = time.perf_counter()
    with platform.uow() as uow:
        breaches = [b for _, b in reconcile(uow) if b is not None]
    took = time.perf_counter() - started
    print(f"reconcile over {count:,} lines: {took:.1f} s, {len(breaches)} breaches "
          f"{[str(b) for b in breaches][:1]}")  # fmt: skip
    platform.close()


if __name__ == "__main__":
    main()
