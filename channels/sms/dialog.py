"""The booking dialog over SMS: the conversation engine with channel "sms".

One session per phone number (`sms:<phone>`); the engine expires it after
`SMS_SESSION_IDLE_SECONDS` of silence. `BOOK` starts (or restarts) it at the booking dialog's
first state; while it is open, replies that are not keywords feed it. Each step runs through
`converse_in` inside the webhook's own transaction (the idempotency record, the step and the
reply commit together; the webhook wraps the call in a savepoint). Each prompt is rendered with
the engine's own layout (numbered options, fitted to 160 characters).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from core.db import UnitOfWork

from .render import render

CHANNEL = "sms"
BOOKING_START = "c.book.service"  # the booking dialog's first state: choose a service


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


def start_booking(uow: UnitOfWork, phone: str) -> str:
    """Start a fresh dialog at the booking dialog's first screen (choose a service), in the
    caller's transaction. Anyone may book, an operator too: they book as a customer
    (docs/decisions.md U20)."""
    from core.conversation.engine import converse_in

    prompt = converse_in(uow, phone, CHANNEL, session_key(phone), "", start=BOOKING_START)
    return render(prompt)


def continue_dialog(uow: UnitOfWork, phone: str, text: str) -> str:
    """Feed one reply to the open dialog, in the caller's transaction."""
    from core.conversation.engine import converse_in

    return render(converse_in(uow, phone, CHANNEL, session_key(phone), text))
