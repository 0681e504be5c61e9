"""The ledger as a specification: what each booking outcome posts, stated before and after.

A R159 full valet at 15% commission: commission R23.85 (rounded down, decision 11), of
which VAT R3.11 (15/115, to the nearest cent) and revenue R20.74; the operator earns R135.15.
"""

import pytest
from sqlalchemy import text

from core.booking import service as bookings
from core.ledger import accounts as acc
from core.ledger.balances import balance
from tests.booking_helpers import TWO_PM, catalogue, consumer, operator
from tests.ledger_helpers import accepted, balances, completed


@pytest.fixture
def world(platform):
    catalogue(platform)
    return {"op": operator(platform, 1, concurrent=3), "consumer": consumer(platform)}


def test_a_completed_cash_job_leaves_the_commission_owed_by_the_operator(platform, world):
    op = world["op"]
    assert balances(platform) == {}
    ref, booking_id = completed(platform, world["consumer"], op, "a")
    assert balances(platform) == {
        f"operator:{op}:receivable": 2385,  # the commission they kept from the cash
        "platform:commission": -2074,  # revenue
        "platform:vat": -311,  # VAT inside the commission, owed to SARS
    }
    with platform.engine.connect() as conn:
        entries = conn.execute(
            text(
                "select e.kind, a.code, l.amount from ledger_entries e "
                "join ledger_lines l on l.entry_id = e.id "
                "join ledger_accounts a on a.id = l.account_id order by l.id"
            )
        ).all()
    assert [tuple(r) for r in entries] == [
        ("cash_completion", f"operator:{op}:cash_held", 15900),
        ("cash_completion", f"operator:{op}:payable", -13515),
        ("cash_completion", "platform:commission", -2074),
        ("cash_completion", "platform:vat", -311),
        ("cash_netting", f"operator:{op}:cash_held", -15900),
        ("cash_netting", f"operator:{op}:payable", 13515),
        ("cash_netting", f"operator:{op}:receivable", 2385),
    ]
    uow = platform.uow()
    with uow:
        earned = bookings.operator_earnings(uow, op)
        assert (earned.today_cents, earned.jobs_today, earned.month_cents) == (13515, 1, 13515)
        assert balance(uow, acc.operator_receivable(op), at=TWO_PM.replace(hour=11)) == 0
        assert balance(uow, acc.operator_receivable(op), at=TWO_PM) == 2385


def test_a_late_cancellation_fee_is_owed_by_the_consumer(platform, world):
    op, who = world["op"], world["consumer"]
    ref, _ = accepted(platform, who, op, "a")
    platform.clock.set(TWO_PM.replace(hour=11, minute=30))  # 30 minutes before: a R50 fee
    uow = platform.uow()
    with uow:
        bookings.cancel_booking(uow, who, ref)
        uow.commit()
    assert balances(platform) == {
        f"consumer:{who}:receivable": 5000,
        f"operator:{op}:fees_pending": -4250,  # the operator's share, held until collected
        "platform:commission": -652,  # R7.50 commission less its VAT
        "platform:vat": -98,
    }
    uow = platform.uow()
    with uow:  # a fee is not an earning until it is collected
        assert bookings.operator_earnings(uow, op).today_cents == 0


def test_a_free_cancellation_posts_nothing(platform, world):
    ref, _ = accepted(platform, world["consumer"], world["op"], "a")
    uow = platform.uow()
    with uow:
        bookings.cancel_booking(uow, world["consumer"], ref)
        uow.commit()
    assert balances(platform) == {}


def test_a_no_show_charges_the_late_fee(platform, world):
    op, who = world["op"], world["consumer"]
    ref, booking_id = accepted(platform, who, op, "a")
    platform.clock.set(TWO_PM)
    uow = platform.uow()
    with uow:
        bookings.mark_arrived(uow, op, ref)
        bookings.mark_no_show(uow, op, ref)
        uow.commit()
    assert balances(platform) == {
        f"consumer:{who}:receivable": 5000,
        f"operator:{op}:fees_pending": -4250,
        "platform:commission": -652,
        "platform:vat": -98,
    }
    with platform.engine.connect() as conn:
        fee = conn.execute(
            text("select cancel_fee_cents from bookings where id = :id"), {"id": booking_id}
        ).scalar()
    assert fee == 5000
