"""`kerbside clock advance` moves a development platform's time in every process (trial defect
13): advanced by the CLI in one process, seen by the web app (an SMS DONE that was too early
goes through) and by a worker's scheduler (an offer's expiry fires) in others."""

import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text

from core.booking import service as bookings
from core.clock import ManualClock
from core.clock_offset import (
    BadDurationError,
    advance,
    parse_duration,
    platform_clock,
    stored_offset,
)
from core.dispatch.model import Offer
from kerbside.app import create_app
from tests.booking_helpers import SANDTON, TWO_PM, catalogue, consumer, operator, outbox_rows
from tests.conftest import ROOT, START
from tests.e2e.live import process_env
from tests.e2e.sms_support import at_sms

OPERATOR = "+27720000001"
SID = "AC" + "0" * 32
REAL_GATEWAY = {"SMS_PROVIDER": "twilio", "TWILIO_ACCOUNT_SID": SID, "TWILIO_AUTH_TOKEN": "t",
                "SECRET_KEY": "k" * 32}  # fmt: skip


def kerbside(platform, *args, **extra_env):
    return subprocess.run(
        [sys.executable, "-m", "kerbside.cli", *args],
        cwd=ROOT,
        env={**process_env(platform), **extra_env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "raw, expected",
    [("90m", timedelta(minutes=90)), ("2h", timedelta(hours=2)), ("1d", timedelta(days=1)),
     ("1d2h30m", timedelta(days=1, hours=2, minutes=30)), ("1D 2H", timedelta(hours=26)),
     ("1w", timedelta(days=7)), ("45s", timedelta(seconds=45))],
)  # fmt: skip
def test_durations(raw, expected):
    assert parse_duration(raw) == expected


@pytest.mark.parametrize("raw", ["", "0m", "2x", "h", "-1d", "1.5h", "2h-30m", "tomorrow"])
def test_what_is_not_a_duration(raw):
    with pytest.raises(BadDurationError):
        parse_duration(raw)


def test_advance_show_and_reset_from_the_cli(platform):
    shown = kerbside(platform, "clock", "advance", "1d2h30m")
    assert shown.returncode == 0, shown.stderr
    assert "offset +1d 2h 30m" in shown.stdout
    assert stored_offset(platform.engine) == timedelta(days=1, hours=2, minutes=30)
    assert kerbside(platform, "clock", "advance", "90m").returncode == 0  # they add up
    assert "offset +1d 4h 0m" in kerbside(platform, "clock", "show").stdout
    assert kerbside(platform, "clock", "reset").returncode == 0
    assert stored_offset(platform.engine) == timedelta(0)

    bad = kerbside(platform, "clock", "advance", "soon")
    assert bad.returncode == 2 and bad.stderr.strip().splitlines() == [
        "kerbside: not a duration such as 90m, 2h, 1d or 1d2h30m: soon"
    ]


def test_a_real_platform_refuses_and_its_clock_ignores_any_offset(platform):
    refused = kerbside(platform, "clock", "advance", "1d", **REAL_GATEWAY)
    assert refused.returncode == 1
    assert refused.stderr.strip().splitlines() == [
        "kerbside: the clock can be moved only on a development platform (every gateway the "
        "console one); this one sends through twilio"
    ]
    assert kerbside(platform, "clock", "reset", **REAL_GATEWAY).returncode == 1
    assert stored_offset(platform.engine) == timedelta(0)

    with platform.uow() as uow:  # an offset left from development days...
        advance(uow.session, platform.settings, timedelta(days=3))
        uow.commit()
    real = platform.settings.replace(sms_provider="twilio", twilio_account_sid=SID)
    clock = platform_clock(real, platform.engine, ManualClock(START))
    assert clock.now() == START  # ...is not read at all on a real platform
    shown = kerbside(platform, "clock", "show", **REAL_GATEWAY)
    assert "offset +0d 0h 0m" in shown.stdout
    assert "stored offset +3d 0h 0m is ignored" in shown.stderr


def test_the_web_app_sees_the_time_the_cli_moved(platform):
    """The evening trial: a job for tomorrow cannot be DONE today; after `clock advance` it can,
    through a real SMS webhook request."""
    catalogue(platform)
    operator_id = operator(platform, 1)
    tomorrow_2pm = TWO_PM + timedelta(days=1)
    uow = platform.uow()
    with uow:
        view = bookings.request_booking(
            uow, consumer(platform), "full_valet", *SANDTON, "Sandton City", tomorrow_2pm,
            idempotency_key="k1",
        )  # fmt: skip
        bookings.accept_offer(uow, operator_id)
        uow.commit()
    # the web process's clock as bootstrap wires it, over a fixed "real" time
    platform.clock = clock = platform_clock(platform.settings, platform.engine, ManualClock(START))
    client = create_app(platform).test_client()

    assert at_sms(client, OPERATOR, f"DONE {view.ref}", token=None).status_code == 200
    assert outbox_rows(platform, "sms.error.too_early")

    moved = kerbside(platform, "clock", "advance", "1d3h30m")  # Thursday 13:30 in Johannesburg
    assert moved.returncode == 0, moved.stderr
    time.sleep(clock.ttl)  # each process reads the offset at most once per ttl
    assert at_sms(client, OPERATOR, f"DONE {view.ref}", token=None).status_code == 200
    [(_, done)] = outbox_rows(platform, "sms.op.done")
    assert done.startswith(f"Job {view.ref} done, thank you.")


def test_the_scheduler_fires_a_job_that_came_due_when_the_clock_moved(platform):
    """An offer made now expires in two minutes; a worker process (real time plus the stored
    offset) fires its expiry only after `clock advance 3m`, without waiting."""
    catalogue(platform)
    operator(platform, 1)
    platform.clock = platform_clock(platform.settings, platform.engine)  # real time
    uow = platform.uow()
    with uow:
        [slot, *_] = bookings.find_slots(uow, "full_valet", *SANDTON)
        bookings.request_booking(uow, consumer(platform), "full_valet", *SANDTON, "Sandton City",
                                 slot.start, idempotency_key="k1")  # fmt: skip
        uow.commit()

    def offer_and_expiry():
        with platform.engine.connect() as conn:
            job = conn.execute(text(
                "select status from scheduled_jobs where kind = 'dispatch.offer_expiry'"
            )).scalar_one()  # fmt: skip
        with platform.session_factory() as session:
            return session.scalars(select(Offer.status)).one(), job

    assert kerbside(platform, "worker", "--burst").returncode == 0
    assert offer_and_expiry() == ("open", "pending")
    started = datetime.now(UTC)
    assert kerbside(platform, "clock", "advance", "3m").returncode == 0
    worked = kerbside(platform, "worker", "--burst")
    assert worked.returncode == 0, worked.stderr
    assert offer_and_expiry() == ("expired", "done")
    assert datetime.now(UTC) - started < timedelta(minutes=1)  # it did not wait the 2 minutes


def test_reading_the_offset_costs_one_query_a_second(platform):
    reads = []

    def read():
        reads.append(1)
        return stored_offset(platform.engine)

    from core.clock import OffsetClock

    clock = OffsetClock(read, ttl=1.0)
    started = time.perf_counter()
    for _ in range(10_000):
        clock.now()
    elapsed = time.perf_counter() - started
    assert len(reads) <= 2  # 10,000 readings of the time, one (or, across a second, two) queries
    assert elapsed / 10_000 < 50e-6, f"{elapsed / 10_000 * 1e6:.1f} us per now()"
