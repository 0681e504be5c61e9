"""Offers: one exclusive, expiring offer of a booking to one operator at a time.

A partial unique index allows at most one open offer per booking; acceptance is a
compare-and-set on `status = 'open' and expires_at > now`. `score` holds the breakdown that
made this operator the pick (and the runners-up), so "why did I not get this job" has an answer.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, Float, ForeignKey, Index, Integer, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, id_column


class OfferStatus(enum.StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"  # the booking was cancelled or rescheduled while the offer was open


class Offer(Base):
    __tablename__ = "offers"
    __table_args__ = (
        Index("uq_offers_one_open", "booking_id", unique=True, postgresql_where="status = 'open'"),
        Index("ix_offers_operator_status", "operator_id", "status"),
        CheckConstraint(
            "status in ('open','accepted','declined','expired','withdrawn')", name="status_known"
        ),
    )

    id: Mapped[int] = id_column()
    booking_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("bookings.id", ondelete="CASCADE"), nullable=False, index=True
    )
    operator_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("operators.person_id", ondelete="CASCADE"), nullable=False
    )
    attempt: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[str] = mapped_column(String(12), nullable=False, default="open")
    distance_km: Mapped[float] = mapped_column(Float, nullable=False)
    earn_cents: Mapped[int] = mapped_column(nullable=False)
    score: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
    created_at: Mapped[datetime] = mapped_column(nullable=False)
    expires_at: Mapped[datetime] = mapped_column(nullable=False)
    responded_at: Mapped[datetime | None] = mapped_column()
