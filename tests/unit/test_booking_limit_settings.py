"""The booking-limit settings of trial defect 9: defaults, environment, bad values."""

import pytest

from core.settings import ConfigError, Settings


def test_booking_limits_default_and_come_from_the_environment():
    defaults = Settings.from_env({})
    assert (defaults.max_open_bookings, defaults.booking_attempts_per_hour) == (3, 10)
    chosen = Settings.from_env({"MAX_OPEN_BOOKINGS": "5", "BOOKING_ATTEMPTS_PER_HOUR": "0"})
    assert (chosen.max_open_bookings, chosen.booking_attempts_per_hour) == (5, 0)


@pytest.mark.parametrize("name", ["MAX_OPEN_BOOKINGS", "BOOKING_ATTEMPTS_PER_HOUR"])
@pytest.mark.parametrize("value", ["-1", "three"])
def test_a_bad_booking_limit_names_the_setting(name, value):
    with pytest.raises(ConfigError, match=name):
        Settings.from_env({name: value})
