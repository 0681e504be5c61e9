"""Deliver outbox rows through the deliverer registered for their kind, keyed for idempotency.

Per kind, a relay claims due rows (the shared SKIP LOCKED claimer, `core/claim.py`) by pushing
`next_attempt_at` and `lease_until` past a short lease, commits, then delivers each row in its
own transaction with the row locked, on a bounded pool of `deliverer.concurrency` threads. The
lease is the claim's token: a row whose lease ran out and was claimed again by another relay is
skipped, so every claim makes at most one call. A relay that dies after claiming leaves its rows
to be claimed again when the lease runs out (decision 4). Rows of a kind nobody registered are
never claimed, so a push row can never go out as an SMS.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import NamedTuple

from core.claim import claim_rows
from core.db import UnitOfWork
from core.outbox.model import MessageStatus, OutboxMessage
from core.outbox.ports import Deferred, Deliverer, Handed, NotHanded, Outcome, Withheld

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=60)
MAX_ATTEMPTS = 5


class Claim(NamedTuple):
    id: int
    lease: datetime  # the lease this claim set: the claim's token
    recipient: str | None


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
            returning=[OutboxMessage.lease_until, OutboxMessage.recipient],
        )
        uow.commit()
    return [Claim(row[0], row[1], row[2]) for row in rows]


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

    def run_lane(lane: list[Claim]) -> int:
        return sum(_deliver_one(uow.fresh(), deliverer, claim) for claim in lane)

    if deliverer.concurrency <= 1 or len(lanes) <= 1:
        return sum(run_lane(lane) for lane in lanes.values())
    with ThreadPoolExecutor(min(deliverer.concurrency, len(lanes)), "relay") as pool:
        return sum(pool.map(run_lane, lanes.values()))


def _deliver_one(uow: UnitOfWork, deliverer: Deliverer, claim: Claim) -> bool:
    message_id, lease, _ = claim
    with uow:
        message = uow.session.get(OutboxMessage, message_id, with_for_update=True)
        if message is None or message.status != "pending" or message.lease_until != lease:
            return False  # done meanwhile, or our lease ran out and another relay claimed it
        try:
            outcome: Outcome = deliverer.deliver(uow, message)
        except Exception as err:  # noqa: BLE001 - one odd row must not stall the batch
            log.exception("outbox %s (%s): unexpected failure", message_id, message.kind)
            uow.rollback()
            message = uow.session.get(OutboxMessage, message_id, with_for_update=True)
            if message is None or message.lease_until != lease:
                return False
            outcome = NotHanded(f"unexpected {type(err).__name__}", code="unexpected")
        _record(uow, message, outcome)
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
