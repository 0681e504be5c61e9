"""The booking dialog over SMS: the conversation engine with channel "sms".

One session per phone number (`sms:<phone>`); the engine expires it after
`SMS_SESSION_IDLE_SECONDS` of silence. `BOOK` starts (or restarts) it and goes straight to the
booking choice; while it is open, replies that are not keywords feed it. Each prompt is rendered
with the engine's own layout (numbered options, fitted to 160 characters).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from core.db import UnitOfWork

from .joined import JoinedUnitOfWork
from .render import render

CHANNEL = "sms"
# The menu entries BOOK walks through for the person: "I am a consumer", then "Book".
SHORTCUT_LABELS = frozenset({"role.consumer", "menu.book"})


def session_key(phone: str) -> str:
    return f"sms:{phone}"


def dialog_open(uow: UnitOfWork, phone: str) -> bool:
    """Is a booking dialog waiting for this number's reply?"""
    from core.conversation.model import ConversationSession

    row = uow.session.scalar(
        select(ConversationSession).where(
            ConversationSession.channel == CHANNEL,
            ConversationSession.session_key == session_key(phone),
        )
    )
    if row is None or row.ended_at is not None:
        return False
    idle = timedelta(seconds=uow.settings.sms_session_idle_seconds)
    return bool(uow.now() - row.updated_at <= idle)


def _converse(uow: UnitOfWork, phone: str, text: str) -> Any:
    from core.conversation.engine import converse

    return converse(JoinedUnitOfWork(uow), phone, CHANNEL, session_key(phone), text)


def start_booking(uow: UnitOfWork, phone: str) -> str:
    """Start a fresh dialog and, when its first screen offers booking, choose it."""
    from core.conversation.model import ConversationSession

    existing = uow.session.scalar(
        select(ConversationSession).where(
            ConversationSession.channel == CHANNEL,
            ConversationSession.session_key == session_key(phone),
        )
    )
    if existing is not None:
        uow.session.delete(existing)
        uow.session.flush()
    prompt = _converse(uow, phone, "")
    for _ in range(2):  # role screen (operator and consumer) -> consumer menu -> book
        choice = next((o for o in prompt.choices if o.label_key in SHORTCUT_LABELS), None)
        if choice is None:
            break
        prompt = _converse(uow, phone, choice.key)
    return render(prompt)


def continue_dialog(uow: UnitOfWork, phone: str, text: str) -> str:
    return render(_converse(uow, phone, text))
