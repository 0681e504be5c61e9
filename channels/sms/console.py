"""The console SMS gateway: the default until real gateway credentials are set.

It "delivers" into the `console_inbox` table in its own transaction, as an outside system would,
keyed by the message's idempotency key, so a repeated hand-over stores the message once. The
phone simulator and `kerbside outbox` read it from there.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import String, Text, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.db import Base, created_column, id_column
from core.outbox.ports import Accepted


class ConsoleInbox(Base):
    __tablename__ = "console_inbox"

    id: Mapped[int] = id_column()
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True, nullable=False)
    recipient: Mapped[str] = mapped_column(String(32), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = created_column()


class ConsoleGateway:
    name = "console"

    def __init__(self, session_factory: Callable[[], Session]) -> None:
        self._session_factory = session_factory

    def send(self, to: str, body: str, idempotency_key: str) -> Accepted:
        with self._session_factory() as session:
            session.execute(
                insert(ConsoleInbox)
                .values(idempotency_key=idempotency_key, recipient=to, body=body)
                .on_conflict_do_nothing(index_elements=["idempotency_key"])
            )
            message_id = session.scalar(
                select(ConsoleInbox.id).where(ConsoleInbox.idempotency_key == idempotency_key)
            )
            session.commit()
        return Accepted(provider_message_id=f"console-{message_id}", status="delivered")
