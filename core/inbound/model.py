"""Idempotency records for inbound requests (architecture.md 5).

Each provider delivery is keyed by the provider's own id under a unique constraint; the stored
answer is replayed to a retry, so a duplicate changes nothing and gets the same reply.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, created_column, id_column


class InboundRequest(Base):
    __tablename__ = "inbound_requests"
    __table_args__ = (UniqueConstraint("provider", "provider_ref"),)

    id: Mapped[int] = id_column()
    provider: Mapped[str] = mapped_column(String(32), nullable=False)
    provider_ref: Mapped[str] = mapped_column(String(200), nullable=False)
    received_at: Mapped[datetime] = created_column()
    response_status: Mapped[int] = mapped_column(Integer, nullable=False, default=200)
    response_type: Mapped[str] = mapped_column(String(64), nullable=False, default="text/plain")
    response_body: Mapped[str] = mapped_column(Text, nullable=False, default="")
