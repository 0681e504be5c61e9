"""Catalogue, operators' businesses, bookings and their events, capacity holds, recurring series.

Capacity is enforced by the database (architecture.md 6), in two tables:
- `capacity_holds`: one row per booking that holds a unit of an operator's concurrent capacity,
  on a numbered lane; an exclusion constraint forbids two overlapping holds on the same lane of
  the same operator, so an operator with capacity N can never carry more than N overlapping jobs.
- `operator_days`: per operator and Johannesburg day, the number of jobs taken; raised with a
  conditional upsert (`... WHERE used < capacity RETURNING`), never by check-then-insert.
"""

from __future__ import annotations

import enum
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB, TSTZRANGE, ExcludeConstraint, Range
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, created_column, id_column


class BookingStatus(enum.StrEnum):
    REQUESTED = "requested"
    OFFERED = "offered"
    ACCEPTED = "accepted"
    EN_ROUTE = "en_route"
    ARRIVED = "arrived"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    NO_SHOW = "no_show"


ACTIVE_STATUSES = (
    BookingStatus.REQUESTED,
    BookingStatus.OFFERED,
    BookingStatus.ACCEPTED,
    BookingStatus.EN_ROUTE,
    BookingStatus.ARRIVED,
    BookingStatus.IN_PROGRESS,
)
ACTIVE_SQL = "status in ('requested','offered','accepted','en_route','arrived','in_progress')"


class Service(Base):
    """The platform catalogue: what can be booked, how long it takes, the allowed price band."""

    __tablename__ = "services"
    __table_args__ = (
        UniqueConstraint("code"),
        CheckConstraint("min_price_cents > 0 and max_price_cents >= min_price_cents", name="band"),
        CheckConstraint("duration_minutes > 0", name="duration_positive"),
    )

    id: Mapped[int] = id_column()
    code: Mapped[str] = mapped_column(String(32), nullable=False)
    name: Mapped[str] = mapped_column(String(40), nullable=False)
    duration_minutes: Mapped[int] = mapped_column(Integer, nullable=False)
    min_price_cents: Mapped[int] = mapped_column(nullable=False)
    max_price_cents: Mapped[int] = mapped_column(nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)


class Operator(Base):
    """An operator's business profile, keyed by the operator's person id."""

    __tablename__ = "operators"
    __table_args__ = (
        CheckConstraint("concurrent_capacity between 1 and 20", name="concurrent_range"),
        CheckConstraint("daily_capacity >= 1", name="daily_positive"),
        CheckConstraint("radius_km > 0", name="radius_positive"),
        Index("ix_operators_online", "online", postgresql_where="online"),
    )

    person_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    business_name: Mapped[str] = mapped_column(String(60), nullable=False)
    home_lat: Mapped[float] = mapped_column(Float, nullable=False)
    home_lon: Mapped[float] = mapped_column(Float, nullable=False)
    home_area: Mapped[str | None] = mapped_column(String(60))
    radius_km: Mapped[float] = mapped_column(Float, nullable=False, default=15.0)
    # Where the operator is now (defaults to home); the geo index follows this point.
    lat: Mapped[float] = mapped_column(Float, nullable=False)
    lon: Mapped[float] = mapped_column(Float, nullable=False)
    online: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    concurrent_capacity: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    daily_capacity: Mapped[int] = mapped_column(Integer, nullable=False, default=8)
    offers_received: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    offers_accepted: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    cooloff_until: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = created_column()


class OperatorService(Base):
    """A service an operator sells, at the operator's own price (inside the band)."""

    __tablename__ = "operator_services"
    __table_args__ = (CheckConstraint("expertise between 1 and 5", name="expertise_range"),)

    operator_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("operators.person_id", ondelete="CASCADE"), primary_key=True
    )
    service_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("services.id"), primary_key=True, index=True
    )
    price_cents: Mapped[int] = mapped_column(nullable=False)
    expertise: Mapped[int] = mapped_column(SmallInteger, nullable=False, default=3)


class WorkingHours(Base):
    """Weekly opening hours in Johannesburg local time; weekday 0 = Monday."""

    __tablename__ = "working_hours"
    __table_args__ = (
        CheckConstraint("weekday between 0 and 6", name="weekday_range"),
        CheckConstraint("closes > opens", name="order"),
    )

    id: Mapped[int] = id_column()
    operator_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("operators.person_id", ondelete="CASCADE"), index=True
    )
    weekday: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    opens: Mapped[time] = mapped_column(Time, nullable=False)
    closes: Mapped[time] = mapped_column(Time, nullable=False)


class HoursException(Base):
    """A date the operator is closed (opens/closes null) or works special hours."""

    __tablename__ = "hours_exceptions"
    __table_args__ = (UniqueConstraint("operator_id", "day"),)

    id: Mapped[int] = id_column()
    operator_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("operators.person_id", ondelete="CASCADE"), nullable=False
    )
    day: Mapped[date] = mapped_column(Date, nullable=False)
    opens: Mapped[time | None] = mapped_column(Time)
    closes: Mapped[time | None] = mapped_column(Time)


