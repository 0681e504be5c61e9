"""`kerbside payments sync` and its scheduled job ask the provider about payments left uncertain
(issue 10): a webhook that never arrived is recovered, applied by the webhook's own rules."""

from __future__ import annotations

from datetime import timedelta

from click.testing import CliRunner
from sqlalchemy import text

from core.payments import sync
from kerbside.cli import main
from tests.integration.test_card_link_booking import booked_by_link, run_due_jobs, status_and_holds
from tests.integration.test_paystack_payments import fake, linked, paystack, post, web
from tests.payments_support import event_types, payment, run_payment_calls

__all__ = ["fake", "paystack", "web"]  # fixtures


def test_a_lost_webhook_is_recovered_by_the_scheduled_sync_and_the_job_dispatched(
    paystack, fake, clock
):
    ref, booking_id, payment_id, who, op = booked_by_link(paystack)
    reference = payment(paystack, payment_id).reference
    fake.pay(reference)  # the customer paid; Paystack's webhook never reaches us
    assert status_and_holds(paystack, booking_id) == ("requested", 1, 0)

    clock.advance(seconds=sync.EVERY.total_seconds())  # within the link's 15 minutes
    assert "done" in run_due_jobs(paystack)  # the sync asks about the payment
    assert run_payment_calls(paystack) == ["sent"]
    assert fake.calls[-1][1] == f"/transaction/verify/{reference}"
    paid = payment(paystack, payment_id)
    assert (paid.status, paid.captured_cents) == ("captured", 15_900)
    assert status_and_holds(paystack, booking_id) == ("offered", 1, 1)  # offered at last
    assert event_types(paystack, payment_id).count("payment.captured") == 1

    with paystack.uow() as uow:
        assert sync.uncertain(uow, quiet=timedelta(0)) == []  # nothing left to ask about


def test_a_recent_or_settled_payment_is_not_asked_about(paystack, fake, web, clock):
    payment_id, reference, _ = linked(paystack, fake)
    with paystack.uow() as uow:
        assert sync.request_lookups(uow) == 0  # just made: its webhook may still come
    clock.advance(seconds=sync.QUIET.total_seconds())
    post(web, fake, fake.pay(reference))  # told by webhook
    clock.advance(seconds=sync.QUIET.total_seconds())
    with paystack.uow() as uow:
        assert sync.request_lookups(uow) == 0  # captured: nothing uncertain
    assert payment(paystack, payment_id).status == "captured"


def test_payments_sync_command_asks_paystack_and_applies_the_answer(
    paystack, fake, clock, monkeypatch
):
    payment_id, reference, _ = linked(paystack, fake)
    fake.pay(reference)
    with paystack.engine.begin() as conn:  # made ten minutes ago on the real clock the CLI uses
        conn.execute(text("update payments set created_at = now() at time zone 'utc'"
                          " - interval '10 minutes', updated_at = created_at"))  # fmt: skip
    for name, value in {
        "PAYMENT_PROVIDER": "paystack",
        "PAYSTACK_SECRET_KEY": paystack.settings.paystack_secret_key,
        "PAYSTACK_API_BASE_URL": fake.url,
        "PUBLIC_BASE_URL": "https://kerbside.example",
    }.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(main, ["payments", "sync"])  # runs on the real clock, later
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "asked about 1 payment"
    assert payment(paystack, payment_id).status == "captured"
    again = CliRunner().invoke(main, ["payments", "sync"])
    assert again.output.splitlines()[-1] == "asked about 0 payments"
