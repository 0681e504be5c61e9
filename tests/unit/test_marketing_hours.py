"""Direct-marketing hours (WASPA): weekdays 08-20, Saturdays 09-13, never Sundays or holidays."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from core.notify.marketing_hours import easter_sunday, marketing_allowed_at, public_holidays

JHB = ZoneInfo("Africa/Johannesburg")


def at(y, mo, d, h, mi=0):
    return datetime(y, mo, d, h, mi, tzinfo=JHB)


@pytest.mark.parametrize(
    "year, expected",
    [
        (2024, date(2024, 3, 31)),
        (2025, date(2025, 4, 20)),
        (2026, date(2026, 4, 5)),
        (2027, date(2027, 3, 28)),
        (2038, date(2038, 4, 25)),
        (2000, date(2000, 4, 23)),
    ],
)
def test_easter_sunday(year, expected):
    assert easter_sunday(year) == expected


def test_2026_holidays_include_easter_derived_and_sunday_shift():
    days = public_holidays(2026)
    assert date(2026, 4, 3) in days  # Good Friday
    assert date(2026, 4, 6) in days  # Family Day
    assert date(2026, 8, 10) in days  # Women's Day (Sun 9 Aug) moves to Monday
    assert date(2026, 12, 16) in days
    assert len(days) == 13


@pytest.mark.parametrize(
    "moment, allowed",
    [
        (at(2026, 11, 25, 7, 59), False),  # Wednesday before 08:00
        (at(2026, 11, 25, 8, 0), True),
        (at(2026, 11, 25, 19, 59), True),
        (at(2026, 11, 25, 20, 0), False),
        (at(2026, 11, 28, 8, 30), False),  # Saturday before 09:00
        (at(2026, 11, 28, 9, 0), True),
        (at(2026, 11, 28, 12, 59), True),
        (at(2026, 11, 28, 13, 0), False),
        (at(2026, 11, 29, 11, 0), False),  # Sunday
        (at(2026, 12, 16, 11, 0), False),  # Day of Reconciliation (Wednesday)
        (at(2026, 4, 3, 11, 0), False),  # Good Friday
        (at(2026, 4, 6, 11, 0), False),  # Family Day
        (at(2026, 8, 10, 11, 0), False),  # Monday after Women's Day on a Sunday
        (at(2026, 4, 7, 11, 0), True),  # ordinary Tuesday
    ],
)
def test_marketing_allowed_at(moment, allowed):
    assert marketing_allowed_at(moment) is allowed


def test_judged_in_johannesburg_time_whatever_the_input_zone():
    # 05:30 UTC is 07:30 in Johannesburg: too early, although 05:30 < 08:00 either way;
    # 18:30 UTC is 20:30 in Johannesburg: too late, although 18:30 UTC looks fine.
    assert marketing_allowed_at(datetime(2026, 11, 25, 18, 30, tzinfo=UTC)) is False
    assert marketing_allowed_at(datetime(2026, 11, 25, 17, 30, tzinfo=UTC)) is True
