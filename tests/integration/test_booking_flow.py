"""The booking lifecycle end to end through the core API, on real PostgreSQL + Redis."""

from datetime import timedelta

import pytest
from sqlalchemy import text

from core.booking import service as bookings
from core.booking.errors import IllegalTransitionError, InvalidRequestError, OfferGoneError
from tests.booking_helpers import (
    SANDTON,
    TWO_PM,
    catalogue,
    consumer,
    operator,
    outbox_rows,
)


@pytest.fixture
def world(platform):
    catalogue(platform)
    return {
        "op": operator(platform, 1),
        "consumer": consumer(platform),
    }


def _book(platform, consumer_id, start=TWO_PM, key="k1", **kw):
    uow = platform.uow()
    with uow:
        view = bookings.request_booking(
            uow, consumer_id, "full_valet", *SANDTON, "Sandton City", start,
            idempotency_key=key, **kw,
        )  # fmt: skip
        uow.commit()
    return view


def test_slots_price_and_booking_happy_path(platform, world):
    uow = platform.uow()
    with uow:
        slots = bookings.find_slots(uow, "full_valet", *SANDTON)
    assert slots and slots[0].price_cents == 15_900 and slots[0].operator_id is None
    # Earliest slot: at least 30 minutes from 10:00 local, on the 30-minute grid.
    assert slots[0].start == platform.clock.now() + timedelta(minutes=30)

    view = _book(platform, world["consumer"])
    assert view.status == "offered" and len(view.ref) == 4
    assert view.price_cents == 15_900 and view.operator_earn_cents == 15_900 - 2_385
    offer_sms = outbox_rows(platform, "booking.offer")
    assert offer_sms[0][1] == (
        f"JOB {view.ref} Full valet 14:00 Sandton City 0.0km. You earn R135.15. "
        f"Reply YES {view.ref} or NO {view.ref} (2 min)"
    )
    # Idempotent: the same key gives the same booking and sends nothing new.
    assert _book(platform, world["consumer"]).id == view.id
    assert len(outbox_rows(platform, "booking.offer")) == 1
    with pytest.raises(InvalidRequestError):  # someone else's key
        _book(platform, consumer(platform, 9))

    op = world["op"]
    uow = platform.uow()
    with uow:
        assert [o.ref for o in bookings.open_offers(uow, op)] == [view.ref]
        accepted = bookings.accept_offer(uow, op, view.ref.lower())
        uow.commit()
    assert accepted.status == "accepted" and accepted.operator_name == "Operator 1"
    platform.clock.set(TWO_PM - timedelta(minutes=20))  # on the day, on the way
    with uow:
        assert bookings.mark_en_route(uow, op, view.ref, eta_minutes=12).eta_minutes == 12
        assert bookings.complete_job(uow, op, view.ref).status == "completed"
        uow.commit()
    with uow:
        statuses = uow.session.execute(
            text("select from_status, to_status, actor_kind from booking_events order by id")
        ).all()
        earnings = bookings.operator_earnings(uow, op)
        history = bookings.customer_history(uow, op)
    assert [tuple(s) for s in statuses] == [
        (None, "requested", "consumer"),
        ("requested", "offered", "system"),
        ("offered", "accepted", "operator"),
        ("accepted", "en_route", "operator"),
        ("en_route", "arrived", "operator"),
        ("arrived", "in_progress", "operator"),
        ("in_progress", "completed", "operator"),
    ]
    assert earnings.today_cents == 13_515 and earnings.jobs_today == 1
    assert history[0].customer_name == "Consumer 1"
    with uow, pytest.raises(IllegalTransitionError):
        bookings.cancel_booking(uow, world["consumer"], view.ref)


def test_accept_after_expiry_is_gone(platform, clock, world):
    view = _book(platform, world["consumer"])
    clock.advance(seconds=121)
    uow = platform.uow()
    with uow, pytest.raises(OfferGoneError):
        bookings.accept_offer(uow, world["op"], view.ref)


def test_cancellation_fee_window(platform, clock, world):
    view = _book(platform, world["consumer"])
    uow = platform.uow()
    with uow:
        bookings.accept_offer(uow, world["op"])
        uow.commit()
    with uow:
        assert bookings.cancellation_quote(uow, world["consumer"], view.ref) == 0
    clock.set(TWO_PM - timedelta(minutes=59))
    with uow:
        assert bookings.cancellation_quote(uow, world["consumer"], view.ref) == 5_000
        assert bookings.cancellation_quote(uow, world["op"], view.ref) == 0
        cancelled = bookings.cancel_booking(uow, world["consumer"], view.ref, "plans changed")
        uow.commit()
    assert cancelled.status == "cancelled"
    assert outbox_rows(platform, "booking.cancelled_to_operator")
    with uow:
        holds = uow.session.execute(text("select count(*) from capacity_holds")).scalar_one()
        used = uow.session.execute(text("select sum(used) from operator_days")).scalar_one()
    assert holds == 0 and used == 0


def test_decline_moves_to_next_operator_with_cooloff(platform, world):
    second = operator(platform, 2)
    view = _book(platform, world["consumer"])
    uow = platform.uow()
    with uow:
        first_offer = bookings.open_offers(uow, world["op"]) or bookings.open_offers(uow, second)
        first = world["op"] if bookings.open_offers(uow, world["op"]) else second
    assert first_offer
    other = second if first == world["op"] else world["op"]
    with uow:
        bookings.decline_offer(uow, first, view.ref)
        uow.commit()
    with uow:
        assert [o.ref for o in bookings.open_offers(uow, other)] == [view.ref]
        cooloff = uow.session.execute(
            text("select cooloff_until from operators where person_id = :p"), {"p": first}
        ).scalar_one()
    assert cooloff == platform.clock.now() + timedelta(seconds=900)