class OperatorDay(Base):
    """Jobs taken per operator per Johannesburg day (daily capacity, raised conditionally)."""

    __tablename__ = "operator_days"

    operator_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("operators.person_id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    used: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class CapacityHold(Base):
    """A unit of an operator's concurrent capacity held by one booking for its time range."""

    __tablename__ = "capacity_holds"
    __table_args__ = (
        CheckConstraint("lane between 0 and 19", name="lane_range"),
        ExcludeConstraint(
            ("operator_id", "="),
            ("lane", "="),
            ("during", "&&"),
            name="capacity_holds_no_overlap",
            using="gist",
        ),
    )

    booking_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("bookings.id", ondelete="CASCADE"), primary_key=True
    )
    operator_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("operators.person_id", ondelete="CASCADE"), nullable=False
    )
    lane: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    during: Mapped[Range[datetime]] = mapped_column(TSTZRANGE, nullable=False)
    day: Mapped[date] = mapped_column(Date, nullable=False)


class BookingSeries(Base):
    """A recurring booking: the same slot every week, fortnight or month."""

    __tablename__ = "booking_series"
    __table_args__ = (
        CheckConstraint("frequency in ('weekly','fortnightly','monthly')", name="frequency"),
        CheckConstraint("status in ('active','paused','cancelled')", name="status_known"),
    )

    id: Mapped[int] = id_column()
    consumer_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("people.id"), index=True)
    service_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("services.id"))
    operator_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("operators.person_id", ondelete="SET NULL")
    )
    lat: Mapped[float] = mapped_column(Float, nullable=False)
    lon: Mapped[float] = mapped_column(Float, nullable=False)
    place_name: Mapped[str] = mapped_column(String(60), nullable=False)
    frequency: Mapped[str] = mapped_column(String(12), nullable=False)
    first_day: Mapped[date] = mapped_column(Date, nullable=False)
    local_time: Mapped[time] = mapped_column(Time, nullable=False)
    payment_method: Mapped[str] = mapped_column(String(16), nullable=False, default="cash")
    status: Mapped[str] = mapped_column(String(12), nullable=False, default="active")
    skipped_days: Mapped[list[str]] = mapped_column(JSONB, nullable=False, default=list)
    generated_through: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = created_column()


class Booking(Base):
    __tablename__ = "bookings"
    __table_args__ = (
        UniqueConstraint("idempotency_key"),
        Index("uq_bookings_active_ref", "ref", unique=True, postgresql_where=ACTIVE_SQL),
        Index("ix_bookings_operator_start", "operator_id", "start_at"),
        Index("ix_bookings_consumer_start", "consumer_id", "start_at"),
        CheckConstraint("price_cents > 0", name="price_positive"),
        CheckConstraint(
            "status in ('requested','offered','accepted','en_route','arrived','in_progress',"
            "'completed','cancelled','expired','no_show')",
            name="status_known",
        ),
    )

    id: Mapped[int] = id_column()
    ref: Mapped[str] = mapped_column(String(8), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    consumer_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("people.id"), nullable=False)
    service_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("services.id"), nullable=False)
    operator_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("operators.person_id", ondelete="SET NULL")
    )
    favourite_operator_id: Mapped[int | None] = mapped_column(BigInteger)
    series_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("booking_series.id", ondelete="SET NULL"), index=True
    )
    lat: Mapped[float] = mapped_column(Float, nullable=False)
    lon: Mapped[float] = mapped_column(Float, nullable=False)
    place_name: Mapped[str] = mapped_column(String(60), nullable=False)
    start_at: Mapped[datetime] = mapped_column(nullable=False)
    end_at: Mapped[datetime] = mapped_column(nullable=False)
    price_cents: Mapped[int] = mapped_column(nullable=False)
    commission_cents: Mapped[int] = mapped_column(nullable=False)
    operator_earn_cents: Mapped[int] = mapped_column(nullable=False)
    payment_method: Mapped[str] = mapped_column(String(16), nullable=False, default="cash")
    idempotency_key: Mapped[str] = mapped_column(String(120), nullable=False)
    offer_attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    eta_minutes: Mapped[int | None] = mapped_column(Integer)
    cancel_fee_cents: Mapped[int] = mapped_column(nullable=False, default=0)
    cancel_reason: Mapped[str | None] = mapped_column(String(200))
    completed_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(nullable=False)
    updated_at: Mapped[datetime] = mapped_column(nullable=False)


class BookingEvent(Base):
    """Every booking and offer event (core/booking/events.py), with who did it and when: `type`
    is the event's name, `detail` its JSON payload. Never updated; read in `id` order."""

    __tablename__ = "booking_events"
    __table_args__ = (Index("ix_booking_events_type_id", "type", "id"),)

    id: Mapped[int] = id_column()
    booking_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("bookings.id", ondelete="CASCADE"), index=True
    )
    type: Mapped[str] = mapped_column(String(32), nullable=False)
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16), nullable=False)
    actor_kind: Mapped[str] = mapped_column(String(12), nullable=False)  # consumer/operator/system
    actor_person_id: Mapped[int | None] = mapped_column(BigInteger)
    at: Mapped[datetime] = mapped_column(nullable=False)
    detail: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, default=dict)
    note: Mapped[str | None] = mapped_column(Text)
