"""Deliver outbox rows through the configured gateways, at least once, keyed for idempotency.

A row is claimed by pushing its `next_attempt_at` past a short lease inside a SKIP LOCKED
transaction, so any number of relays can run; a relay that dies after claiming leaves the row to
be picked up again when the lease runs out. The gateway call carries the row's idempotency key.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import timedelta

from sqlalchemy import select, update

from core.accounts.model import Person
from core.accounts.phones import mask
from core.db import UnitOfWork
from core.notify.encoding import measure
from core.outbox.model import MessageStatus, OutboxMessage, Purpose
from core.outbox.ports import GatewayError, SmsGateway

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=60)
MAX_ATTEMPTS = 5


def backoff(attempt: int) -> timedelta:
    return timedelta(seconds=min(15 * 2 ** (attempt - 1), 900))


def claim_due(uow: UnitOfWork, limit: int) -> list[int]:
    """Claim up to `limit` due rows and commit the claim. Returns their ids."""
    now = uow.now()
    with uow:
        rows = uow.session.scalars(
            select(OutboxMessage.id)
            .where(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now)
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        if rows:
            uow.session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(rows))
                .values(
                    next_attempt_at=now + LEASE,
                    lease_until=now + LEASE,
                    attempts=OutboxMessage.attempts + 1,
                )
            )
        uow.commit()
    return list(rows)


def deliver_due(
    uow: UnitOfWork,
    gateways: Sequence[SmsGateway],
    *,
    limit: int = 100,
    cost_cents: Callable[[str, int], int] = lambda provider, segments: 0,
    may_send_marketing: Callable[[UnitOfWork], bool] = lambda uow: True,
) -> int:
    """Send every due message once. Returns how many were handed to a gateway.

    `gateways` is the primary followed by an optional fallback: a message the primary refuses is
    tried once on the fallback before it counts as a failed attempt.
    """
    handed = 0
    for message_id in claim_due(uow, limit):
        if _deliver_one(uow, message_id, gateways, cost_cents, may_send_marketing):
            handed += 1
    return handed


def _deliver_one(
    uow: UnitOfWork,
    message_id: int,
    gateways: Sequence[SmsGateway],
    cost_cents: Callable[[str, int], int],
    may_send_marketing: Callable[[UnitOfWork], bool],
) -> bool:
    with uow:
        message = uow.session.get(OutboxMessage, message_id, with_for_update=True)
        if message is None or message.status != "pending":
            return False
        now = uow.now()
        person = uow.session.get(Person, message.person_id) if message.person_id else None
        if message.purpose == Purpose.MARKETING:
            refusal = None
            if person is None or not person.marketing_consent:
                refusal = "no marketing consent"
            elif person.opted_out:
                refusal = "opted out"
            if refusal:
                message.status, message.last_error, message.status_at = "suppressed", refusal, now
                uow.commit()
                return False
            if not may_send_marketing(uow):
                message.next_attempt_at = now + timedelta(minutes=30)
                message.attempts -= 1
                uow.commit()
                return False

        encoded = measure(message.body or "")
        message.encoding, message.segments = encoded.encoding, encoded.segments
        errors: list[str] = []
        permanent = True
        for position, gateway in enumerate(gateways):
            try:
                accepted = gateway.send(
                    message.recipient, message.body or "", message.idempotency_key
                )
            except GatewayError as err:
                errors.append(f"{gateway.name}: {err}")
                message.error_code = err.code
                permanent = permanent and (err.permanent or err.opted_out)
                if err.opted_out and person is not None and person.opted_out_at is None:
                    person.opted_out_at = now
                log.warning("sms %s refused by %s: %s", message.id, gateway.name, err.code or err)
                if err.maybe_sent:
                    permanent = False
                if err.opted_out or err.maybe_sent:
                    break
                continue
            except Exception as err:  # noqa: BLE001 - one odd message must not stall the batch
                log.exception("sms %s: unexpected failure in %s", message.id, gateway.name)
                errors.append(f"{gateway.name}: unexpected {type(err).__name__}")
                message.error_code, permanent = "unexpected", False
                break
            message.provider = gateway.name
            message.provider_message_id = accepted.provider_message_id
            message.status = accepted.status
            message.fallback_used = position > 0
            message.sent_at = message.status_at = now
            message.lease_until = None
            message.cost_cents = cost_cents(gateway.name, encoded.segments)
            message.last_error = "; ".join(errors) or None
            uow.commit()
            log.info("sms %s to %s handed to %s", message.id, mask(message.recipient), gateway.name)
            return True

        message.last_error = "; ".join(errors)
        message.lease_until = None
        if message.attempts >= MAX_ATTEMPTS or permanent:
            message.status = MessageStatus.FAILED
            message.status_at = now
        else:
            message.next_attempt_at = now + backoff(message.attempts)
        uow.commit()
        return False
