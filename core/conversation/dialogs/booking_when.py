"""When to book: a day first (ASAP, Today, Tomorrow, the next weekdays by name, or another date
typed as DD/MM, anywhere inside the booking horizon), then a time on that day, the morning's
times on the first page and the afternoon's after `98`.

ASAP leads straight to the summary; a day leads to its times. A day with no free time is refused
on the screen that offered it, with a notice, so the person picks another day at once.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from ..display import PLACE_WIDTH, clock_time, cut, money, when
from ..machine import Choice, Reject, Screen, State, Step
from ..texts import render_text

WEEKDAYS_SHOWN = 7  # Today, Tomorrow and the next five days by name
DAY_SLOTS = 48  # every half hour of a day
EXAMPLE_DAYS = 7  # the date the typing prompt shows as its example
RECENTLY_PASSED_DAYS = 183  # a date without a year this long ago "has passed"
_DATE = re.compile(r"^\s*(\d{1,2})\s*[/.\- ]\s*(\d{1,2})(?:\s*[/.\- ]\s*(\d{2}|\d{4}))?\s*$")


def _today(ctx: Any) -> date:
    today: date = ctx.now().astimezone(ctx.settings.tz).date()
    return today


def _last_day(ctx: Any) -> date:
    return _today(ctx) + timedelta(days=ctx.settings.booking_horizon_days)


def day_label(day: date, ctx: Any) -> str:
    """'Today', 'Tomorrow' or 'Friday 27/11' in the person's language."""
    offset = (day - _today(ctx)).days
    if offset == 0:
        return render_text("word.today", ctx.language)
    if offset == 1:
        return render_text("word.tomorrow", ctx.language)
    name = render_text(f"day.{day.weekday()}", ctx.language)
    return f"{name} {day.strftime('%d/%m')}"


def _place(ctx: Any) -> tuple[str, float, float]:
    name, lat, lon = ctx.data["place"]
    return name, lat, lon


def _slots(ctx: Any, day: date | None, limit: int) -> list[Any]:
    _name, lat, lon = _place(ctx)
    return list(ctx.reads.slots(ctx.data["service"], lat, lon, day, limit=limit))


def _slot_value(slot: Any) -> str:
    return f"{slot.start.isoformat()}|{slot.price_cents}"


def when_screen(ctx: Any) -> Screen:
    """ASAP (the earliest slot today or tomorrow) first, then the days. With nothing free today
    or tomorrow the later days are offered under a title that says so; a place nobody serves
    gets a plain sorry."""
    name, lat, lon = _place(ctx)
    asap = _slots(ctx, None, 1)
    today = _today(ctx)
    last = _last_day(ctx)
    days = [today + timedelta(days=n) for n in range(WEEKDAYS_SHOWN)]
    choices: list[Choice] = []
    if asap:
        slot = asap[0]
        params = {"time": when(slot.start, ctx), "price": money(slot.price_cents)}
        choices.append(Choice(f"asap:{_slot_value(slot)}", "book.asap", params))
        first_free = slot.start.astimezone(ctx.settings.tz).date()
        days = [d for d in days if d >= first_free]  # today is full when ASAP is tomorrow
    else:
        if not ctx.reads.serves(ctx.data["service"], lat, lon):
            return Screen("book.not_served", {"place": cut(name, PLACE_WIDTH)}, kind="info")
        days = [d for d in days if d > today + timedelta(days=1)]
    names = {0: "word.today", 1: "word.tomorrow"}
    for day in days:
        if day <= last:
            key = names.get((day - today).days, f"day.{day.weekday()}")
            choices.append(Choice(f"day:{day.isoformat()}", key))
    if last >= today + timedelta(days=WEEKDAYS_SHOWN):
        choices.append(Choice("date", "book.other_date"))
    return Screen("book.when" if asap else "book.when_later", choices=tuple(choices))


