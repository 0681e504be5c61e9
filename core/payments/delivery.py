"""Provider calls that move money are outbox rows of their own kind (architecture.md 3 and 9).

`PaymentCallRequested`'s handler writes one `payment` row per call, keyed by the call's
idempotency key (derived from our ids), in the transaction that asked for it: a rolled-back
change calls nobody, and a crash after commit still calls. The relay hands each row to
`PaymentDeliverer`, which performs the call and records its answer in the row's own transaction,
so the answer and the row's status commit together. A provider that cannot be reached is retried
with the same key (Stripe replays its first answer; Paystack answers "duplicate reference", which
the adapter looks up); a refusal is recorded (`PaymentCallFailed`) and not retried.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from core.db import UnitOfWork
from core.outbox.model import OutboxMessage
from core.outbox.ports import Handed, NotHanded, Outcome
from core.outbox.service import enqueue

from .events import PaymentCallRequested
from .port import PaymentProvider, PaymentProviderError, ProviderCall, perform
from .service import record_call_failure, record_call_outcome

log = logging.getLogger(__name__)
KIND = "payment"


def queue_call(uow: UnitOfWork, event: PaymentCallRequested) -> None:
    """Handler of PaymentCallRequested: the call leaves only if this transaction commits."""
    key = event.call["idempotency_key"]
    enqueue(uow, KIND, {"call": event.call}, key=f"payment:{key}"[:200])


class PaymentDeliverer:
    """Delivers `payment` rows: one provider call each, its answer recorded with the row."""

    concurrency = 4
    batch = 20

    def __init__(self, providers: Mapping[str, PaymentProvider]) -> None:
        self.providers = providers

    def deliver(self, uow: UnitOfWork, message: OutboxMessage) -> Outcome:
        call = ProviderCall.from_payload(message.payload["call"])
        try:
            provider = self.providers.get(call.provider)
            if provider is None:
                raise PaymentProviderError(f"{call.provider} is not configured", retryable=False)
            outcome = perform(provider, call)
        except PaymentProviderError as err:
            if err.retryable:
                return NotHanded(str(err)[:200], code="unreachable")
            log.warning(
                "payment call %s for %s refused: %s", call.kind, call.payment_reference, err
            )
            record_call_failure(uow, call, str(err)[:200])
            return NotHanded(str(err)[:200], code="refused", permanent=True)
        record_call_outcome(uow, call, outcome)
        # The row's provider id must be unique per provider: one payment has several calls, and
        # each call's idempotency key is its own.
        return Handed(call.provider, call.idempotency_key[:100], status="sent")
