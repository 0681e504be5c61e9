"""What to tell whom: notification intents written to the outbox inside the caller's transaction."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select, text

from core.accounts.model import Person
from core.db import UnitOfWork
from core.outbox.model import Purpose

from . import messages as _messages  # noqa: F401 - registers account and payment texts
from . import templates

# A plain statement rather than an ORM insert: this runs on every dispatch and every reply, and
# building the ORM-enabled INSERT cost about 1 ms of CPU a message (bench/README.md).
_INSERT = text(
    """
    insert into outbox (channel, person_id, recipient, template, params, language, body, purpose,
                        idempotency_key, status, attempts, next_attempt_at, fallback_used,
                        created_at)
    values ('sms', :person_id, :recipient, :template, cast(:params as jsonb), :language, :body,
            :purpose, :key, 'pending', 0, :now, false, :now)
    on conflict (idempotency_key) do nothing
    returning id
    """
)


def send_sms(
    uow: UnitOfWork,
    to: Person | str,
    template: str,
    params: Mapping[str, Any],
    *,
    key: str,
    purpose: Purpose = Purpose.TRANSACTIONAL,
    language: str | None = None,
) -> int | None:
    """Queue one SMS. `key` makes it idempotent: the same key twice queues one message.

    Returns the outbox id, or None when a row with this key already existed. Nothing leaves the
    system unless the caller's transaction commits.
    """
    person_id: int | None
    if isinstance(to, Person):
        person_id, recipient, lang = to.id, to.phone, language or to.language
    else:
        person = uow.session.scalar(select(Person).where(Person.phone == to))
        person_id = person.id if person else None
        recipient = to
        lang = language or (person.language if person else "en")
    body = templates.render(template, lang, params)
    now = uow.now()
    message_id = uow.session.execute(
        _INSERT,
        {
            "person_id": person_id,
            "recipient": recipient,
            "template": template,
            "params": json.dumps(dict(params), ensure_ascii=False, default=str),
            "language": lang,
            "body": body,
            "purpose": str(purpose),
            "key": key,
            "now": now,
        },
    ).scalar_one_or_none()
    if message_id is not None and uow.wake_relay is not None:
        uow.after_commit(uow.wake_relay)
    return message_id
