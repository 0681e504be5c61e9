"""Conversation sessions and operator applications.

A session row per (channel, session key) records what was shown (the numbered options and the
page), the state, the back stack, the dialog data, the full input history, the language and
when it was last touched, so that a stale or replayed hop can never act on old options.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, created_column, id_column


class ConversationSession(Base):
    __tablename__ = "conversation_sessions"
    __table_args__ = (UniqueConstraint("channel", "session_key"),)

    id: Mapped[int] = id_column()
    channel: Mapped[str] = mapped_column(String(8), nullable=False)
    session_key: Mapped[str] = mapped_column(String(120), nullable=False)
    phone: Mapped[str] = mapped_column(String(16), nullable=False)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), nullable=False, index=True
    )
    state: Mapped[str] = mapped_column(String(64), nullable=False)
    stack: Mapped[list[str]] = mapped_column(JSONB, nullable=False, default=list)
    data: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, default=dict)
    history: Mapped[list[str]] = mapped_column(JSONB, nullable=False, default=list)
    last_text: Mapped[str] = mapped_column(Text, nullable=False, default="")
    shown: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, default=dict)
    language: Mapped[str] = mapped_column(String(2), nullable=False, default="en")
    hops: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    ended_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = created_column()
    updated_at: Mapped[datetime] = mapped_column(nullable=False)


class OperatorApplication(Base):
    """Someone asked to become an operator ("Become an operator"); ops follow up by phone."""

    __tablename__ = "operator_applications"

    id: Mapped[int] = id_column()
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    channel: Mapped[str] = mapped_column(String(8), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="pending")
    created_at: Mapped[datetime] = mapped_column(nullable=False)