def test_reschedule_keeps_the_assigned_operator(platform, world):
    view = _book(platform, world["consumer"])
    uow = platform.uow()
    with uow:
        bookings.accept_offer(uow, world["op"])
        uow.commit()
    with uow:
        moved = bookings.reschedule_booking(
            uow, world["consumer"], view.ref, TWO_PM + timedelta(days=1)
        )
        uow.commit()
    assert moved.start == TWO_PM + timedelta(days=1) and moved.operator_person_id == world["op"]
    assert outbox_rows(platform, "booking.rescheduled")


def test_a_job_cannot_be_done_long_before_its_time(platform, clock, world):
    """DONE the moment a job for this afternoon is accepted would be earnings for nothing."""
    from core.booking.errors import TooEarlyError

    view = _book(platform, world["consumer"])
    uow = platform.uow()
    with uow:
        bookings.accept_offer(uow, world["op"])
        uow.commit()
    for action in (bookings.mark_arrived, bookings.complete_job):
        with uow, pytest.raises(TooEarlyError):
            action(uow, world["op"], view.ref)
    clock.set(TWO_PM - timedelta(minutes=45))  # arriving a little early is fine
    with uow:
        assert bookings.complete_job(uow, world["op"], view.ref).status == "completed"
        uow.commit()


def test_inside_the_fee_window_a_booking_cannot_be_moved_to_dodge_the_fee(platform, clock, world):
    from core.booking.errors import TooLateToMoveError

    view = _book(platform, world["consumer"])
    uow = platform.uow()
    with uow:
        bookings.accept_offer(uow, world["op"])
        uow.commit()
    clock.set(TWO_PM - timedelta(minutes=10))
    with uow, pytest.raises(TooLateToMoveError):
        bookings.reschedule_booking(uow, world["consumer"], view.ref, TWO_PM + timedelta(hours=3))
    with uow:
        assert bookings.cancellation_quote(uow, world["consumer"], view.ref) == 5_000
        start = uow.session.execute(
            text("select start_at from bookings where ref = :r"), {"r": view.ref}
        ).scalar_one()
    assert start == TWO_PM


def test_hours_exceptions_close_a_day_or_change_its_hours(platform, world):
    from datetime import date, time

    from core.booking import operators as ops

    thursday = date(2026, 11, 26)
    uow = platform.uow()
    with uow:
        ops.set_hours_exception(uow, world["op"], thursday)  # closed all day
        uow.commit()
    with uow:
        assert bookings.find_slots(uow, "full_valet", *SANDTON, day=thursday) == []
        ops.set_hours_exception(uow, world["op"], thursday, time(9, 0), time(12, 0))
        uow.commit()
    with uow:
        slots = bookings.find_slots(uow, "full_valet", *SANDTON, day=thursday, limit=10)
        capacity_two = bookings.set_capacity(uow, world["op"], 2, daily=3)
        uow.commit()
    local = [s.start.astimezone(platform.settings.tz).strftime("%H:%M") for s in slots]
    assert local == ["09:00", "09:30", "10:00"]  # 2-hour valet must end by 12:00
    assert capacity_two is None


def test_a_full_day_refuses_even_when_a_lane_is_free(platform, world):
    from core.booking import capacity

    _book(platform, world["consumer"], key="a")
    later = _book(platform, world["consumer"], start=TWO_PM + timedelta(hours=3), key="b")
    day = TWO_PM.astimezone(platform.settings.tz).date()
    uow = platform.uow()
    with uow:
        assert capacity.release(uow, later.id)
        assert not capacity.release(uow, later.id)  # idempotent
        start, end = TWO_PM + timedelta(hours=3), TWO_PM + timedelta(hours=5)
        assert not capacity.reserve(uow, later.id, world["op"], start, end, day, 1, 1)
        holds = uow.session.execute(text("select booking_id from capacity_holds")).scalars().all()
        used = uow.session.execute(text("select used from operator_days")).scalar_one()
        assert holds == [1] and used == 1
        assert capacity.reserve(uow, later.id, world["op"], start, end, day, 1, 2)
        # The same time as booking 1 on its only lane: refused, nothing counted.
        uow.session.execute(text("delete from capacity_holds where booking_id = :b"),
                            {"b": later.id})  # fmt: skip
        uow.session.execute(text("update operator_days set used = 1"))
        assert not capacity.reserve(uow, later.id, world["op"], TWO_PM, end, day, 1, 8)
        assert uow.session.execute(text("select used from operator_days")).scalar_one() == 1


def test_slots_reflect_capacity_taken_by_offers_in_flight(platform, world):
    uow = platform.uow()
    with uow:
        before = [s.start for s in bookings.find_slots(uow, "full_valet", *SANDTON, limit=20)]
    assert TWO_PM in before
    _book(platform, world["consumer"])  # offered, not yet accepted: the unit is held
    with uow:
        after = [s.start for s in bookings.find_slots(uow, "full_valet", *SANDTON, limit=20)]
    # A 2-hour valet at 14:00 blocks every start from 12:30 to 15:30 for the only operator.
    blocked = {TWO_PM + timedelta(minutes=30 * k) for k in range(-3, 4)}
    assert not blocked & set(after)
    assert set(before) - set(after) == blocked & set(before)
