"""Deliver outbox rows through the deliverer registered for their kind, keyed for idempotency.

Per kind, a relay claims due rows (the shared SKIP LOCKED claimer, `core/claim.py`) by pushing
`next_attempt_at` and `lease_until` past a short lease, commits, then delivers each row in its
own transaction on a bounded pool of `deliverer.concurrency` threads. The lease is the claim's
token and its lock: a row is sent only while enough of the lease is left, and its result is
written only if the lease is still the one this claim set, so every claim makes at most one
call. A relay that dies after claiming leaves its rows to be claimed again when the lease runs
out (decision 4). Rows of a kind nobody registered are
never claimed, so a push row can never go out as an SMS.
"""

from __future__ import annotations

import contextlib
import logging
import queue
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from core.claim import claim_rows
from core.db import UnitOfWork
from core.outbox.model import MessageStatus, OutboxMessage
from core.outbox.ports import Deferred, Deliverer, Handed, NotHanded, Outcome, Withheld

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=60)
SEND_MARGIN = timedelta(seconds=20)  # longer than any gateway's timeout (10 s)
MAX_ATTEMPTS = 5


_COLUMNS = [column.key for column in OutboxMessage.__table__.columns]
# What a delivery writes back: the relay's bookkeeping and the provider's answer. A deliverer
# may set these on the row (and nothing else: a plain statement keeps a send's CPU low).
RESULT_COLUMNS = (
    "status", "attempts", "next_attempt_at", "lease_until", "provider", "provider_message_id",
    "fallback_used", "encoding", "segments", "cost_cents", "error_code", "last_error",
    "sent_at", "status_at",
)  # fmt: skip
_WRITE_RESULT = text(
    "update outbox set "
    + ", ".join(f"{key} = :{key}" for key in RESULT_COLUMNS)
    + " where id = :id and lease_until = :lease and status = 'pending'"
)


class Claim(NamedTuple):
    id: int
    lease: datetime  # the lease this claim set: the claim's token
    recipient: str | None
    columns: dict[str, Any]  # the whole row as claimed


def backoff(attempt: int) -> timedelta:
    return timedelta(seconds=min(15 * 2 ** (attempt - 1), 900))


def claim_due(uow: UnitOfWork, limit: int, kind: str = "sms") -> list[Claim]:
    """Claim up to `limit` due rows of one kind and commit the claim."""
    now = uow.now()
    with uow:
        rows = claim_rows(
            uow.session,
            OutboxMessage,
            where=[
                OutboxMessage.kind == kind,
                OutboxMessage.status == MessageStatus.PENDING,
                OutboxMessage.next_attempt_at <= now,
            ],
            order_by=[OutboxMessage.next_attempt_at, OutboxMessage.id],
            limit=limit,
            values={
                "next_attempt_at": now + LEASE,
                "lease_until": now + LEASE,
                "attempts": OutboxMessage.attempts + 1,
            },
            returning=[getattr(OutboxMessage, key) for key in _COLUMNS],
        )
        uow.commit()
    claims = []
    for row in rows:
        columns = dict(zip(_COLUMNS, row[1:], strict=True))
        claims.append(Claim(row[0], columns["lease_until"], columns["recipient"], columns))
    return claims


def deliver_due(uow: UnitOfWork, deliverers: Mapping[str, Deliverer], *, limit: int = 200) -> int:
    """One pass over every registered kind. Returns how many rows were handed over."""
    handed = 0
    for kind, deliverer in deliverers.items():
        claims = claim_due(uow, min(limit, deliverer.batch), kind)
        handed += deliver_claimed(uow, deliverer, claims)
    return handed


def deliver_claimed(uow: UnitOfWork, deliverer: Deliverer, claims: Sequence[Claim]) -> int:
    """Deliver claimed rows on a pool of `deliverer.concurrency` threads. Rows to one recipient
    stay in one thread, in id order, so a phone gets its messages in the order they were
    written."""
    lanes: dict[str | int, list[Claim]] = {}
    for claim in claims:
        lanes.setdefault(claim.recipient or claim.id, []).append(claim)
    waiting: queue.SimpleQueue[list[Claim]] = queue.SimpleQueue()
    for lane in lanes.values():
        waiting.put(lane)

    def sender() -> int:
        handed = 0
        with _on_one_connection(uow) as own:
            while True:
                try:
                    lane = waiting.get_nowait()
                except queue.Empty:
                    return handed
                handed += sum(_deliver_one(own, deliverer, claim) for claim in lane)

    senders = max(1, min(deliverer.concurrency, len(lanes)))
    if senders == 1:
        return sender() if lanes else 0
    with ThreadPoolExecutor(senders, "relay") as pool:
        return sum(pool.map(lambda _: sender(), range(senders)))


@contextlib.contextmanager
def _on_one_connection(uow: UnitOfWork) -> Iterator[UnitOfWork]:
    """A unit of work whose transactions all run on one pooled connection, so a row costs no
    pool checkout and liveness ping (a fifth of a send's CPU)."""
    probe = uow.session_factory()
    try:
        engine = probe.get_bind()
    finally:
        probe.close()
    assert isinstance(engine, Engine)
    with engine.connect() as connection:
        yield replace(
            uow.fresh(), session_factory=lambda: Session(bind=connection, expire_on_commit=False)
        )


def _deliver_one(uow: UnitOfWork, deliverer: Deliverer, claim: Claim) -> bool:
    """The lease is the lock: the row is sent only with SEND_MARGIN of the lease left (more than
    any gateway's timeout), and its result is written only while the lease is still this
    claim's, so no other relay can have claimed it in between."""
    if claim.lease - uow.now() < SEND_MARGIN:
        return False  # our lease (nearly) ran out: the row is another relay's to claim
    with uow:
        message = OutboxMessage(**claim.columns)  # not in the session: written below
        try:
            outcome: Outcome = deliverer.deliver(uow, message)
        except Exception as err:  # noqa: BLE001 - one odd row must not stall the batch
            log.exception("outbox %s (%s): unexpected failure", claim.id, message.kind)
            uow.rollback()
            outcome = NotHanded(f"unexpected {type(err).__name__}", code="unexpected")
        _record(uow, message, outcome)
        written = uow.session.execute(
            _WRITE_RESULT,
            {key: getattr(message, key) for key in RESULT_COLUMNS}
            | {"id": claim.id, "lease": claim.lease},
        )
        if not written.rowcount:  # type: ignore[attr-defined]
            log.error("outbox %s: lease lost while sending; another relay owns it", claim.id)
            return False
        uow.commit()
    return isinstance(outcome, Handed)


def _record(uow: UnitOfWork, message: OutboxMessage, outcome: Outcome) -> None:
    now = uow.now()
    message.lease_until = None
    if isinstance(outcome, Handed):
        message.provider = outcome.provider
        message.provider_message_id = outcome.provider_message_id
        message.status = outcome.status
        message.sent_at = message.status_at = now
        message.last_error = outcome.note
    elif isinstance(outcome, Withheld):
        message.status, message.last_error, message.status_at = "suppressed", outcome.reason, now
    elif isinstance(outcome, Deferred):
        message.next_attempt_at = outcome.until
        message.attempts -= 1
    else:
        message.last_error, message.error_code = outcome.error, outcome.code
        if message.attempts >= MAX_ATTEMPTS or outcome.permanent:
            message.status, message.status_at = MessageStatus.FAILED, now
        else:
            message.next_attempt_at = now + backoff(message.attempts)
