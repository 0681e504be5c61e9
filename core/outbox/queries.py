"""Read models over the outbox."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from core.db import UnitOfWork

from .model import OutboxMessage


@dataclass(frozen=True)
class MessageView:
    id: int
    created_at: datetime
    recipient: str
    template: str
    body: str
    purpose: str
    status: str
    provider: str | None
    provider_message_id: str | None
    encoding: str | None
    segments: int | None
    cost_cents: int | None
    attempts: int
    last_error: str | None
    fallback_used: bool = False
    error_code: str | None = None

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["created_at"] = self.created_at.isoformat()
        return data

    def as_line(self, tz: ZoneInfo) -> str:
        when = self.created_at.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S")
        via = self.provider or "-"
        line = f"#{self.id} {when} {self.recipient} [{self.status} via {via}] {self.body}"
        if self.segments:
            cost = f"R{(self.cost_cents or 0) / 100:.2f}"
            line += f" ({self.encoding} x{self.segments}, {cost})"
        if self.status == "failed" and self.last_error:
            line += f" ! {self.last_error}"
        return line


def recent_messages(
    uow: UnitOfWork,
    *,
    to: str | None = None,
    limit: int = 20,
    status: str | None = None,
    provider: str | None = None,
    kind: str = "sms",
) -> list[MessageView]:
    with uow:
        query = (
            select(OutboxMessage)
            .where(OutboxMessage.kind == kind)
            .order_by(OutboxMessage.id.desc())
            .limit(limit)
        )
        if to:
            query = query.where(OutboxMessage.recipient == to)
        if status:
            query = query.where(OutboxMessage.status == status)
        if provider:
            query = query.where(OutboxMessage.provider == provider)
        return [
            MessageView(
                id=m.id,
                created_at=m.created_at,
                recipient=m.recipient or "",
                template=m.template or "",
                body=m.body or "",
                purpose=m.purpose,
                status=m.status,
                provider=m.provider,
                provider_message_id=m.provider_message_id,
                encoding=m.encoding,
                segments=m.segments,
                cost_cents=m.cost_cents,
                attempts=m.attempts,
                last_error=m.last_error,
                fallback_used=m.fallback_used,
                error_code=m.error_code,
            )
            for m in uow.session.scalars(query)
        ]
