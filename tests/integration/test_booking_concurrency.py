"""True concurrency through PostgreSQL: many transactions race for the last unit of capacity,
or to accept one offer, and the database lets exactly one win."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import text

from core.accounts.model import Person
from core.booking import service as bookings
from core.booking.errors import NoLongerAvailableError, OfferGoneError
from tests.booking_helpers import SANDTON, TWO_PM, catalogue, consumer, operator, wide

WORKERS = 40


@pytest.fixture
def wide_platform(platform):
    """The same servers and clock, with a pool big enough for WORKERS real connections."""
    racing = wide(platform, WORKERS)
    yield racing
    racing.engine.dispose()


def _many_consumers(platform, count):
    uow = platform.uow()
    with uow:
        people = [Person(phone=f"+2783{n:07d}", name=f"Racer {n}") for n in range(count)]
        uow.session.add_all(people)
        uow.session.flush()
        uow.commit()
        return [p.id for p in people]


def _race_for_two_pm(wide_platform, racers):
    """Every racer asks for a full valet at Sandton at 14:00 at once, each on its own
    connection. Returns the booking id of each winner and the error code of each loser."""

    def attempt(consumer_id):
        uow = wide_platform.uow()
        try:
            with uow:
                view = bookings.request_booking(
                    uow, consumer_id, "full_valet", *SANDTON, "Sandton", TWO_PM,
                    idempotency_key=f"race-{consumer_id}",
                )  # fmt: skip
                uow.commit()
                return view.id
        except NoLongerAvailableError as err:
            return err.code

    with ThreadPoolExecutor(WORKERS) as pool:
        return list(pool.map(attempt, racers))


def test_200_requests_for_the_last_unit_make_exactly_one_booking(platform, wide_platform):
    catalogue(platform)
    op = operator(platform, 1, concurrent=2, daily=500)
    first = consumer(platform, 1)
    uow = platform.uow()
    with uow:  # one unit of two is already taken
        bookings.request_booking(uow, first, "full_valet", *SANDTON, "Sandton", TWO_PM,
                                 idempotency_key="first")  # fmt: skip
        uow.commit()
    racers = _many_consumers(platform, 200)

    results = _race_for_two_pm(wide_platform, racers)

    winners = [r for r in results if isinstance(r, int)]
    assert len(winners) == 1
    assert results.count("no_longer_available") == 199
    with platform.engine.connect() as conn:
        assert conn.execute(text("select count(*) from bookings")).scalar_one() == 2
        holds = conn.execute(
            text("select count(*) from capacity_holds where operator_id = :op"), {"op": op}
        ).scalar_one()
        used = conn.execute(text("select used from operator_days")).scalar_one()
    assert holds == 2 and used == 2


def test_50_operators_answer_one_offer_at_once_and_one_wins(platform, wide_platform):
    catalogue(platform)
    operators = [operator(platform, n) for n in range(50)]
    who = consumer(platform, 1)
    uow = platform.uow()
    with uow:
        view = bookings.request_booking(uow, who, "full_valet", *SANDTON, "Sandton", TWO_PM,
                                        idempotency_key="one")  # fmt: skip
        uow.commit()
    with uow:
        offered_to = uow.session.execute(text("select operator_id from offers")).scalar_one()
    # Every operator says YES at once, and the one holding the offer says it five times.
    answers = operators + [offered_to] * 5

    def answer(operator_id):
        uow = wide_platform.uow()
        try:
            with uow:
                accepted = bookings.accept_offer(uow, operator_id, view.ref)
                uow.commit()
                return ("won", accepted.operator_person_id)
        except OfferGoneError as err:
            return (err.code, operator_id)

    with ThreadPoolExecutor(WORKERS) as pool:
        results = list(pool.map(answer, answers))

    assert {r for r in results if r[0] == "won"} == {("won", offered_to)}
    assert len([r for r in results if r[0] == "offer_gone"]) == 49
    with platform.engine.connect() as conn:
        events = conn.execute(
            text("select count(*) from booking_events where to_status = 'accepted'")
        ).scalar_one()
        accepted = conn.execute(
            text("select offers_accepted from operators where person_id = :p"), {"p": offered_to}
        ).scalar_one()
        statuses = conn.execute(text("select status from offers")).scalars().all()
        confirmations = conn.execute(
            text("select count(*) from outbox where template = 'booking.confirmed'")
        ).scalar_one()
    assert events == 1 and accepted == 1 and statuses == ["accepted"] and confirmations == 1


def test_100_requests_for_one_slot_fill_three_operators_and_no_more(platform, wide_platform):
    """Losers move on to the next candidate; nobody deadlocks, nobody is double-booked."""
    catalogue(platform)
    ops = [operator(platform, n, concurrent=1, daily=50) for n in range(3)]
    racers = _many_consumers(platform, 100)

    results = _race_for_two_pm(wide_platform, racers)

    assert len([r for r in results if isinstance(r, int)]) == 3
    assert results.count("no_longer_available") == 97
    with platform.engine.connect() as conn:
        held = conn.execute(
            text("select operator_id from capacity_holds order by operator_id")
        ).scalars()
        assert list(held) == sorted(ops)


def test_the_same_request_retried_at_once_makes_one_booking(platform, wide_platform):
    """A USSD/SMS retry racing the original: same idempotency key, one booking, same answer."""
    catalogue(platform)
    operator(platform, 1, concurrent=5)
    who = consumer(platform, 1)

    def attempt(_):
        uow = wide_platform.uow()
        with uow:
            view = bookings.request_booking(uow, who, "full_valet", *SANDTON, "Sandton", TWO_PM,
                                            idempotency_key="same-key")  # fmt: skip
            uow.commit()
            return view.id

    with ThreadPoolExecutor(10) as pool:
        ids = set(pool.map(attempt, range(20)))
    assert len(ids) == 1
    with platform.engine.connect() as conn:
        assert conn.execute(text("select count(*) from bookings")).scalar_one() == 1
        assert conn.execute(text("select count(*) from offers")).scalar_one() == 1
