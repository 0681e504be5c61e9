"""Inbound idempotency, for every door (architecture.md 5 and 13, decision W7): SMS webhooks
today, the JSON API's `Idempotency-Key` and payment webhooks next.

A door calls `claim(uow, scope, key)` first, in the transaction that will do the work. The
first delivery of (scope, key) inserts its record and gets None: go on, and the answer given
is recorded with the work (`answer=` when it is known before, `record_answer` after). A retry
gets the first delivery's stored answer and must change nothing. A concurrent retry waits on
the unique index until the first commits (then gets its answer) or rolls back (then claims it
itself): a claim that was rolled back never happened, so a failed delivery can be retried.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert

from core.db import UnitOfWork

from .model import InboundRequest
from .text import storable

KEY_MAX = 200  # provider ids are far shorter; a longer key is cut, never refused


@dataclass(frozen=True)
class StoredAnswer:
    status: int
    content_type: str
    body: str


NO_ANSWER = StoredAnswer(200, "text/plain", "")


def _key(key: str) -> str:
    return storable(key)[:KEY_MAX]  # stored text: no NUL, bounded


def claim(
    uow: UnitOfWork, scope: str, key: str, answer: StoredAnswer = NO_ANSWER
) -> StoredAnswer | None:
    """None when this delivery claimed (scope, key) now, recording `answer` for retries;
    else the answer stored for it (a retry). In `uow`'s transaction."""
    claimed = uow.session.execute(
        insert(InboundRequest)
        .values(
            provider=scope,
            provider_ref=_key(key),
            response_status=answer.status,
            response_type=answer.content_type,
            response_body=answer.body,
        )
        .on_conflict_do_nothing(index_elements=["provider", "provider_ref"])
        .returning(InboundRequest.id)
    ).scalar_one_or_none()
    if claimed is not None:
        return None
    stored = uow.session.scalars(
        select(InboundRequest).where(
            InboundRequest.provider == scope, InboundRequest.provider_ref == _key(key)
        )
    ).one()
    return StoredAnswer(stored.response_status, stored.response_type, stored.response_body)


def record_answer(uow: UnitOfWork, scope: str, key: str, answer: StoredAnswer) -> None:
    """Replace the answer a retry of (scope, key) gets, once the work decided it."""
    uow.session.execute(
        update(InboundRequest)
        .where(InboundRequest.provider == scope, InboundRequest.provider_ref == _key(key))
        .values(
            response_status=answer.status,
            response_type=answer.content_type,
            response_body=answer.body,
        )
    )
