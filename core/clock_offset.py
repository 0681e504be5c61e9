"""The development platform's clock offset: `kerbside clock advance 1d` moves every process's
time forward (web, workers, scheduler), so that what is due tomorrow can be tried today.

One row in SQL, read by each process at most once a second (`OffsetClock`). Only a platform
whose every gateway is the console one reads it at all (`platform_clock`); a real platform's
clock is the real time, whatever a table says.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta, tzinfo

from sqlalchemy import BigInteger, CheckConstraint, Engine, SmallInteger, select, text
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.clock import Clock, OffsetClock, SystemClock
from core.db import Base
from core.settings import Settings

log = logging.getLogger(__name__)

_PART = re.compile(r"(\d+)([wdhms])")
_UNIT_SECONDS = {"w": 604_800, "d": 86_400, "h": 3_600, "m": 60, "s": 1}
MAX_OFFSET = timedelta(days=3_650)


class ClockOffset(Base):
    __tablename__ = "clock_offset"
    __table_args__ = (
        CheckConstraint("id = 1", name="single_row"),
        CheckConstraint("offset_seconds >= 0", name="forward_only"),
    )

    id: Mapped[int] = mapped_column(SmallInteger, primary_key=True)  # always 1
    offset_seconds: Mapped[int] = mapped_column(BigInteger, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(nullable=False)


class BadDurationError(ValueError):
    """Not a duration such as 90m, 2h, 1d or 1d2h30m."""


class RealPlatformError(Exception):
    """The clock may be moved only where every gateway is the console one."""


def parse_duration(raw: str) -> timedelta:
    """'90m', '2h', '1d', '1d2h30m', '1w' (also with spaces: '1d 2h'); always forward."""
    compact = raw.replace(" ", "").lower()
    parts = _PART.findall(compact)
    if not compact or "".join(n + u for n, u in parts) != compact:
        raise BadDurationError(raw)
    seconds = sum(int(number) * _UNIT_SECONDS[unit] for number, unit in parts)
    if seconds <= 0:
        raise BadDurationError(raw)
    return timedelta(seconds=seconds)


def until(raw: str, now: datetime, tz: tzinfo) -> timedelta:
    """How far to move the clock so that it shows `raw`, a wall time where the platform is:
    'HH:MM' (the next time the clock shows it) or 'YYYY-MM-DD HH:MM'. Always forward."""
    raw = raw.strip()
    local_now = now.astimezone(tz)
    try:
        if re.fullmatch(r"\d{1,2}:\d{2}", raw):
            hour, minute = (int(part) for part in raw.split(":"))
            target = local_now.replace(hour=hour, minute=minute, second=0, microsecond=0)
            if target <= local_now:
                target += timedelta(days=1)
        else:
            target = datetime.fromisoformat(raw)
            if target.tzinfo is None:
                target = target.replace(tzinfo=tz)
    except ValueError:
        raise BadDurationError(raw) from None
    by = target - now
    if by <= timedelta(0):
        raise BadDurationError(f"{raw} is not in the platform's future")
    return by


def describe(offset: timedelta) -> str:
    """'+1d 2h 30m' (seconds shown only when there are some)."""
    total = int(offset.total_seconds())
    days, rest = divmod(total, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, seconds = divmod(rest, 60)
    text_ = f"+{days}d {hours}h {minutes}m"
    return f"{text_} {seconds}s" if seconds else text_


def stored_offset(engine: Engine) -> timedelta:
    """The offset in SQL, on a connection of its own (never the caller's transaction). Before
    the migration that makes the table has run there is no offset."""
    try:
        with engine.connect() as conn:
            seconds = conn.scalar(select(ClockOffset.offset_seconds))
    except ProgrammingError:
        log.debug("clock_offset table missing; no offset")
        return timedelta(0)
    return timedelta(seconds=seconds or 0)


def ensure_development(settings: Settings) -> None:
    if not settings.webhooks_may_be_unauthenticated:
        chosen = (settings.sms_provider, settings.sms_fallback_provider)
        gateways = ", ".join(name for name in chosen if name)
        raise RealPlatformError(
            f"the clock can be moved only on a development platform (every gateway the console "
            f"one); this one sends through {gateways}"
        )


def advance(session: Session, settings: Settings, by: timedelta) -> timedelta:
    """Move the platform's time forward by `by`; returns the new offset. Concurrent advances add
    up (one upsert). The caller commits."""
    ensure_development(settings)
    seconds = int(by.total_seconds())
    total = session.execute(
        text(
            "insert into clock_offset (id, offset_seconds, updated_at) values (1, :s, now()) "
            "on conflict (id) do update set offset_seconds = clock_offset.offset_seconds + :s, "
            "updated_at = now() returning offset_seconds"
        ),
        {"s": seconds},
    ).scalar_one()
    if timedelta(seconds=total) > MAX_OFFSET:
        raise BadDurationError(f"{describe(timedelta(seconds=total))} is more than ten years")
    return timedelta(seconds=total)


def reset(session: Session, settings: Settings) -> None:
    """Back to the real time. Whatever happened in the platform's future stays as it was."""
    ensure_development(settings)
    session.execute(text("delete from clock_offset"))


def platform_clock(settings: Settings, engine: Engine, base: Clock | None = None) -> Clock:
    """The clock every process of a platform runs on: the real time, plus the stored offset
    only where every gateway is the console one."""
    base = base or SystemClock()
    if not settings.webhooks_may_be_unauthenticated:
        return base
    return OffsetClock(lambda: stored_offset(engine), base)
