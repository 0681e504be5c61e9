"""Display strings for prompt parameters: money, times, names cut to fit a screen.

Parameters are rendered here, once, in the person's language, so that every renderer shows the
same thing. Times are shown in the platform time zone (Africa/Johannesburg)."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from core.outbox.encoding import GSM7_BASIC

from .texts import TEXTS, render_text

NAME_WIDTH = 18
PLACE_WIDTH = 20


def money(cents: int) -> str:
    rands, rest = divmod(int(cents), 100)
    return f"R{rands}" if rest == 0 else f"R{rands}.{rest:02d}"


_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


def cut(text: str | None, width: int = NAME_WIDTH) -> str:
    """Plain GSM-7 text (accents dropped, anything else '?'), at most `width` characters."""
    folded = unicodedata.normalize("NFKD", (text or "").translate(_QUOTES))
    plain = "".join(
        ch if ch in GSM7_BASIC and ch not in "\r\n" else "?"
        for ch in folded
        if not unicodedata.combining(ch)
    ).strip()
    return plain if len(plain) <= width else plain[: width - 1].rstrip() + "."


def _day_word(day: date, today: date, language: str) -> str | None:
    if day == today:
        return render_text("word.today", language)
    if day == today + timedelta(days=1):
        return render_text("word.tomorrow", language)
    return None


def when(moment: datetime, ctx: Any) -> str:
    """'Today 14:00', 'Tomorrow 09:30' or '27/11 14:00' in the platform time zone."""
    tz = ctx.settings.tz
    local = moment.astimezone(tz)
    word = _day_word(local.date(), ctx.now().astimezone(tz).date(), ctx.language)
    return f"{word or local.strftime('%d/%m')} {local:%H:%M}"


def day_time(moment: datetime, now: datetime, tz: tzinfo, language: str) -> str:
    """'Today 14:00', 'Tomorrow 09:30' or 'Fri 14:00' in `tz`: for the week ahead, where a
    weekday is never ambiguous (the operator's job lists, USSD and SMS)."""
    local = moment.astimezone(tz)
    word = _day_word(local.date(), now.astimezone(tz).date(), language)
    if word is None:
        word = render_text("day.short", language).split()[local.weekday()]
    return f"{word} {local:%H:%M}"


def clock_time(moment: datetime, ctx: Any) -> str:
    return moment.astimezone(ctx.settings.tz).strftime("%H:%M")


def status(code: str, language: str) -> str:
    key = f"status.{code}"
    return render_text(key, language) if key in TEXTS else cut(code.replace("_", " "), 12)


def reason(code: str | None, language: str) -> str:
    key = f"error.{code}"
    return render_text(key if key in TEXTS else "error.generic", language)
