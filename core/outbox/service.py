"""Write outbox rows of any kind inside the caller's transaction (architecture.md 3).

`key` is the row's idempotency key, and the one its deliverer hands to the provider: derive it
from our own ids (`payment:booking-4821:capture`), never from time or chance, so that writing
the same call twice queues one row and a retried call is recognised by the provider.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import text

from core.db import UnitOfWork

from .model import Purpose

KIND_PATTERN = re.compile(r"^[a-z][a-z0-9_.]*$")  # mirrored by the table's check constraint

# A plain statement rather than an ORM insert: this runs on every dispatch and every reply, and
# building the ORM-enabled INSERT cost about 1 ms of CPU a message (bench/README.md).
_INSERT = text(
    """
    insert into outbox (kind, payload, person_id, recipient, template, params, language, body,
                        purpose, idempotency_key, status, attempts, next_attempt_at,
                        fallback_used, created_at)
    values (:kind, cast(:payload as jsonb), :person_id, :recipient, :template,
            cast(:params as jsonb), :language, :body, :purpose, :key, 'pending', 0, :now, false,
            :now)
    on conflict (idempotency_key) do nothing
    returning id
    """
)


def _json(value: Mapping[str, Any]) -> str:
    return json.dumps(dict(value), ensure_ascii=False, default=str)


def enqueue(
    uow: UnitOfWork,
    kind: str,
    payload: Mapping[str, Any],
    *,
    key: str,
    person_id: int | None = None,
    recipient: str | None = None,
    template: str | None = None,
    params: Mapping[str, Any] | None = None,
    language: str = "en",
    body: str | None = None,
    purpose: Purpose = Purpose.TRANSACTIONAL,
) -> int | None:
    """Queue one call of `kind`. Returns the row id, or None when `key` was already queued.
    Nothing leaves the system unless the caller's transaction commits."""
    if not KIND_PATTERN.match(kind):
        raise ValueError(f"outbox kind {kind!r}: lowercase letters, digits, '_' and '.' only")
    if not key:
        raise ValueError("outbox rows need an idempotency key derived from our own ids")
    now = uow.now()
    row_id = uow.session.execute(
        _INSERT,
        {
            "kind": kind,
            "payload": _json(payload),
            "person_id": person_id,
            "recipient": recipient,
            "template": template,
            "params": _json(params or {}),
            "language": language,
            "body": body,
            "purpose": str(purpose),
            "key": key,
            "now": now,
        },
    ).scalar_one_or_none()
    if row_id is not None and uow.wake_relay is not None:
        uow.after_commit(uow.wake_relay)
    return row_id
