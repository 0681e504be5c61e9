"""A booking paid by a card link (PW6), with Paystack's fake server and signed webhooks: the
capacity is held and nobody is offered the job until it is paid; the link goes by SMS; paid, it
is dispatched and, done, posted; unpaid after PAYMENT_HOLD_MINUTES it is released by SMS."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from core.booking import service as bookings
from core.jobs import service as jobs
from core.payments.card_booking import book_by_card_link
from tests.booking_helpers import SANDTON, TWO_PM, catalogue, consumer, operator, outbox_rows
from tests.integration.test_payment_postings import clean
from tests.integration.test_paystack_payments import fake, paystack, post, web
from tests.ledger_helpers import balances
from tests.payments_support import payment, run_payment_calls

__all__ = ["fake", "paystack", "web"]  # fixtures


def booked_by_link(platform):  # type: ignore[no-untyped-def]
    """(booking ref, booking id, payment id, consumer, operator) with the link sent."""
    catalogue(platform)
    op, who = operator(platform, 1), consumer(platform)
    uow = platform.uow()
    with uow:
        view = book_by_card_link(uow, who, "full_valet", *SANDTON, "Sandton", TWO_PM,
                                 idempotency_key="link-1")  # fmt: skip
        uow.commit()
    assert run_payment_calls(platform) == ["sent"]
    with platform.engine.connect() as conn:
        payment_id = conn.execute(
            text("select id from payments where booking_id = :b"), {"b": view.id}
        ).scalar_one()
    return view.ref, view.id, payment_id, who, op


def status_and_holds(platform, booking_id: int) -> tuple[str, int, int]:  # type: ignore[no-untyped-def]
    with platform.engine.connect() as conn:
        return tuple(
            conn.execute(
                text(
                    "select b.status, (select count(*) from capacity_holds h"
                    " where h.booking_id = b.id), (select count(*) from offers o"
                    " where o.booking_id = b.id) from bookings b where b.id = :b"
                ),
                {"b": booking_id},
            ).one()
        )


def run_due_jobs(platform) -> list[str]:  # type: ignore[no-untyped-def]
    return [jobs.run_job(platform.uow(), job_id) for job_id in jobs.claim_due(platform.uow())]


def test_a_link_booking_holds_its_slot_is_dispatched_when_paid_and_posted_when_done(
    paystack, fake, web
):
    ref, booking_id, payment_id, who, op = booked_by_link(paystack)
    assert status_and_holds(paystack, booking_id) == ("requested", 1, 0)  # held, not offered
    link = payment(paystack, payment_id).link_url
    [(body,)] = [(b,) for _, b in outbox_rows(paystack, "payment.link")]
    assert link in body and "R159" in body and f"ref {ref}" in body and "15 min" in body
    assert outbox_rows(paystack, "booking.requested") == []
    assert outbox_rows(paystack, "booking.offer") == []

    reference = payment(paystack, payment_id).reference
    assert post(web, fake, fake.pay(reference)).text.strip() == "ok: captured"
    assert status_and_holds(paystack, booking_id) == ("offered", 1, 1)
    assert len(outbox_rows(paystack, "booking.offer")) == 1
    uow = paystack.uow()
    with uow:
        bookings.accept_offer(uow, op)
        uow.commit()
    paystack.clock.set(TWO_PM)
    uow = paystack.uow()
    with uow:
        bookings.complete_job(uow, op, ref)
        uow.commit()
    assert balances(paystack) == {
        "provider:paystack:clearing": 15900,
        f"operator:{op}:payable": -13515,
        "platform:commission": -2074,
        "platform:vat": -311,
    }
    assert clean(paystack) == []
    assert run_due_jobs(paystack).count("done") >= 1  # the deadline job finds it paid
    assert status_and_holds(paystack, booking_id)[0] == "completed"


def test_an_unpaid_link_booking_is_released_by_sms_at_the_deadline(paystack, fake):
    ref, booking_id, payment_id, _, _ = booked_by_link(paystack)
    paystack.clock.set(paystack.clock.now() + timedelta(minutes=14))
    run_due_jobs(paystack)
    assert status_and_holds(paystack, booking_id) == ("requested", 1, 0)  # not yet
    paystack.clock.set(paystack.clock.now() + timedelta(minutes=2))
    assert "done" in run_due_jobs(paystack)
    assert status_and_holds(paystack, booking_id) == ("expired", 0, 0)
    [(body,)] = [(b,) for _, b in outbox_rows(paystack, "payment.unpaid")]
    assert f"ref {ref}" in body and "not paid in time" in body
    assert outbox_rows(paystack, "booking.expired") == []
    assert payment(paystack, payment_id).status == "voided"
    assert balances(paystack) == {} and clean(paystack) == []
