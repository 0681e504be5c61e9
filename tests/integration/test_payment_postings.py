"""Payment events post to the ledger (PW1-PW4): a Paystack link paid by its signed webhook,
the card job posted when done, refunds, disputes, and an authorise/capture/void provider (as
Stripe is) told by provider events. R159, 15% commission (R20.74 revenue + R3.11 VAT).
Balances are posted unless a test says pending; reconcile is clean after every step."""

from __future__ import annotations

from sqlalchemy import text

from core.booking import service as bookings
from core.ledger.reconcile import reconcile
from core.payments import service
from core.payments.apply import apply_provider_event
from core.payments.port import EventKind, ProviderEvent
from tests.booking_helpers import TWO_PM, catalogue, consumer, operator
from tests.integration.test_paystack_payments import fake, paystack, post, start, web
from tests.ledger_helpers import accepted, balances
from tests.payments_support import payment, run_payment_calls

__all__ = ["fake", "paystack", "web"]  # fixtures


def clean(platform) -> list[str]:  # type: ignore[no-untyped-def]
    with platform.uow() as uow:
        return [str(b) for _, b in reconcile(uow) if b is not None]


def card_job(platform):  # type: ignore[no-untyped-def]
    """An accepted card booking of R159: (ref, booking id, consumer, operator)."""
    catalogue(platform)
    op, who = operator(platform, 1), consumer(platform)
    ref, booking_id = accepted(platform, who, op, "card-1")
    with platform.engine.begin() as conn:
        conn.execute(text("update bookings set payment_method = 'card' where id = :id"),
                     {"id": booking_id})  # fmt: skip
    return ref, booking_id, who, op


def complete(platform, op: int, ref: str) -> None:  # type: ignore[no-untyped-def]
    platform.clock.set(TWO_PM)
    uow = platform.uow()
    with uow:
        bookings.complete_job(uow, op, ref)
        uow.commit()


def tell(platform, reference: str, kind: EventKind, cents: int, n: int) -> str:  # type: ignore[no-untyped-def]
    uow = platform.uow()
    with uow:
        outcome = apply_provider_event(
            uow,
            ProviderEvent(provider="paystack", key=f"k{n}", kind=kind, amount_cents=cents,
                          currency="ZAR", reference=reference),
        )  # fmt: skip
        uow.commit()
    return outcome


def test_a_paid_link_is_captured_then_the_job_pays_operator_and_platform(paystack, fake, web):
    ref, booking_id, who, op = card_job(paystack)
    payment_id, reference = start(paystack, booking_id, who)
    run_payment_calls(paystack)
    assert balances(paystack) == {} and clean(paystack) == []
    assert post(web, fake, fake.pay(reference)).text.strip() == "ok: captured"
    assert balances(paystack, "pending") == {}
    assert balances(paystack) == {
        "provider:paystack:clearing": 15900,
        f"consumer:{who}:receivable": -15900,  # paid ahead of the job
    }
    assert clean(paystack) == []
    complete(paystack, op, ref)
    assert balances(paystack) == {
        "provider:paystack:clearing": 15900,
        f"operator:{op}:payable": -13515,
        "platform:commission": -2074,
        "platform:vat": -311,
    }
    assert clean(paystack) == []
    assert post(web, fake, fake.pay(reference)).text.strip() == "ok: duplicate"
    uow = paystack.uow()
    with uow:
        assert bookings.operator_earnings(uow, op).today_cents == 13515
        service.request_refund(uow, payment_id, 5_000)
        uow.commit()
    run_payment_calls(paystack)
    post(web, fake, fake.process_refund(fake.refunds[0]))
    assert balances(paystack) == {
        "provider:paystack:clearing": 10900,
        f"operator:{op}:payable": -9265,  # R42.50 of the R50 was the operator's
        "platform:commission": -1422,
        "platform:vat": -213,
    }
    assert clean(paystack) == []


def test_an_authorised_card_is_captured_at_completion_and_posted_then(paystack):
    ref, booking_id, who, op = card_job(paystack)
    payment_id, reference = start(paystack, booking_id, who)
    assert tell(paystack, reference, EventKind.AUTHORISED, 15_900, 1) == "authorised"
    assert balances(paystack) == {}
    assert balances(paystack, "pending") == {
        "provider:paystack:clearing": 15900,
        f"consumer:{who}:receivable": -15900,
    }
    complete(paystack, op, ref)  # done, not yet paid: nobody earns yet
    assert balances(paystack) == {}
    assert clean(paystack) == []
    assert tell(paystack, reference, EventKind.CAPTURED, 15_900, 2) == "captured"
    assert balances(paystack, "pending") == {}
    assert balances(paystack) == {
        "provider:paystack:clearing": 15900,
        f"operator:{op}:payable": -13515,
        "platform:commission": -2074,
        "platform:vat": -311,
    }
    assert payment(paystack, payment_id).status == "captured"
    assert clean(paystack) == []


def test_a_voided_authorisation_releases_the_hold_and_posts_nothing(paystack):
    _, booking_id, who, _ = card_job(paystack)
    _, reference = start(paystack, booking_id, who)
    tell(paystack, reference, EventKind.AUTHORISED, 15_900, 1)
    assert tell(paystack, reference, EventKind.VOIDED, 15_900, 2) == "voided"
    assert balances(paystack, "pending") == {} and balances(paystack) == {}
    assert clean(paystack) == []


def test_a_dispute_after_the_job_takes_back_the_operators_earning(paystack):
    ref, booking_id, who, op = card_job(paystack)
    _, reference = start(paystack, booking_id, who)
    tell(paystack, reference, EventKind.CAPTURED, 15_900, 1)
    complete(paystack, op, ref)
    assert tell(paystack, reference, EventKind.DISPUTED, 15_900, 2) == "disputed"
    assert balances(paystack) == {}  # the operator was not paid out: their earning is reversed
    uow = paystack.uow()
    with uow:
        assert bookings.operator_earnings(uow, op).today_cents == 0
    assert clean(paystack) == []


def test_reconcile_names_a_captured_card_payment_without_its_entry(paystack):
    ref, booking_id, who, op = card_job(paystack)
    _, reference = start(paystack, booking_id, who)
    tell(paystack, reference, EventKind.CAPTURED, 15_900, 1)
    with paystack.engine.begin() as conn:
        conn.execute(text("set session_replication_role = replica"))
        conn.execute(text("delete from ledger_lines"))
        conn.execute(text("delete from ledger_entries"))
    assert clean(paystack) == [f"payments have their postings: payment {reference}: "
                               "has no authorise entry"]  # fmt: skip
