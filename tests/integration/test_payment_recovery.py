"""A relay killed between the provider's answer and its own commit: recovered with no double
charge (issue 10). The relay is a real process, delivering a `payment` row against the local
Paystack; it is SIGKILLed once Paystack has charged the card and before the row's transaction
commits. Once the lease runs out the row is delivered again with the same reference."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from core.ledger.reconcile import reconcile
from core.outbox import relay
from core.payments.model import PaymentMethod
from tests.conftest import ROOT
from tests.integration.test_paystack_payments import fake, linked, paystack, post, start, web
from tests.payments_support import booked, event_types, payment, run_payment_calls

__all__ = ["fake", "paystack", "web"]  # the fixtures, shared with the Paystack tests

RELAY_SCRIPT = """
import time
from core.payments import delivery
from core.settings import Settings
from kerbside.bootstrap import bootstrap
from workers.jobs import deliver_outbox

settings = Settings.from_env().replace(
    database_url={database_url!r},
    redis_url={redis_url!r},
    payment_provider="paystack",
    paystack_secret_key={secret!r},
    paystack_api_base_url={base_url!r},
    public_base_url="https://kerbside.example",
)
platform = bootstrap(settings)
perform = delivery.perform

def answered_then_stalled(provider, call):
    outcome = perform(provider, call)  # Paystack has charged the card...
    time.sleep(120)  # ...and this relay dies before its transaction commits
    return outcome

delivery.perform = answered_then_stalled
deliver_outbox(platform)
"""


def _outbox(platform) -> list[tuple[str, str, int]]:  # type: ignore[no-untyped-def]
    with platform.engine.connect() as conn:
        found = conn.execute(
            text(
                "select idempotency_key, status, attempts from outbox where kind = 'payment'"
                " order by id"
            )  # fmt: skip
        )
        return [tuple(row) for row in found]


def test_a_relay_killed_after_the_charge_is_recovered_with_one_charge(paystack, fake, web, clock):
    first, reference, person_id = linked(paystack, fake)
    post(web, fake, fake.pay(reference))  # the first link paid: a saved card
    card_id = payment(paystack, first).card_id
    booking_id, _ = booked(paystack, 2)
    second, second_ref = start(
        paystack, booking_id, person_id, PaymentMethod.SAVED_CARD, card_id=card_id
    )
    clock.set(datetime.now(UTC))  # the relay process runs on the real clock
    script = RELAY_SCRIPT.format(
        database_url=paystack.settings.database_url,
        redis_url=paystack.settings.redis_url,
        secret=paystack.settings.paystack_secret_key,
        base_url=fake.url,
    )
    process = subprocess.Popen([sys.executable, "-c", textwrap.dedent(script)], cwd=ROOT)
    try:
        deadline = time.monotonic() + 60
        while second_ref not in fake.charges:
            assert process.poll() is None, "the relay ended before it could be killed"
            assert time.monotonic() < deadline, "the relay never charged the card"
            time.sleep(0.02)
        time.sleep(0.2)  # the answer is back in the relay, not committed
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    assert payment(paystack, second).status == "pending"  # nothing of the answer was kept
    [(key, status, _)] = [row for row in _outbox(paystack) if second_ref in row[0]]
    assert status == "pending"

    clock.set(datetime.now(UTC) + relay.LEASE + timedelta(seconds=1))  # the lease runs out
    assert run_payment_calls(paystack) == ["sent"]
    charges = [c for c in fake.calls if c[1] == "/transaction/charge_authorization"]
    assert [c[2]["reference"] for c in charges] == [second_ref, second_ref]  # the same key
    assert fake.charges.count(second_ref) == 1  # charged once
    assert fake.calls[-1][1] == f"/transaction/verify/{second_ref}"  # the retry looked it up
    paid = payment(paystack, second)
    assert (paid.status, paid.captured_cents) == ("captured", 15_900)
    assert event_types(paystack, second).count("payment.captured") == 1
    assert run_payment_calls(paystack) == []  # nothing left to call
    with paystack.uow() as uow:
        assert [str(b) for _, b in reconcile(uow) if b is not None] == []
