"""What the database refuses, and what `kerbside reconcile` finds when a refusal is bypassed."""

import json
from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from core.booking import service as bookings
from core.ledger import accounts as acc
from core.ledger.errors import IdempotencyConflictError, UnbalancedEntryError
from core.ledger.posting import Line, post_entry, reverse_entry
from core.ledger.reconcile import reconcile
from kerbside.cli import main
from tests.booking_helpers import SANDTON, TWO_PM, catalogue, consumer, operator
from tests.ledger_helpers import accepted, balances, completed


@pytest.fixture
def world(platform):
    catalogue(platform)
    return {"op": operator(platform, 1, concurrent=3), "consumer": consumer(platform)}


def _breaches(platform):
    with platform.uow() as uow:
        return [str(b) for _, b in reconcile(uow) if b is not None]


def _post(platform, key, lines):
    uow = platform.uow()
    with uow:
        entry = post_entry(uow, key=key, kind="adjustment", lines=lines)
        uow.commit()
    return entry


def test_an_update_or_delete_of_a_posted_line_is_refused_by_the_database(platform, world):
    completed(platform, world["consumer"], world["op"], "a")
    for statement in ("update ledger_lines set amount = amount + 1 where id = 1",
                      "delete from ledger_lines where id = 1",
                      "update ledger_entries set kind = 'x' where id = 1"):  # fmt: skip
        with platform.engine.connect() as conn, pytest.raises(DBAPIError) as refused:
            conn.execute(text(statement))
        assert "is posted and cannot be changed" in str(refused.value)
    assert _breaches(platform) == []


def test_an_unbalanced_entry_is_refused_at_commit(platform, world):
    completed(platform, world["consumer"], world["op"], "a")
    with platform.engine.connect() as conn:
        conn.execute(text("insert into ledger_lines (entry_id, account_id, currency, phase, "
                          "amount, posted_at) select 1, account_id, currency, phase, 5, "
                          "posted_at from ledger_lines where id = 1"))  # fmt: skip
        with pytest.raises(DBAPIError) as refused:
            conn.commit()  # the deferred constraint trigger runs here
    assert "entry 1 posted ZAR lines sum to 5 (must be 0)" in str(refused.value)
    with platform.engine.connect() as conn:
        conn.execute(text("insert into ledger_entries (idempotency_key, kind, digest, posted_at) "
                          "values ('lonely', 'adjustment', '', now())"))  # fmt: skip
        with pytest.raises(DBAPIError) as refused:
            conn.commit()
    assert "has 0 line(s)" in str(refused.value)
    with pytest.raises(UnbalancedEntryError):  # and Python refuses before SQL sees it
        _post(platform, "k", [Line(acc.refunds(), 100), Line(acc.commission_revenue(), -99)])


def test_a_key_posted_again_returns_the_first_entry_and_other_lines_are_refused(platform):
    lines = [Line(acc.refunds(), 100), Line(acc.commission_revenue(), -100)]
    first = _post(platform, "goodwill:1", lines)
    again = _post(platform, "goodwill:1", list(reversed(lines)))
    assert (again.id, again.replayed, first.replayed) == (first.id, True, False)
    with pytest.raises(IdempotencyConflictError):
        _post(
            platform, "goodwill:1", [Line(acc.refunds(), 90), Line(acc.commission_revenue(), -90)]
        )
    assert balances(platform) == {"platform:commission": -100, "platform:refunds": 100}


def test_a_reversal_is_a_new_entry_pointing_at_the_old_one(platform):
    first = _post(platform, "goodwill:1", [Line(acc.refunds(), 100), Line(acc.vat_payable(), -100)])
    uow = platform.uow()
    with uow:
        back = reverse_entry(uow, first.id)
        assert reverse_entry(uow, first.id).id == back.id  # replayed
        uow.commit()
    assert balances(platform) == {}
    with platform.engine.connect() as conn:
        row = conn.execute(text("select kind, reverses_entry_id from ledger_entries "
                                "where id = :id"), {"id": back.id}).one()  # fmt: skip
    assert tuple(row) == ("reversal", first.id)
    assert _breaches(platform) == []


