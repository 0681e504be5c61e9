"""The ledger's tables (migration 0006_ledger holds the triggers and constraints that guard them).

Lines carry the money: `amount` in minor units of `currency` (cents for ZAR, points for PTS),
positive for a debit and negative for a credit, so an entry's lines sum to zero per currency
and phase. `phase` is `posted` (money that moved) or `pending` (held by an authorisation until
it is captured or voided). Rows are never updated or deleted once inserted.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, created_column, id_column


class LedgerAccount(Base):
    __tablename__ = "ledger_accounts"

    id: Mapped[int] = id_column()
    code: Mapped[str] = mapped_column(String(80), nullable=False, unique=True)
    owner_kind: Mapped[str] = mapped_column(String(12), nullable=False)
    owner_id: Mapped[int | None] = mapped_column(BigInteger)
    provider: Mapped[str | None] = mapped_column(String(16))
    purpose: Mapped[str] = mapped_column(String(24), nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    created_at: Mapped[datetime] = created_column()


class LedgerEntry(Base):
    __tablename__ = "ledger_entries"

    id: Mapped[int] = id_column()
    idempotency_key: Mapped[str] = mapped_column(String(160), nullable=False, unique=True)
    kind: Mapped[str] = mapped_column(String(24), nullable=False)
    booking_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("bookings.id"))
    reverses_entry_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("ledger_entries.id"), unique=True
    )
    resolves_entry_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("ledger_entries.id"), unique=True
    )
    digest: Mapped[str] = mapped_column(String(64), nullable=False)
    memo: Mapped[str | None] = mapped_column(String(200))
    posted_at: Mapped[datetime] = mapped_column(nullable=False)
    created_at: Mapped[datetime] = created_column()


class LedgerLine(Base):
    __tablename__ = "ledger_lines"

    id: Mapped[int] = id_column()
    entry_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("ledger_entries.id"), nullable=False, index=True
    )
    account_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("ledger_accounts.id"), nullable=False
    )
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    phase: Mapped[str] = mapped_column(String(8), nullable=False)
    amount: Mapped[int] = mapped_column(nullable=False)
    posted_at: Mapped[datetime] = mapped_column(nullable=False)
