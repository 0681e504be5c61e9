"""The loyalty port the conversations call. Loyalty is not built yet: `NoLoyalty` answers a
balance of 0 and an empty history, so the booking dialog shows "Points: 0" and skips the
redemption offer, and "Points" says "no points yet". A real implementation replaces
`loyalty_port()`'s answer without any dialog change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from core.db import UnitOfWork


@dataclass(frozen=True)
class PointsEntry:
    when: datetime
    points: int
    reason: str


class LoyaltyPort(Protocol):
    def balance(self, uow: UnitOfWork, person_id: int) -> int: ...

    def history(self, uow: UnitOfWork, person_id: int, limit: int = 5) -> list[PointsEntry]: ...

    def redeemable_cents(self, uow: UnitOfWork, person_id: int, price_cents: int) -> int: ...


class NoLoyalty:
    def balance(self, uow: UnitOfWork, person_id: int) -> int:
        return 0

    def history(self, uow: UnitOfWork, person_id: int, limit: int = 5) -> list[PointsEntry]:
        return []

    def redeemable_cents(self, uow: UnitOfWork, person_id: int, price_cents: int) -> int:
        return 0


def loyalty_port() -> LoyaltyPort:
    return NoLoyalty()
