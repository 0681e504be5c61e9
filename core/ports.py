"""The ports a unit of work carries (architecture.md 9), defined below it.

`core/db.py: UnitOfWork` names these types, so they live here, importing nothing of the core:
the areas that use a port (dispatch, booking limits, the conversations) and the adapters that
implement one (kerbside/redis_ports.py) both import this module, and neither imports the
other. Each port is built once, in `kerbside/bootstrap.py`, and handed to every unit of work.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy.orm import Session


class OperatorIndex(Protocol):
    """A rebuildable, Redis-held view of where ONLINE operators are. SQL is the truth
    (architecture.md 2): the index only narrows the search; every candidate it returns is
    re-checked in SQL before an offer is made."""

    def put(self, operator_id: int, lat: float, lon: float) -> None:
        """Add or move an online operator."""

    def remove(self, operator_id: int) -> None:
        """Forget an operator (offline)."""

    def near(self, lat: float, lon: float, radius_km: float, count: int) -> list[tuple[int, float]]:
        """Up to `count` operator ids within `radius_km`, nearest first, with distance in km."""

    def is_built(self) -> bool:
        """False when the index is missing (e.g. Redis was flushed) and must be rebuilt."""

    def replace_all(self, points: Iterable[tuple[int, float, float]]) -> int:
        """Replace the whole index with (operator_id, lat, lon) points; returns how many."""


class WindowCounter(Protocol):
    """Fixed-window counters shared by the abuse guards (rebuildable, architecture.md 2)."""

    def hit(self, key: str, ttl_seconds: int) -> int | None:
        """Count one more event under `key` (which names its window) and return the count so
        far, or None when the counter cannot be reached: the caller fails open."""


@dataclass(frozen=True)
class PointsEntry:
    when: datetime
    points: int
    reason: str


class LoyaltyPort(Protocol):
    """What the conversations ask of loyalty. Reads, in the caller's transaction (`session`)."""

    def balance(self, session: Session, person_id: int) -> int: ...

    def history(self, session: Session, person_id: int, limit: int = 5) -> list[PointsEntry]: ...

    def redeemable_cents(self, session: Session, person_id: int, price_cents: int) -> int: ...


class NoLoyalty:
    """Loyalty is not built yet: a balance of 0 and an empty history, so the booking summary
    shows no points line and "Points" says "no points yet". A real implementation is wired in
    bootstrap instead, without any dialog change."""

    def balance(self, session: Session, person_id: int) -> int:
        return 0

    def history(self, session: Session, person_id: int, limit: int = 5) -> list[PointsEntry]:
        return []

    def redeemable_cents(self, session: Session, person_id: int, price_cents: int) -> int:
        return 0
