"""Card money through the ledger, for the payment adapters: authorise, capture, void, the job's
posting, refunds and chargebacks. R159, 15% commission (R20.74 revenue + R3.11 VAT), Paystack
keeping R3.30 on capture. Balances are posted unless a test says pending."""

import threading

import pytest
from sqlalchemy import text

from core.accounting import card
from core.booking import service as bookings
from core.ledger import accounts as acc
from core.ledger.errors import AmountExceededError, PendingResolvedError
from core.ledger.posting import Line, post_entry
from core.ledger.reconcile import reconcile
from tests.booking_helpers import TWO_PM, catalogue, consumer, operator
from tests.ledger_helpers import accepted, balances


@pytest.fixture
def world(platform):
    catalogue(platform)
    return {"op": operator(platform, 1, concurrent=3), "consumer": consumer(platform)}


def card_job(platform, who, op, key="a"):
    """A card booking, accepted (card bookings do not exist yet: set on the row)."""
    ref, booking_id = accepted(platform, who, op, key)
    with platform.engine.begin() as conn:
        conn.execute(text("update bookings set payment_method = 'card' where id = :id"),
                     {"id": booking_id})  # fmt: skip
    return ref, booking_id


def run(platform, fn, **kw):
    uow = platform.uow()
    with uow:
        result = fn(uow, **kw)
        uow.commit()
    return result


def finish(platform, op, ref, booking_id):
    platform.clock.set(TWO_PM)
    uow = platform.uow()
    with uow:
        bookings.complete_job(uow, op, ref)
        card.post_card_completion(uow, booking_id)
        uow.commit()


def clean(platform):
    with platform.uow() as uow:
        return [str(b) for _, b in reconcile(uow) if b is not None]


def test_authorise_holds_capture_posts_and_the_job_pays_operator_and_platform(platform, world):
    op, who = world["op"], world["consumer"]
    ref, booking_id = card_job(platform, who, op)
    pay = {"provider": "paystack", "reference": "T1"}
    run(platform, card.authorise, consumer_id=who, amount_cents=15900, booking_id=booking_id, **pay)
    assert balances(platform, "pending") == {
        "provider:paystack:clearing": 15900,
        f"consumer:{who}:receivable": -15900,
    }
    assert balances(platform) == {}
    run(platform, card.capture, fee_cents=330, **pay)
    assert balances(platform, "pending") == {}
    assert balances(platform) == {
        "provider:paystack:clearing": 15570,
        "provider:paystack:fees": 330,
        f"consumer:{who}:receivable": -15900,  # paid ahead of the job
    }
    finish(platform, op, ref, booking_id)
    assert balances(platform) == {
        "provider:paystack:clearing": 15570,
        "provider:paystack:fees": 330,
        f"operator:{op}:payable": -13515,
        "platform:commission": -2074,
        "platform:vat": -311,
    }
    assert run(platform, card.capture, fee_cents=330, **pay).replayed  # a webhook again
    with pytest.raises(PendingResolvedError):
        run(platform, card.void, **pay)
    assert clean(platform) == []
    uow = platform.uow()
    with uow:
        assert bookings.operator_earnings(uow, op).today_cents == 13515


