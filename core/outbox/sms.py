"""The deliverer of `sms` rows: consent and marketing hours, then the gateways with failover.

`gateways` is the primary followed by an optional fallback: a message the primary refuses is
tried once on the fallback before it counts as a failed attempt, except after an error that may
have delivered (a read timeout) or an unexpected one, which are retried later on the same path
(decision R7). The gateways themselves pace sends (the shared token bucket, decision S7).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import timedelta

from core.accounts.model import Person
from core.db import UnitOfWork
from core.outbox.encoding import measure
from core.phones import mask

from .model import OutboxMessage, Purpose
from .ports import Deferred, GatewayError, Handed, NotHanded, Outcome, SmsGateway, Withheld
from .relay import LEASE

log = logging.getLogger(__name__)

KIND = "sms"
MARKETING_RETRY = timedelta(minutes=30)


class SmsDeliverer:
    def __init__(
        self,
        gateways: Sequence[SmsGateway],
        *,
        cost_cents: Callable[[str, int], int] = lambda provider, segments: 0,
        may_send_marketing: Callable[[UnitOfWork], bool] = lambda uow: True,
        concurrency: int = 1,
        rate_per_second: float = 0.0,
    ) -> None:
        self.gateways = list(gateways)
        self.cost_cents, self.may_send_marketing = cost_cents, may_send_marketing
        self.concurrency = max(1, concurrency)
        # Claim no more than half a lease's worth at the provider's rate, so claimed rows are
        # sent before their lease runs out.
        lease_share = int(rate_per_second * LEASE.total_seconds() / 2)
        self.batch = max(1, lease_share) if rate_per_second > 0 else 200

    def deliver(self, uow: UnitOfWork, message: OutboxMessage) -> Outcome:
        now = uow.now()
        person = self._person(uow, message) if message.purpose == Purpose.MARKETING else None
        if message.purpose == Purpose.MARKETING:
            if person is None or not person.marketing_consent:
                return Withheld("no marketing consent")
            if person.opted_out:
                return Withheld("opted out")
            if not self.may_send_marketing(uow):
                return Deferred(now + MARKETING_RETRY)

        to, body = message.recipient or "", message.body or ""
        encoded = measure(body)
        message.encoding, message.segments = encoded.encoding, encoded.segments
        errors: list[str] = []
        permanent = True
        for position, gateway in enumerate(self.gateways):
            try:
                accepted = gateway.send(to, body, message.idempotency_key)
            except GatewayError as err:
                errors.append(f"{gateway.name}: {err}")
                message.error_code = err.code
                permanent = permanent and (err.permanent or err.opted_out) and not err.maybe_sent
                if err.opted_out:
                    person = person or self._person(uow, message)
                    if person is not None and person.opted_out_at is None:
                        person.opted_out_at = now
                log.warning("sms %s refused by %s: %s", message.id, gateway.name, err.code or err)
                if err.opted_out or err.maybe_sent:
                    break
                continue
            except Exception as err:  # noqa: BLE001 - one odd message must not stall the batch
                log.exception("sms %s: unexpected failure in %s", message.id, gateway.name)
                errors.append(f"{gateway.name}: unexpected {type(err).__name__}")
                return NotHanded("; ".join(errors), code="unexpected")
            message.fallback_used = position > 0
            message.cost_cents = self.cost_cents(gateway.name, encoded.segments)
            log.info("sms %s to %s handed to %s", message.id, mask(to), gateway.name)
            return Handed(
                gateway.name,
                accepted.provider_message_id,
                accepted.status,
                note="; ".join(errors) or None,
            )
        return NotHanded("; ".join(errors), code=message.error_code, permanent=permanent)

    @staticmethod
    def _person(uow: UnitOfWork, message: OutboxMessage) -> Person | None:
        """Loaded only when needed (marketing checks, an opt-out to record): most rows are
        transactional and their send path stays one row lock, one call, one update."""
        return uow.session.get(Person, message.person_id) if message.person_id else None
