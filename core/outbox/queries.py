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

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["created_at"] = self.created_at.isoformat()
        return data

    def as_line(self, tz: ZoneInfo) -> str:
        when = self.created_at.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S")
        via = self.provider or "-"
        return f"#{self.id} {when} {self.recipient} [{self.status} via {via}] {self.body}"


def recent_messages(
    uow: UnitOfWork, *, to: str | None = None, limit: int = 20
) -> list[MessageView]:
    with uow:
        query = select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)
        if to:
            query = query.where(OutboxMessage.recipient == to)
        return [
            MessageView(
                id=m.id,
                created_at=m.created_at,
                recipient=m.recipient,
                template=m.template,
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
            )
            for m in uow.session.scalars(query)
        ]
