"""Bad input gets a clear domain error, and nothing is half-written (every table unchanged)."""

from datetime import date, timedelta

import pytest

from core.booking import operators as ops
from core.booking import service as bookings
from core.booking.errors import (
    BookingError,
    IllegalTransitionError,
    NoLongerAvailableError,
    NotOperatorError,
    OfferGoneError,
    OutsideAreaError,
    PriceOutOfBandError,
    TimeInPastError,
    TooFarAheadError,
    UnknownServiceError,
)
from tests.booking_helpers import CAPE_TOWN, SANDTON, TWO_PM, catalogue, consumer, operator
from tests.booking_helpers import table_counts as counts


@pytest.fixture
def world(platform):
    catalogue(platform)
    return {"op": operator(platform, 1), "consumer": consumer(platform)}


def _request(platform, who, **overrides):
    args = {"service_code": "full_valet", "lat": SANDTON[0], "lon": SANDTON[1],
            "place_name": "Sandton", "start": TWO_PM, "idempotency_key": "bad"}  # fmt: skip
    args.update(overrides)
    uow = platform.uow()
    with uow:
        bookings.request_booking(uow, who, **args)
        uow.commit()


@pytest.mark.parametrize(
    ("overrides", "error", "code"),
    [
        ({"service_code": "teeth_whitening"}, UnknownServiceError, "unknown_service"),
        ({"lat": CAPE_TOWN[0], "lon": CAPE_TOWN[1]}, OutsideAreaError, "outside_area"),
        ({"start": TWO_PM - timedelta(hours=5)}, TimeInPastError, "time_in_past"),
        ({"start": TWO_PM + timedelta(days=31)}, TooFarAheadError, "too_far_ahead"),
        ({"start": TWO_PM + timedelta(hours=8)}, NoLongerAvailableError, "no_longer_available"),
        ({"operator_id": 999_999}, NoLongerAvailableError, "no_longer_available"),
    ],
)
def test_bad_requests_change_nothing(platform, world, overrides, error, code):
    before = counts(platform)
    with pytest.raises(error) as raised:
        _request(platform, world["consumer"], **overrides)
    assert raised.value.code == code and isinstance(raised.value, BookingError)
    assert counts(platform) == before


def test_bad_slot_questions(platform, world):
    uow = platform.uow()
    with uow:
        with pytest.raises(UnknownServiceError):
            bookings.find_slots(uow, "nope", *SANDTON)
        with pytest.raises(OutsideAreaError):
            bookings.find_slots(uow, "full_valet", *CAPE_TOWN)
        with pytest.raises(TimeInPastError):
            bookings.find_slots(uow, "full_valet", *SANDTON, day=date(2026, 11, 24))
        with pytest.raises(TooFarAheadError):
            bookings.find_slots(uow, "full_valet", *SANDTON, day=date(2027, 1, 30))


def test_price_outside_the_band_is_refused(platform, world):
    before = counts(platform)
    uow = platform.uow()
    with uow, pytest.raises(PriceOutOfBandError):
        ops.set_service_price(uow, world["op"], "full_valet", 100_000)
        uow.commit()
    with uow, pytest.raises(PriceOutOfBandError):
        ops.set_service_price(uow, world["op"], "exterior_wash", 5_999)
        uow.commit()
    with uow, pytest.raises(NotOperatorError):
        bookings.set_service_price(uow, world["consumer"], "full_valet", 20_000)
    assert counts(platform) == before


def test_wrong_operator_actions_raise_and_change_nothing(platform, world):
    _request(platform, world["consumer"])
    other = operator(platform, 2, online=False)
    before = counts(platform)
    uow = platform.uow()
    with uow, pytest.raises(OfferGoneError):
        bookings.accept_offer(uow, other)
    with uow, pytest.raises(BookingError) as raised:
        ref = bookings.consumer_bookings(uow, world["consumer"])[0].ref
        bookings.complete_job(uow, world["op"], ref)  # not accepted: not their job yet
    assert raised.value.code == "not_found"
    with uow:
        bookings.accept_offer(uow, world["op"])
        uow.commit()
    before = counts(platform)
    with uow, pytest.raises(IllegalTransitionError):
        bookings.reschedule_booking(uow, world["consumer"], ref, TWO_PM)  # fine
        platform.clock.set(TWO_PM - timedelta(minutes=30))  # the job is near: it may be done
        bookings.mark_en_route(uow, world["op"], ref)
        bookings.complete_job(uow, world["op"], ref)
        bookings.mark_en_route(uow, world["op"], ref)  # going back is illegal
    assert counts(platform) == before
