"""Smaller promises: ref collisions retry, no-show, operator cancellation, day views."""

from datetime import timedelta

import pytest
from sqlalchemy import text

from core.booking import service as bookings
from core.booking.errors import IllegalTransitionError
from tests.booking_helpers import SANDTON, TWO_PM, catalogue, consumer, operator, outbox_rows


@pytest.fixture
def world(platform):
    catalogue(platform)
    return {"op": operator(platform, 1, concurrent=3), "consumer": consumer(platform)}


def _book(platform, who, key, start=TWO_PM):
    uow = platform.uow()
    with uow:
        view = bookings.request_booking(uow, who, "full_valet", *SANDTON, "Sandton", start,
                                        idempotency_key=key)  # fmt: skip
        uow.commit()
    return view


def test_a_ref_taken_by_an_active_booking_is_not_reused(platform, world, monkeypatch):
    refs = iter(["K7Q4", "K7Q4", "K7Q4", "M3RA"])
    monkeypatch.setattr("core.booking.service.new_ref", lambda: next(refs))
    first = _book(platform, world["consumer"], "a")
    second = _book(platform, world["consumer"], "b")
    assert (first.ref, second.ref) == ("K7Q4", "M3RA")
    uow = platform.uow()
    with uow:  # once the first is no longer active, its ref may come back
        bookings.cancel_booking(uow, world["consumer"], "K7Q4")
        uow.commit()
    refs = iter(["K7Q4"])
    assert _book(platform, world["consumer"], "c").ref == "K7Q4"


def test_no_show_and_day_views(platform, world):
    view = _book(platform, world["consumer"], "a")
    op = world["op"]
    uow = platform.uow()
    with uow:
        bookings.accept_offer(uow, op)
        platform.clock.set(TWO_PM)
        bookings.mark_arrived(uow, op, view.ref)
        assert bookings.mark_no_show(uow, op, view.ref).status == "no_show"
        uow.commit()
    with uow:
        assert [j.status for j in bookings.operator_jobs(uow, op)] == ["no_show"]
        assert bookings.operator_jobs(uow, op, TWO_PM.date() + timedelta(days=1)) == []
        assert bookings.consumer_bookings(uow, world["consumer"]) == []
        with pytest.raises(IllegalTransitionError):
            bookings.complete_job(uow, op, view.ref)


def test_operator_cancels_and_the_consumer_is_told(platform, world):
    view = _book(platform, world["consumer"], "a")
    uow = platform.uow()
    with uow:
        bookings.accept_offer(uow, world["op"], view.ref)
        uow.commit()
    with uow:
        cancelled = bookings.cancel_booking(uow, world["op"], view.ref, "flat tyre")
        uow.commit()
    assert cancelled.status == "cancelled"
    (sms,) = outbox_rows(platform, "booking.cancelled_by_operator")
    assert "cancelled by the operator" in sms[1] and view.ref in sms[1]
    with platform.engine.connect() as conn:
        fee = conn.execute(text("select cancel_fee_cents from bookings")).scalar_one()
    assert fee == 0


def test_rescheduling_an_unaccepted_booking_offers_it_afresh(platform, world):
    view = _book(platform, world["consumer"], "a")
    uow = platform.uow()
    with uow:
        moved = bookings.reschedule_booking(
            uow, world["consumer"], view.ref, TWO_PM + timedelta(hours=2)
        )
        uow.commit()
    assert moved.status == "offered" and moved.start == TWO_PM + timedelta(hours=2)
    with platform.engine.connect() as conn:
        offers = conn.execute(text("select status from offers order by id")).scalars().all()
        hold = conn.execute(text("select lower(during) from capacity_holds")).scalar_one()
    assert offers == ["withdrawn", "open"] and hold == TWO_PM + timedelta(hours=2)
