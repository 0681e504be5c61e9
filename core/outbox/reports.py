"""Delivery reports: provider status callbacks applied to outbox rows, forward only.

Reports arrive late, twice, or out of order; a status only replaces one of lower rank
(`STATUS_RANK`), so a late `sent` never overwrites `delivered`, and a repeated report changes
nothing. A report for a message we do not know changes nothing either.
"""

from __future__ import annotations

import enum

from sqlalchemy import select

from core.accounts.model import Person
from core.db import UnitOfWork
from core.inbound.text import storable, storable_or_none

from .model import STATUS_RANK, MessageStatus, OutboxMessage


class ReportOutcome(enum.StrEnum):
    UPDATED = "updated"
    UNCHANGED = "unchanged"  # same or earlier status than we already have
    UNKNOWN = "unknown"  # no message with this provider id


def record_delivery_report(
    uow: UnitOfWork,
    provider: str,
    provider_message_id: str,
    status: MessageStatus,
    *,
    error_code: str | None = None,
    opted_out: bool = False,
) -> ReportOutcome:
    """Apply one report in the caller's transaction. `opted_out` (e.g. Twilio 21610 on an
    undelivered report) also marks the recipient opted out. Ids and codes are the provider's
    text: control characters are replaced before they reach a query."""
    provider_message_id, error_code = storable(provider_message_id), storable_or_none(error_code)
    message = uow.session.scalar(
        select(OutboxMessage)
        .where(
            OutboxMessage.provider == provider,
            OutboxMessage.provider_message_id == provider_message_id,
        )
        .with_for_update()
    )
    if message is None:
        return ReportOutcome.UNKNOWN
    current = STATUS_RANK.get(MessageStatus(message.status), 0)
    if STATUS_RANK[status] <= current:
        return ReportOutcome.UNCHANGED
    message.status = str(status)
    message.status_at = uow.now()
    if error_code:
        message.error_code = error_code[:40]
    if opted_out and message.person_id is not None:
        person = uow.session.get(Person, message.person_id)
        if person is not None and person.opted_out_at is None:
            person.opted_out_at = uow.now()
    return ReportOutcome.UPDATED
