"""Scheduled work is SQL rows (architecture.md 4) with `due_at`, claimed with SKIP LOCKED."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, created_column, id_column


class JobStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for due_at
    QUEUED = "queued"  # handed to RQ; re-handed if Redis lost it
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"  # out of attempts
    CANCELLED = "cancelled"


class ScheduledJob(Base):
    __tablename__ = "scheduled_jobs"
    __table_args__ = (
        UniqueConstraint("dedupe_key"),
        Index("ix_scheduled_jobs_due", "due_at", postgresql_where="status = 'pending'"),
        Index("ix_scheduled_jobs_queued", "queued_at", postgresql_where="status = 'queued'"),
    )

    id: Mapped[int] = id_column()
    kind: Mapped[str] = mapped_column(String(64), nullable=False)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, default=dict)
    due_at: Mapped[datetime] = mapped_column(nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="pending")
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=5)
    dedupe_key: Mapped[str | None] = mapped_column(String(200))
    queued_at: Mapped[datetime | None] = mapped_column()
    started_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = created_column()