def test_a_partial_refund_then_a_chargeback_of_the_rest_takes_back_every_share(platform, world):
    op, who = world["op"], world["consumer"]
    ref, booking_id = card_job(platform, who, op)
    pay = {"provider": "paystack", "reference": "T1"}
    run(platform, card.authorise, consumer_id=who, amount_cents=15900, booking_id=booking_id, **pay)
    run(platform, card.capture, fee_cents=330, **pay)
    finish(platform, op, ref, booking_id)
    run(platform, card.refund, booking_id=booking_id, provider="paystack", reference="R1",
        amount_cents=5000)  # fmt: skip
    assert balances(platform) == {
        "provider:paystack:clearing": 10570,
        "provider:paystack:fees": 330,
        f"operator:{op}:payable": -9265,  # R42.50 of the R50 was the operator's
        "platform:commission": -1422,
        "platform:vat": -213,
    }
    run(platform, card.chargeback, booking_id=booking_id, provider="paystack", reference="C1",
        amount_cents=10900, fee_cents=1500)  # fmt: skip
    assert balances(platform) == {
        "provider:paystack:clearing": -1830,  # the provider's fees, still to be settled
        "provider:paystack:fees": 1830,
    }
    with pytest.raises(AmountExceededError):  # nothing is left to return
        run(platform, card.refund, booking_id=booking_id, provider="paystack", reference="R2",
            amount_cents=1)  # fmt: skip
    uow = platform.uow()
    with uow:
        assert bookings.operator_earnings(uow, op).today_cents == 0
    assert clean(platform) == []


def test_a_chargeback_after_the_payout_is_owed_by_the_operator(platform, world):
    op, who = world["op"], world["consumer"]
    ref, booking_id = card_job(platform, who, op)
    pay = {"provider": "paystack", "reference": "T1"}
    run(platform, card.authorise, consumer_id=who, amount_cents=15900, booking_id=booking_id, **pay)
    run(platform, card.capture, **pay)
    finish(platform, op, ref, booking_id)
    paid = [Line(acc.operator_payable(op), 13515), Line(acc.payouts_in_transit(), -13515)]
    run(platform, post_entry, key="payout:1", kind="payout", lines=paid)  # as a payout run will
    run(platform, card.chargeback, booking_id=booking_id, provider="paystack", reference="C1",
        amount_cents=15900)  # fmt: skip
    assert balances(platform) == {
        "platform:payouts_in_transit": -13515,
        f"operator:{op}:receivable": 13515,  # paid out already: the operator owes it back
    }
    assert clean(platform) == []


def test_a_void_releases_the_hold_and_a_capture_takes_part_at_most_the_whole(platform, world):
    who = world["consumer"]
    run(platform, card.authorise, provider="stripe", reference="pi_1", consumer_id=who,
        amount_cents=15900)  # fmt: skip
    run(platform, card.void, provider="stripe", reference="pi_1")
    assert balances(platform, "pending") == {} and balances(platform) == {}
    with pytest.raises(PendingResolvedError):
        run(platform, card.capture, provider="stripe", reference="pi_1")
    run(platform, card.authorise, provider="stripe", reference="pi_2", consumer_id=who,
        amount_cents=15900)  # fmt: skip
    with pytest.raises(AmountExceededError):
        run(platform, card.capture, provider="stripe", reference="pi_2", amount_cents=15901)
    run(platform, card.capture, provider="stripe", reference="pi_2", amount_cents=10000)
    assert balances(platform, "pending") == {}  # the rest is released
    assert balances(platform) == {"provider:stripe:clearing": 10000,
                                  f"consumer:{who}:receivable": -10000}  # fmt: skip
    assert clean(platform) == []


def test_a_capture_racing_a_void_resolves_the_authorisation_once(platform, world):
    who = world["consumer"]
    for n in range(5):
        reference = f"pi_{n}"
        run(platform, card.authorise, provider="stripe", reference=reference, consumer_id=who,
            amount_cents=15900)  # fmt: skip
        start = threading.Barrier(2)
        outcomes: list[str] = []

        def act(fn, reference=reference, start=start, outcomes=outcomes):
            uow = platform.uow()
            with uow:
                try:
                    start.wait()
                    fn(uow, provider="stripe", reference=reference)
                    uow.commit()
                    outcomes.append(fn.__name__)
                except PendingResolvedError:
                    outcomes.append("refused")

        threads = [threading.Thread(target=act, args=(f,)) for f in (card.capture, card.void)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(outcomes) in (["capture", "refused"], ["refused", "void"])
    assert balances(platform, "pending") == {}
    assert clean(platform) == []
