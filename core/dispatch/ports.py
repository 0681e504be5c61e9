"""The operator geo index port: a rebuildable, Redis-held view of where ONLINE operators are.

SQL is the truth (architecture.md 2): the index only narrows the search; every candidate it returns
is re-checked in SQL before an offer is made.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol


class OperatorIndex(Protocol):
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
