"""Ratings consumers give finished jobs (SMS `RATE <ref> <1-5>`). One per booking and person;
rating again replaces the stars."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, id_column


class Rating(Base):
    __tablename__ = "ratings"
    __table_args__ = (
        UniqueConstraint("booking_id", "person_id"),
        CheckConstraint("stars between 1 and 5", name="stars_range"),
    )

    id: Mapped[int] = id_column()
    booking_id: Mapped[int] = mapped_column(BigInteger, nullable=False)  # bookings.id
    booking_ref: Mapped[str] = mapped_column(String(8), nullable=False)
    person_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("people.id"), nullable=False)
    operator_person_id: Mapped[int | None] = mapped_column(BigInteger)
    stars: Mapped[int] = mapped_column(Integer, nullable=False)
    channel: Mapped[str] = mapped_column(String(8), nullable=False, default="sms")
    created_at: Mapped[datetime] = mapped_column(nullable=False)
    updated_at: Mapped[datetime] = mapped_column(nullable=False)