def _to_summary(value: str) -> Step:
    start, price = value.split("|")
    # The slot's operator is not pinned: dispatch offers the job to whoever is best placed.
    return Step("c.book.payment", data={"start": start, "price": int(price)})


def _day_step(ctx: Any, day: date, notice: str) -> Step | Reject:
    if not _slots(ctx, day, DAY_SLOTS):  # the same ask as the times screen's: read once a hop
        return Reject(notice, {"day": day_label(day, ctx)})
    return Step("c.book.time", data={"day": day.isoformat()})


def when_input(ctx: Any, value: str) -> Step | Reject:
    kind, _, rest = value.partition(":")
    if kind == "asap":
        return _to_summary(rest)
    if kind == "date":
        return Step("c.book.date")
    return _day_step(ctx, date.fromisoformat(rest), "notice.day_full")


def parse_day(raw: str, today: date, last: date) -> date | str:
    """The date typed as DD/MM (or D/M, DD-MM, DD.MM, with or without the year), or the notice
    that says why not. Without a year a date means its next coming, so in December "05/01" is
    January; one that went by in the last half year "has passed" rather than "is too far"."""
    found = _DATE.match(raw)
    if not found:
        return "notice.date_format"
    day, month, year = int(found[1]), int(found[2]), found[3]
    years = [int(year) + (2000 if len(year) == 2 else 0)] if year else [today.year, today.year + 1]
    candidates = []
    for y in years:
        try:
            candidates.append(date(y, month, day))
        except ValueError:
            continue
    if not candidates:
        return "notice.date_format"
    for candidate in candidates:
        if today <= candidate <= last:
            return candidate
    first = candidates[0]
    if first < today and (year or (today - first).days <= RECENTLY_PASSED_DAYS):
        return "notice.date_past"
    return "notice.date_far"


def date_screen(ctx: Any) -> Screen:
    example = (_today(ctx) + timedelta(days=EXAMPLE_DAYS)).strftime("%d/%m")
    return Screen("book.date", {"example": example}, kind="text")


def date_input(ctx: Any, raw: str) -> Step | Reject:
    found = parse_day(raw, _today(ctx), _last_day(ctx))
    if isinstance(found, str):
        return Reject(found, {"days": ctx.settings.booking_horizon_days})
    return _day_step(ctx, found, "notice.date_full")


def time_screen(ctx: Any) -> Screen:
    """Every free time of the chosen day; the afternoon begins a page. One price for the whole
    day goes in the title, otherwise each time shows its own."""
    day = date.fromisoformat(ctx.data["day"])
    label = day_label(day, ctx)
    slots = _slots(ctx, day, DAY_SLOTS)
    if not slots:
        return Screen("book.day_full", {"day": label}, kind="info")
    prices = {s.price_cents for s in slots}
    one_price = len(prices) == 1
    choices = tuple(
        Choice(
            _slot_value(s),
            "book.time" if one_price else "book.slot",
            {"time": clock_time(s.start, ctx), "price": money(s.price_cents)},
        )
        for s in slots
    )
    afternoon = next(
        (i for i, s in enumerate(slots) if s.start.astimezone(ctx.settings.tz).hour >= 12), 0
    )
    if one_price:
        params = {"day": label, "price": money(slots[0].price_cents)}
        return Screen("book.times_price", params, choices=choices, page_breaks=(afternoon,))
    return Screen("book.times", {"day": label}, choices=choices, page_breaks=(afternoon,))


def time_input(ctx: Any, value: str) -> Step:
    return _to_summary(value)


STATES = [
    State(
        "c.book.when",
        goes_to=("c.book.payment", "c.book.time", "c.book.date"),
        screen=when_screen,
        on_input=when_input,
    ),
    State("c.book.date", goes_to=("c.book.time",), screen=date_screen, on_input=date_input),
    State("c.book.time", goes_to=("c.book.payment",), screen=time_screen, on_input=time_input),
]
