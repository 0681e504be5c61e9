"""What to tell whom: notification intents written to the outbox inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from core.accounts.model import Person
from core.db import UnitOfWork
from core.outbox.model import Purpose
from core.outbox.service import enqueue

from . import messages as _messages  # noqa: F401 - registers account and payment texts
from . import templates


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
    return enqueue(
        uow,
        "sms",
        {},
        key=key,
        person_id=person_id,
        recipient=recipient,
        template=template,
        params=params,
        language=lang,
        body=body,
        purpose=purpose,
    )
