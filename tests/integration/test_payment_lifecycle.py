"""The booking's life asks the card provider for money (PW4, PW5): completion captures, a free
cancellation gives the payment up, a late cancellation or a no-show takes the R50 fee.
Paystack (takes the money when paid: the rest is refunded) through the fake server and its
signed webhooks; a provider that authorises first (as Stripe) told by provider events."""

from __future__ import annotations

from sqlalchemy import select, text

from core.booking import service as bookings
from core.payments.model import PaymentEventRow
from core.payments.port import EventKind
from tests.booking_helpers import TWO_PM
from tests.integration.test_payment_postings import card_job, clean, complete, tell
from tests.integration.test_paystack_payments import fake, paystack, post, start, web
from tests.ledger_helpers import balances
from tests.payments_support import payment, run_payment_calls

__all__ = ["fake", "paystack", "web"]  # fixtures


def calls(platform, payment_id: int) -> list[tuple[str, int]]:  # type: ignore[no-untyped-def]
    """The provider calls requested for a payment: (kind, amount)."""
    uow = platform.uow()
    with uow:
        found = uow.session.scalars(
            select(PaymentEventRow.detail)
            .where(
                PaymentEventRow.payment_id == payment_id,
                PaymentEventRow.type == "payment.call_requested",
            )
            .order_by(PaymentEventRow.id)
        )
        return [(d["call"]["kind"], d["call"]["amount_cents"]) for d in found]


def cancel(platform, who: int, ref: str, *, late: bool) -> None:  # type: ignore[no-untyped-def]
    if late:
        platform.clock.set(TWO_PM.replace(hour=11, minute=30))  # 30 minutes before: R50
    uow = platform.uow()
    with uow:
        bookings.cancel_booking(uow, who, ref)
        uow.commit()


def no_show(platform, op: int, ref: str) -> None:  # type: ignore[no-untyped-def]
    platform.clock.set(TWO_PM)
    uow = platform.uow()
    with uow:
        bookings.mark_arrived(uow, op, ref)
        bookings.mark_no_show(uow, op, ref)
        uow.commit()


def paid_link(platform, fake, web, booking_id: int, who: int) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    payment_id, reference = start(platform, booking_id, who)
    run_payment_calls(platform)
    assert post(web, fake, fake.pay(reference)).text.strip() == "ok: captured"
    return payment_id, reference


def test_a_late_cancellation_keeps_the_fee_and_refunds_the_rest(paystack, fake, web):
    ref, booking_id, who, op = card_job(paystack)
    payment_id, _ = paid_link(paystack, fake, web, booking_id, who)
    cancel(paystack, who, ref, late=True)
    assert calls(paystack, payment_id)[-1] == ("refund", 10_900)
    run_payment_calls(paystack)
    assert fake.calls[-1][1] == "/refund" and fake.calls[-1][2]["amount"] == 10_900
    post(web, fake, fake.process_refund(fake.refunds[0]))
    paid = payment(paystack, payment_id)
    assert (paid.status, paid.captured_cents, paid.refunded_cents) == (
        "partially_refunded",
        15_900,
        10_900,
    )
    assert balances(paystack) == {
        "provider:paystack:clearing": 5000,
        f"operator:{op}:payable": -4250,  # collected: the operator's share is theirs
        "platform:commission": -652,
        "platform:vat": -98,
    }
    uow = paystack.uow()
    with uow:
        assert bookings.operator_earnings(uow, op).today_cents == 4250
    assert clean(paystack) == []


def test_a_free_cancellation_refunds_a_paid_link_in_full(paystack, fake, web):
    ref, booking_id, who, _ = card_job(paystack)
    payment_id, _ = paid_link(paystack, fake, web, booking_id, who)
    cancel(paystack, who, ref, late=False)
    assert calls(paystack, payment_id)[-1] == ("refund", 15_900)
    run_payment_calls(paystack)
    post(web, fake, fake.process_refund(fake.refunds[0]))
    assert payment(paystack, payment_id).status == "refunded"
    assert balances(paystack) == {}
    assert clean(paystack) == []


def test_a_free_cancellation_drops_an_unpaid_link(paystack):
    ref, booking_id, who, _ = card_job(paystack)
    payment_id, _ = start(paystack, booking_id, who)
    cancel(paystack, who, ref, late=False)
    assert payment(paystack, payment_id).status == "voided"
    assert balances(paystack) == {} and clean(paystack) == []


def test_completion_captures_an_authorised_card(paystack):
    ref, booking_id, who, op = card_job(paystack)
    payment_id, reference = start(paystack, booking_id, who)
    tell(paystack, reference, EventKind.AUTHORISED, 15_900, 1)
    complete(paystack, op, ref)
    assert calls(paystack, payment_id)[-1] == ("capture", 15_900)
    assert clean(paystack) == []


def test_a_no_show_captures_the_fee_and_releases_the_rest(paystack):
    ref, booking_id, who, op = card_job(paystack)
    payment_id, reference = start(paystack, booking_id, who)
    tell(paystack, reference, EventKind.AUTHORISED, 15_900, 1)
    no_show(paystack, op, ref)
    assert calls(paystack, payment_id)[-1] == ("capture", 5_000)
    assert balances(paystack) == {
        f"consumer:{who}:receivable": 5000,  # owed until the capture lands
        f"operator:{op}:fees_pending": -4250,
        "platform:commission": -652,
        "platform:vat": -98,
    }
    assert tell(paystack, reference, EventKind.CAPTURED, 5_000, 2) == "captured"
    assert balances(paystack, "pending") == {}
    assert balances(paystack) == {
        "provider:paystack:clearing": 5000,
        f"operator:{op}:payable": -4250,
        "platform:commission": -652,
        "platform:vat": -98,
    }
    assert clean(paystack) == []


def test_a_free_cancellation_releases_an_authorised_hold(paystack):
    ref, booking_id, who, _ = card_job(paystack)
    payment_id, reference = start(paystack, booking_id, who)
    tell(paystack, reference, EventKind.AUTHORISED, 15_900, 1)
    cancel(paystack, who, ref, late=False)
    assert calls(paystack, payment_id)[-1] == ("void", 15_900)


def test_a_cash_booking_asks_the_provider_for_nothing(paystack):
    ref, booking_id, who, _ = card_job(paystack)
    payment_id, _ = start(paystack, booking_id, who)
    with paystack.engine.begin() as conn:
        conn.execute(text("update bookings set payment_method = 'cash'"))
    cancel(paystack, who, ref, late=True)
    assert payment(paystack, payment_id).status == "pending"
    assert [kind for kind, _ in calls(paystack, payment_id)] == ["link"]
