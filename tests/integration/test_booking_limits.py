"""Trial defect 9: one phone must not hold a suburb's capacity. Open unpaid bookings are capped
per consumer (enforced in the booking transaction, also under a race) and booking attempts are
limited per number per hour (a Redis counter keyed by a digest of the number, failing open)."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import redis
from sqlalchemy import text

from core.booking import service as bookings
from core.booking.errors import (
    BookingError,
    TimeInPastError,
    TooManyBookingAttemptsError,
    TooManyOpenBookingsError,
)
from kerbside.bootstrap import Platform
from tests.booking_helpers import SANDTON, TWO_PM, catalogue, consumer, operator, wide

RACERS = 8  # under the default 10 attempts per hour: this race is about the cap


def _book(platform, consumer_id, start, key):
    uow = platform.uow()
    with uow:
        view = bookings.request_booking(
            uow, consumer_id, "full_valet", *SANDTON, "Sandton", start, idempotency_key=key
        )
        uow.commit()
    return view


def _starts(count):
    return [TWO_PM + timedelta(days=n // 2, hours=3 * (n % 2)) for n in range(count)]


@pytest.fixture
def world(platform):
    catalogue(platform)
    operator(platform, 1, concurrent=RACERS, daily=500)
    return consumer(platform, 1)


def test_a_consumer_holds_at_most_three_open_bookings(platform, world):
    first, *_ = [_book(platform, world, start, f"k{n}") for n, start in enumerate(_starts(3))]
    with pytest.raises(TooManyOpenBookingsError) as caught:
        _book(platform, world, TWO_PM + timedelta(days=5), "k4")
    assert caught.value.code == "too_many_open_bookings"
    assert _book(platform, world, _starts(1)[0], "k0").id == first.id  # a retry still answers
    uow = platform.uow()
    with uow:
        bookings.cancel_booking(uow, world, first.ref)
        uow.commit()
    assert _book(platform, world, TWO_PM + timedelta(days=5), "k5").status == "offered"


@pytest.fixture
def wide_platform(platform):
    racing = wide(platform, RACERS)
    yield racing
    racing.engine.dispose()


def test_racing_requests_from_one_consumer_never_exceed_the_cap(platform, wide_platform, world):
    def attempt(n_start):
        n, start = n_start
        try:
            return _book(wide_platform, world, start, f"race-{n}").id
        except BookingError as err:
            return err.code

    with ThreadPoolExecutor(RACERS) as pool:
        results = list(pool.map(attempt, enumerate(_starts(RACERS))))
    assert len([r for r in results if isinstance(r, int)]) == 3, results
    assert results.count("too_many_open_bookings") == RACERS - 3
    with platform.engine.connect() as conn:
        assert conn.execute(text("select count(*) from bookings")).scalar_one() == 3


def test_booking_attempts_per_number_are_limited_per_hour(platform, world, clock):
    limited = Platform(
        platform.settings.replace(booking_attempts_per_hour=4, max_open_bookings=10),
        platform.engine,
        platform.redis,
        clock,
    )
    for n in range(3):  # failed attempts count too: that is what a script does
        with pytest.raises(TimeInPastError):
            _book(limited, world, TWO_PM - timedelta(days=1), f"past-{n}")
    _book(limited, world, TWO_PM, "fourth")
    with pytest.raises(TooManyBookingAttemptsError) as caught:
        _book(limited, world, TWO_PM + timedelta(hours=3), "fifth")
    assert caught.value.code == "too_many_booking_attempts"
    other = consumer(platform, 2)  # another number is not affected
    assert _book(limited, other, TWO_PM + timedelta(hours=3), "other").status == "offered"
    clock.advance(hours=1)
    assert _book(limited, world, TWO_PM + timedelta(hours=3), "later").status == "offered"


def test_without_redis_attempts_are_not_limited(platform, world):
    dead = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    down = Platform(
        platform.settings.replace(booking_attempts_per_hour=1), platform.engine, dead,
        platform.clock,
    )  # fmt: skip
    for n, start in enumerate(_starts(3)):
        assert _book(down, world, start, f"k{n}").status == "offered"
