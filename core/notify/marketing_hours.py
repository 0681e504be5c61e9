"""When direct marketing may be sent in South Africa (WASPA code, CPA regulation 4).

Weekdays 08:00-20:00 and Saturdays 09:00-13:00, Africa/Johannesburg; never on Sundays or public
holidays. Pure functions: the relay asks `marketing_allowed_at(uow.now(), tz)` before handing over a
`marketing` message and holds it back otherwise. Transactional messages are never held.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

JOHANNESBURG = ZoneInfo("Africa/Johannesburg")

# Fixed-date public holidays (Public Holidays Act 36 of 1994).
FIXED_HOLIDAYS = (
    (1, 1),  # New Year's Day
    (3, 21),  # Human Rights Day
    (4, 27),  # Freedom Day
    (5, 1),  # Workers' Day
    (6, 16),  # Youth Day
    (8, 9),  # National Women's Day
    (9, 24),  # Heritage Day
    (12, 16),  # Day of Reconciliation
    (12, 25),  # Christmas Day
    (12, 26),  # Day of Goodwill
)

WEEKDAY_HOURS = (time(8, 0), time(20, 0))
SATURDAY_HOURS = (time(9, 0), time(13, 0))


def easter_sunday(year: int) -> date:
    """Western (Gregorian) Easter Sunday, by the anonymous Gregorian algorithm."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return date(year, month, day + 1)


@lru_cache(maxsize=64)
def public_holidays(year: int) -> frozenset[date]:
    """South African public holidays of `year`, including Good Friday and Family Day, and the
    Monday after any holiday that falls on a Sunday (section 2(1) of the Act)."""
    days = {date(year, month, day) for month, day in FIXED_HOLIDAYS}
    easter = easter_sunday(year)
    days |= {easter - timedelta(days=2), easter + timedelta(days=1)}
    for holiday in list(days):
        if holiday.weekday() == 6:
            days.add(holiday + timedelta(days=1))
    return frozenset(days)


def is_public_holiday(day: date) -> bool:
    return day in public_holidays(day.year)


def marketing_allowed_at(moment: datetime, tz: ZoneInfo = JOHANNESBURG) -> bool:
    """True when a promotional SMS may be sent at `moment` (an aware datetime, any zone)."""
    local = moment.astimezone(tz)
    day, clock = local.date(), local.time()
    if day.weekday() == 6 or is_public_holiday(day):
        return False
    start, end = SATURDAY_HOURS if day.weekday() == 5 else WEEKDAY_HOURS
    return start <= clock < end
