"""SMS benchmark: inbound webhook handling rate and outbox relay throughput.

Runs against the PostgreSQL and Redis in DATABASE_URL / REDIS_URL (the database name must contain
`test` or `bench`: its tables are emptied) and local fake provider servers; never the internet.

    DATABASE_URL=... REDIS_URL=... python -m bench.sms [--inbound 1000] [--outbound 1000]

Prints: inbound webhooks per second and p50/p99 latency (signed Twilio requests through the Flask
app, each one a keyword processed and its reply written to the outbox), then relay throughput
through the official Twilio and Africa's Talking SDKs to the fake servers over HTTP. For the
relay the fakes run in a process of their own, as a real gateway would: in the relay's process
they would compete with it for the interpreter lock.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator

from sqlalchemy import text

from core.notify.service import send_sms
from core.settings import Settings
from kerbside.app import create_app
from kerbside.bootstrap import Platform, bootstrap
from kerbside.migrate import upgrade
from kerbside.models import metadata
from tests.e2e.sms_support import twilio_sms
from tests.fakes.fixtures import (
    AT_KEY,
    AT_SENDER,
    AT_TOKEN,
    TWILIO_FROM,
    TWILIO_SID,
    TWILIO_TOKEN,
)  # fmt: skip
from tests.fakes.providers import FakeAfricasTalking, FakeTwilio
from workers.jobs import deliver_outbox


def _platform(base: Platform, twilio_url: str, at_url: str, primary: str) -> Platform:
    settings = base.settings.replace(
        public_base_url="https://kerbside.example",
        sms_provider=primary,
        sms_fallback_provider=None,
        twilio_account_sid=TWILIO_SID, twilio_auth_token=TWILIO_TOKEN,
        twilio_from_number=TWILIO_FROM, twilio_api_base_url=twilio_url,
        at_username="kerbside", at_api_key=AT_KEY, at_sender_id=AT_SENDER,
        at_api_base_url=at_url, at_webhook_token=AT_TOKEN,
        sms_rate_per_second=0.0, inbound_per_minute=1_000_000,
    )  # fmt: skip
    return Platform(settings, base.engine, base.redis, base.clock)


def _empty(platform: Platform) -> None:
    tables = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    with platform.engine.begin() as conn:
        conn.execute(text(f"truncate {tables} restart identity cascade"))
    platform.redis.flushdb()


def bench_inbound(platform: Platform, count: int) -> None:
    client = create_app(platform).test_client()
    words = ["HELP", "STATUS", "POINTS", "LANG ZU", "hello there"]
    for n in range(20):  # warm up
        twilio_sms(client, f"+2783{n:07d}", "HELP")
    latencies = []
    started = time.perf_counter()
    for n in range(count):
        t0 = time.perf_counter()
        response = twilio_sms(client, f"+2784{n:07d}", words[n % len(words)])
        latencies.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, response.data
    elapsed = time.perf_counter() - started
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99) - 1]
    print(
        f"inbound webhooks (twilio, signed, keyword + outbox reply): {count} in {elapsed:.2f}s "
        f"= {count / elapsed:.0f} msg/s, p50 {statistics.median(latencies):.1f} ms, "
        f"p99 {p99:.1f} ms"
    )


def serve_fakes() -> None:
    """`--serve-fakes`: both fake gateways until stdin closes, then print what each received."""
    with (
        FakeTwilio(TWILIO_SID, TWILIO_TOKEN) as twilio,
        FakeAfricasTalking("kerbside", AT_KEY) as at,
    ):
        print(twilio.url, at.url, flush=True)
        sys.stdin.read()
        print(len(twilio.received), len(at.received), flush=True)


@contextlib.contextmanager
def fakes_elsewhere() -> Iterator[tuple[str, str, list[int]]]:
    """The fake gateways in a process of their own; `received` is filled in when they stop."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.sms", "--serve-fakes"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert process.stdout is not None
    twilio_url, at_url = process.stdout.readline().split()
    received: list[int] = []
    try:
        yield twilio_url, at_url, received
    finally:
        out, _ = process.communicate("", timeout=30)
        received.extend(int(n) for n in out.split())


def bench_relay(platform: Platform, count: int) -> int:
    uow = platform.uow()
    with uow:
        for n in range(count):
            send_sms(uow, f"+2785{n:07d}", "generic", {"text": f"Booking {n} confirmed"},
                     key=f"bench-{platform.settings.sms_provider}-{n}")  # fmt: skip
        uow.commit()
    started = time.perf_counter()
    sent = 0
    while sent < count:
        handed = deliver_outbox(platform, limit=200)
        if handed == 0:
            break
        sent += handed
    elapsed = time.perf_counter() - started
    print(
        f"outbox relay via {platform.settings.sms_provider} SDK -> local fake: {sent} in "
        f"{elapsed:.2f}s = {sent / elapsed:.0f} msg/s (one relay process, "
        f"{platform.settings.sms_send_concurrency} sends in flight, no rate limit)"
    )
    return sent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--inbound", type=int, default=1000)
    parser.add_argument("--outbound", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=8, help="SMS_SEND_CONCURRENCY")
    parser.add_argument("--serve-fakes", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_fakes:
        return serve_fakes()
    settings = Settings.from_env().replace(log_json=False, sms_send_concurrency=args.concurrency)
    base = bootstrap(settings)
    database = base.engine.url.database or ""
    if "test" not in database and "bench" not in database:
        sys.exit(f"refusing to empty database {database!r}: use one named *test* or *bench*")
    upgrade(base.engine)
    print(f"machine: {os.cpu_count()} cores; database {database}; "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")  # fmt: skip
    with (
        FakeTwilio(TWILIO_SID, TWILIO_TOKEN) as twilio,
        FakeAfricasTalking("kerbside", AT_KEY) as at,
    ):
        _empty(base)
        bench_inbound(_platform(base, twilio.url, at.url, "twilio"), args.inbound)
    with fakes_elsewhere() as (twilio_url, at_url, received):
        sent = []
        for provider in ("twilio", "africastalking"):
            _empty(base)
            sent.append(bench_relay(_platform(base, twilio_url, at_url, provider), args.outbound))
    assert received == sent, f"the fakes received {received}, the relay handed over {sent}"
    base.close()


if __name__ == "__main__":
    main()
