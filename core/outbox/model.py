"""The transactional outbox (architecture.md 3): one row per call that must leave the system.

Every row has a `kind` (`sms`, `push`, the coming payment and payout calls) and a `payload`; the
relay hands each kind to the deliverer registered for it. SMS rows keep their own columns
(recipient, template, body, encoding, cost) because the console and `kerbside outbox` query them;
other kinds carry what they need in `payload`.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, created_column, id_column


class MessageStatus(enum.StrEnum):
    PENDING = "pending"  # written, not yet handed to a provider
    QUEUED = "queued"  # accepted by the provider
    SENT = "sent"  # left the provider towards the network
    DELIVERED = "delivered"  # the handset has it
    UNDELIVERED = "undelivered"  # the network gave up
    FAILED = "failed"  # the provider refused it, or every try failed
    SUPPRESSED = "suppressed"  # never sent on purpose (opted out, quiet hours passed)


# How far along a status is. Delivery reports only ever move a message forward.
STATUS_RANK = {
    MessageStatus.PENDING: 0,
    MessageStatus.QUEUED: 1,
    MessageStatus.SENT: 2,
    MessageStatus.DELIVERED: 3,
    MessageStatus.UNDELIVERED: 3,
    MessageStatus.FAILED: 3,
    MessageStatus.SUPPRESSED: 3,
}
FINAL_STATUSES = frozenset(s for s, rank in STATUS_RANK.items() if rank == 3)


class Purpose(enum.StrEnum):
    TRANSACTIONAL = "transactional"  # bookings, jobs, payments, OTPs, opt-out confirmations
    MARKETING = "marketing"  # promotions: need consent, never to opted-out people, WASPA hours


class OutboxMessage(Base):
    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("idempotency_key"),
        UniqueConstraint("provider", "provider_message_id"),
        CheckConstraint("kind ~ '^[a-z][a-z0-9_.]*$'", name="kind_named"),
        CheckConstraint(
            "kind <> 'sms' or (recipient is not null and template is not null)",
            name="sms_addressed",
        ),
        CheckConstraint("purpose in ('transactional','marketing')", name="purpose_known"),
        Index("ix_outbox_due", "kind", "next_attempt_at", postgresql_where="status = 'pending'"),
        Index("ix_outbox_recipient", "recipient", "created_at"),
    )

    id: Mapped[int] = id_column()
    created_at: Mapped[datetime] = created_column()
    kind: Mapped[str] = mapped_column(String(32), nullable=False, default="sms")
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, default=dict)
    person_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("people.id"))
    recipient: Mapped[str | None] = mapped_column(String(32))  # required for sms
    template: Mapped[str | None] = mapped_column(String(64))  # required for sms
    params: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, default=dict)
    language: Mapped[str] = mapped_column(String(2), nullable=False, default="en")
    body: Mapped[str | None] = mapped_column(Text)
    purpose: Mapped[str] = mapped_column(String(16), nullable=False, default="transactional")
    idempotency_key: Mapped[str] = mapped_column(String(200), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="pending")
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(nullable=False)
    lease_until: Mapped[datetime | None] = mapped_column()
    provider: Mapped[str | None] = mapped_column(String(24))
    provider_message_id: Mapped[str | None] = mapped_column(String(100))
    fallback_used: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    encoding: Mapped[str | None] = mapped_column(String(8))
    segments: Mapped[int | None] = mapped_column(Integer)
    cost_cents: Mapped[int | None] = mapped_column(Integer)
    error_code: Mapped[str | None] = mapped_column(String(40))
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column()
    status_at: Mapped[datetime | None] = mapped_column()
