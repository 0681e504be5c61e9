"""A general outbox: every row has a kind, each kind its deliverer, and a relay killed mid-batch
still delivers every row exactly once."""

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from datetime import UTC, datetime

from sqlalchemy import func, select

from channels.sms.console import ConsoleInbox
from core.notify.service import send_sms
from core.outbox import relay
from core.outbox.model import OutboxMessage
from core.outbox.ports import Accepted, Handed
from core.outbox.service import enqueue
from core.outbox.sms import SmsDeliverer
from tests.conftest import ROOT
from workers import scheduler
from workers.jobs import deliver_outbox


class _Recorder:
    """A deliverer of a second kind, as a payment or push deliverer will be."""

    concurrency, batch = 2, 50

    def __init__(self):
        self.calls = []

    def deliver(self, uow, message):
        self.calls.append((message.idempotency_key, message.payload))
        return Handed("dummy", f"dummy-{message.id}", status="delivered")


def _inbox(platform):
    with platform.session_factory() as session:
        return session.execute(select(ConsoleInbox.recipient, ConsoleInbox.body)).all()


def _row(platform, row_id):
    with platform.session_factory() as session:
        return session.get(OutboxMessage, row_id)


def test_a_second_kind_goes_to_its_own_deliverer_and_never_out_as_an_sms(
    platform, uow, monkeypatch
):
    dummy = _Recorder()
    monkeypatch.setitem(platform.deliverers, "test.dummy", dummy)
    with uow:
        call_id = enqueue(
            uow, "test.dummy", {"booking_id": 42, "amount_cents": 15_000}, key="dummy:booking-42"
        )
        again = enqueue(uow, "test.dummy", {"booking_id": 42}, key="dummy:booking-42")
        send_sms(uow, "+27825550001", "generic", {"text": "Booked K7Q4"}, key="sms-1")
        uow.commit()
    assert again is None  # the same key queues one call
    assert deliver_outbox(platform) == 2
    assert dummy.calls == [("dummy:booking-42", {"booking_id": 42, "amount_cents": 15_000})]
    assert _inbox(platform) == [("+27825550001", "Booked K7Q4")]
    row = _row(platform, call_id)
    assert (row.kind, row.status, row.provider, row.provider_message_id) == (
        "test.dummy",
        "delivered",
        "dummy",
        f"dummy-{call_id}",
    )
    assert deliver_outbox(platform) == 0 and len(dummy.calls) == 1


def test_a_row_of_a_kind_nobody_delivers_waits_and_is_never_sent_as_an_sms(platform, uow):
    with uow:
        push_id = enqueue(
            uow, "push", {"title": "Your wash is booked"}, key="push-1", recipient="+27825550001"
        )
        uow.commit()
    assert deliver_outbox(platform) == 0
    assert _inbox(platform) == []
    row = _row(platform, push_id)
    assert (row.status, row.attempts) == ("pending", 0)
    assert scheduler.tick(platform)["outbox_due"] == 0  # no relay is woken for it


class _SlowGateway:
    """Counts sends in flight: the relay must overlap them, never beyond its pool."""

    name = "twilio"

    def __init__(self):
        self.lock = threading.Lock()
        self.in_flight = self.most = 0
        self.order = []

    def send(self, to, body, key):
        with self.lock:
            self.in_flight += 1
            self.most = max(self.most, self.in_flight)
            self.order.append((to, body))
        time.sleep(0.05)
        with self.lock:
            self.in_flight -= 1
        return Accepted(f"tw-{key}")


def test_sends_overlap_within_the_pool_and_one_phone_gets_its_messages_in_order(platform, uow):
    with uow:
        for n in range(12):
            send_sms(uow, f"+2782555{n:04d}", "generic", {"text": f"hello {n}"}, key=f"p-{n}")
        for n in range(4):
            send_sms(uow, "+27825559999", "generic", {"text": f"step {n}"}, key=f"s-{n}")
        uow.commit()
    gateway = _SlowGateway()
    deliverer = SmsDeliverer([gateway], concurrency=4)
    assert relay.deliver_due(platform.uow(), {"sms": deliverer}) == 16
    assert 2 <= gateway.most <= 4
    same_phone = [body for to, body in gateway.order if to == "+27825559999"]
    assert same_phone == ["step 0", "step 1", "step 2", "step 3"]


def test_a_claim_whose_lease_ran_out_sends_nothing(platform, clock, uow):
    """Exactly one send per claim: a relay slower than its lease finds the row claimed again by
    another relay and leaves it alone."""
    with uow:
        send_sms(uow, "+27825550003", "generic", {"text": "On my way"}, key="otw-1")
        uow.commit()
    stale = relay.claim_due(platform.uow(), limit=10)
    clock.advance(seconds=relay.LEASE.total_seconds() + 1)
    fresh = relay.claim_due(platform.uow(), limit=10)
    deliverer = platform.deliverers["sms"]
    assert relay.deliver_claimed(platform.uow(), deliverer, stale) == 0
    assert relay.deliver_claimed(platform.uow(), deliverer, fresh) == 1
    assert _inbox(platform) == [("+27825550003", "On my way")]


RELAY_SCRIPT = """
import time
from core.settings import Settings
from kerbside.bootstrap import bootstrap
from workers.jobs import deliver_outbox

settings = Settings.from_env().replace(
    database_url={database_url!r}, redis_url={redis_url!r}, sms_send_concurrency=4
)
platform = bootstrap(settings)
console = platform.gateways[0]
hand_over = console.send

def send_then_pause(to, body, key):
    accepted = hand_over(to, body, key)  # the console has it...
    time.sleep(0.03)  # ...and the relay has not recorded it yet
    return accepted

console.send = send_then_pause
while deliver_outbox(platform, limit=50):
    pass
"""


def test_relay_killed_mid_batch_delivers_each_row_exactly_once(platform, clock, uow):
    """A real relay process sending 4 at a time is killed with SIGKILL part-way through; once
    the lease runs out another relay finishes the batch. The console gateway holds every
    message once, and every row records the hand-over the console kept."""
    clock.set(datetime.now(UTC))  # the relay process runs on the real clock
    total = 300
    with uow:
        for n in range(total):
            send_sms(uow, f"+2782{n:07d}", "generic", {"text": f"Job {n}"}, key=f"kill-{n}")
        uow.commit()
    script = RELAY_SCRIPT.format(
        database_url=platform.settings.database_url, redis_url=platform.settings.redis_url
    )
    process = subprocess.Popen([sys.executable, "-c", textwrap.dedent(script)], cwd=ROOT)
    try:
        deadline = time.monotonic() + 60
        while len(_inbox(platform)) < 40:
            assert process.poll() is None, "the relay ended before it could be killed"
            assert time.monotonic() < deadline, "the relay sent nothing"
            time.sleep(0.02)
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    assert len(_inbox(platform)) < total  # killed mid-batch

    clock.set(datetime.now(UTC) + relay.LEASE)
    while deliver_outbox(platform):
        pass
    with platform.session_factory() as session:
        inbox = dict(session.execute(select(ConsoleInbox.idempotency_key, ConsoleInbox.id)).all())
        rows = session.execute(
            select(
                OutboxMessage.idempotency_key,
                OutboxMessage.status,
                OutboxMessage.provider_message_id,
            )
        ).all()
        assert session.scalar(select(func.count()).select_from(ConsoleInbox)) == total
    assert len(inbox) == total
    assert {status for _, status, _ in rows} == {"delivered"}
    assert all(provider_id == f"console-{inbox[key]}" for key, _, provider_id in rows)