def test_reconcile_passes_on_the_demo_data_with_finished_jobs(platform):
    runner = CliRunner()
    assert runner.invoke(main, ["seed", "--demo"]).exit_code == 0
    uow = platform.uow()
    with uow:
        michael = uow.session.execute(
            text("select id from people where phone = '+27825550102'")).scalar_one()  # fmt: skip
    refs = []
    for n, start in enumerate((TWO_PM, TWO_PM.replace(hour=13), TWO_PM.replace(hour=14))):
        with uow:
            view = bookings.request_booking(uow, michael, "full_valet", *SANDTON, "Sandton",
                                            start, idempotency_key=f"demo-{n}")  # fmt: skip
            uow.commit()
        with uow:
            op = uow.session.execute(text("select operator_id from offers where booking_id = "
                                          ":b"), {"b": view.id}).scalar_one()  # fmt: skip
            bookings.accept_offer(uow, op)
            uow.commit()
        refs.append((view.ref, op, start))
    for ref, op, start in refs[:2]:
        platform.clock.set(start)
        with uow:
            bookings.complete_job(uow, op, ref)
            uow.commit()
    platform.clock.set(refs[2][2] - timedelta(minutes=30))  # late: the fee applies
    with uow:
        bookings.cancel_booking(uow, michael, refs[2][0])
        uow.commit()
    result = runner.invoke(main, ["reconcile"])
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith("ledger reconciles")
    shown = runner.invoke(main, ["ledger", "show", refs[0][0], "--json"])
    assert shown.exit_code == 0, shown.output
    kinds = [json.loads(line)["kind"] for line in shown.output.splitlines()]
    assert kinds == ["cash_completion", "cash_netting"]
    text_view = runner.invoke(main, ["ledger", "show", refs[2][0]]).output
    assert "cancel_fee" in text_view and f"consumer:{michael}:receivable" in text_view


def test_reconcile_names_the_entry_a_corrupted_line_breaks(platform, world):
    _, booking_id = completed(platform, world["consumer"], world["op"], "a")
    with platform.engine.begin() as conn:  # the guard is off in this transaction only
        conn.execute(text("alter table ledger_lines disable trigger ledger_lines_immutable"))
        conn.execute(text("update ledger_lines set amount = 15000 where id = 1"))
        conn.execute(text("alter table ledger_lines enable trigger ledger_lines_immutable"))
    result = CliRunner().invoke(main, ["reconcile"])
    assert result.exit_code == 1
    assert "FAIL entries balance" in result.output
    assert "ok   no double posting" in result.output
    assert "kerbside reconcile: entries balance: entry 1: posted ZAR lines sum to -900, not 0" in (
        result.stderr
    )


def test_reconcile_finds_a_completed_job_without_its_postings(platform, world):
    ref, booking_id = completed(platform, world["consumer"], world["op"], "a")
    with platform.engine.begin() as conn:
        conn.execute(text("alter table ledger_lines disable trigger ledger_lines_immutable"))
        conn.execute(text("alter table ledger_entries disable trigger ledger_entries_immutable"))
        conn.execute(text("delete from ledger_lines where entry_id = 2"))
        conn.execute(text("delete from ledger_entries where id = 2"))
        conn.execute(text("alter table ledger_lines enable trigger ledger_lines_immutable"))
        conn.execute(text("alter table ledger_entries enable trigger ledger_entries_immutable"))
    assert _breaches(platform) == [
        f"bookings have their postings: booking {ref} (id {booking_id}): has no cash_netting entry"
    ]


def test_reconcile_finds_a_posting_that_disagrees_with_its_booking(platform, world):
    ref, booking_id = completed(platform, world["consumer"], world["op"], "a")
    with platform.engine.begin() as conn:  # a price changed after the job was posted
        conn.execute(
            text("update bookings set price_cents = 16900, operator_earn_cents = 14365, "
                 "commission_cents = 2535 where id = :id"),
            {"id": booking_id},
        )  # fmt: skip
    [breach] = _breaches(platform)
    assert breach.startswith(
        f"postings match their booking: entry 1: cash_completion of booking {ref}"
    )


def test_reconcile_finds_a_fee_posted_for_a_booking_not_cancelled(platform, world):
    ref, booking_id = accepted(platform, world["consumer"], world["op"], "a")
    uow = platform.uow()
    with uow:
        post_entry(uow, key="stray", kind="cancel_fee", booking_id=booking_id,
                   lines=[Line(acc.consumer_receivable(world["consumer"]), 500),
                          Line(acc.commission_revenue(), -500)])  # fmt: skip
        uow.commit()
    assert _breaches(platform)[0].endswith(f"entry 1: cancel_fee for booking {ref} (accepted)")
