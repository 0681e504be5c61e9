"""Time as a dependency. Everything stored is UTC; Africa/Johannesburg is for display only."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock tests move by hand, so that expiry and scheduling can be proven without sleeping."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime.now(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, **delta: float) -> datetime:
        self._now += timedelta(**delta)
        return self._now

    def set(self, moment: datetime) -> None:
        self._now = moment


class OffsetClock:
    """Another clock plus an offset read through `read_offset`, at most once per `ttl` seconds
    in this process: a development platform moves its time forward this way
    (core/clock_offset.py) and every process sees the move within a second."""

    def __init__(
        self,
        read_offset: Callable[[], timedelta],
        base: Clock | None = None,
        ttl: float = 1.0,
    ) -> None:
        self._read, self._base, self.ttl = read_offset, base or SystemClock(), ttl
        self._cached: tuple[float, timedelta] = (-math.inf, timedelta(0))

    def offset(self) -> timedelta:
        read_at, offset = self._cached
        moment = time.monotonic()
        if moment - read_at >= self.ttl:
            offset = self._read()
            self._cached = (moment, offset)  # one assignment: safe across threads
        return offset

    def now(self) -> datetime:
        return self._base.now() + self.offset()
