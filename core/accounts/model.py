"""People, identified by E.164 phone number. One person may be a consumer, an operator, or both."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, created_column, id_column


class Language(enum.StrEnum):
    ENGLISH = "en"
    ZULU = "zu"
    AFRIKAANS = "af"
    XHOSA = "xh"
    SOTHO = "st"


class Person(Base):
    __tablename__ = "people"
    __table_args__ = (
        CheckConstraint("phone ~ '^\\+[1-9][0-9]{6,14}$'", name="phone_e164"),
        CheckConstraint("language in ('en','zu','af','xh','st')", name="language_known"),
    )

    id: Mapped[int] = id_column()
    phone: Mapped[str] = mapped_column(String(16), unique=True, nullable=False)
    name: Mapped[str | None] = mapped_column(String(80))
    language: Mapped[str] = mapped_column(String(2), nullable=False, default="en")
    is_consumer: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    is_operator: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # SMS opt-out (STOP). Transactional messages about a booking in progress still go out.
    opted_out_at: Mapped[datetime | None] = mapped_column()
    marketing_consent: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    pin_hash: Mapped[str | None] = mapped_column(String(200))
    pin_failed_attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    pin_locked_until: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = created_column()
    updated_at: Mapped[datetime] = mapped_column(
        server_default=func.now(), onupdate=func.now(), nullable=False
    )

    @property
    def opted_out(self) -> bool:
        return self.opted_out_at is not None
