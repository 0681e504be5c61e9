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
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from core.ledger.reconcile import reconcile
from core.outbox import relay
from core.payments.model import PaymentMethod
from kerbside.app import create_app
from tests.conftest import ROOT
from tests.integration.test_paystack_payments import fake, linked, paystack, post, start, web
from tests.integration.test_stripe_payments import (
    authorised,
    front,
    localstripe_port,
    stripe_platform,
)
from tests.payments_support import booked, event_types, payment, run_payment_calls

__all__ = ["fake", "front", "localstripe_port", "paystack", "stripe_platform", "web"]  # fixtures

RELAY_SCRIPT = """
import time
from core.payments import delivery
from core.settings import Settings
from kerbside.bootstrap import bootstrap
from workers.jobs import deliver_outbox

settings = Settings.from_env().replace(**{settings!r})
platform = bootstrap(settings)
perform = delivery.perform

def answered_then_stalled(provider, call):
    outcome = perform(provider, call)  # the provider has charged the card...
    time.sleep(120)  # ...and this relay dies before its transaction commits
    return outcome

delivery.perform = answered_then_stalled
deliver_outbox(platform)
"""


def kill_relay_after(platform, clock, answered: Callable[[], bool]) -> None:  # type: ignore[no-untyped-def]
    """Run a relay process on `platform`'s settings; SIGKILL it once `answered()`; then let the
    lease run out (the relay process runs on the real clock)."""
    clock.set(datetime.now(UTC))
    fields = ("payment_provider", "paystack_secret_key", "paystack_api_base_url",
              "stripe_secret_key", "stripe_webhook_secret", "stripe_api_base_url",
              "public_base_url", "database_url", "redis_url")  # fmt: skip
    settings = {name: getattr(platform.settings, name) for name in fields}
    script = RELAY_SCRIPT.format(settings=settings)
    process = subprocess.Popen([sys.executable, "-c", textwrap.dedent(script)], cwd=ROOT)
    try:
        deadline = time.monotonic() + 60
        while not answered():
            assert process.poll() is None, "the relay ended before it could be killed"
            assert time.monotonic() < deadline, "the provider never answered"
            time.sleep(0.02)
        time.sleep(0.2)  # the answer is back in the relay, not committed
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    clock.set(datetime.now(UTC) + relay.LEASE + timedelta(seconds=1))


def ledger_breaches(platform) -> list[str]:  # type: ignore[no-untyped-def]
    with platform.uow() as uow:
        return [str(b) for _, b in reconcile(uow) if b is not None]


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
    kill_relay_after(paystack, clock, lambda: second_ref in fake.charges)
    assert payment(paystack, second).status == "pending"  # nothing of the answer was kept
    [(key, status, _)] = [row for row in _outbox(paystack) if second_ref in row[0]]
    assert status == "pending"

    assert run_payment_calls(paystack) == ["sent"]
    charges = [c for c in fake.calls if c[1] == "/transaction/charge_authorization"]
    assert [c[2]["reference"] for c in charges] == [second_ref, second_ref]  # the same key
    assert fake.charges.count(second_ref) == 1  # charged once
    assert fake.calls[-1][1] == f"/transaction/verify/{second_ref}"  # the retry looked it up
    paid = payment(paystack, second)
    assert (paid.status, paid.captured_cents) == ("captured", 15_900)
    assert event_types(paystack, second).count("payment.captured") == 1
    assert run_payment_calls(paystack) == []  # nothing left to call
    assert ledger_breaches(paystack) == []


def test_a_relay_killed_after_stripe_authorised_is_recovered_with_one_intent(
    stripe_platform, front, clock
):
    first, _ = authorised(stripe_platform, front, create_app(stripe_platform).test_client())
    card_id = payment(stripe_platform, first).card_id
    booking_id, _ = booked(stripe_platform, 2)
    person_id = payment(stripe_platform, first).person_id
    second, second_ref = start(
        stripe_platform, booking_id, person_id, PaymentMethod.SAVED_CARD, card_id=card_id
    )
    key = f"{second_ref}.charge_card"
    kill_relay_after(stripe_platform, clock, lambda: ("/v1/payment_intents", key) in front.answered)
    assert payment(stripe_platform, second).status == "pending"

    assert run_payment_calls(stripe_platform) == ["sent"]
    sent = [k for method, path, k in front.idempotency_keys if path == "/v1/payment_intents"]
    assert sent == [key, key]  # the same Idempotency-Key: Stripe answers as the first time
    intents = [i.to_dict() for i in front.sdk.v1.payment_intents.list().data]
    assert [i["id"] for i in intents if i["metadata"].get("payment_reference") == second_ref] == [
        payment(stripe_platform, second).provider_payment_id
    ]  # one authorisation on the card
    assert payment(stripe_platform, second).status == "authorised"
    assert event_types(stripe_platform, second).count("payment.authorised") == 1
    assert ledger_breaches(stripe_platform) == []
