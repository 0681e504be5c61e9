"""Provider calls carried by the scheduled-jobs table until the outbox takes kinds of its own.

`PaymentCallRequested`'s handler schedules one `payments.call` job per call (deduplicated by its
idempotency key); the job performs it outside any transaction and records the answer. A
provider that is unreachable raises, so the job is retried with the same key; a refusal is
recorded (`PaymentCallFailed`) and not retried. Swapping this for an outbox deliverer means
handing `ProviderCall.from_payload(payload)` to `port.perform` the same way.
"""

from __future__ import annotations

import logging
from typing import Any

from core.db import UnitOfWork
from core.jobs.service import job_handler, schedule

from .events import PaymentCallRequested
from .port import PaymentProviderError, ProviderCall, perform
from .service import record_call_failure, record_call_outcome

log = logging.getLogger(__name__)
CALL_JOB = "payments.call"


def schedule_call(uow: UnitOfWork, event: PaymentCallRequested) -> None:
    key = event.call["idempotency_key"]
    schedule(uow, CALL_JOB, {"call": event.call}, dedupe_key=f"payments:{key}"[:200])


@job_handler(CALL_JOB)
def run_call(uow: UnitOfWork, payload: dict[str, Any]) -> None:
    call = ProviderCall.from_payload(payload["call"])
    provider = (uow.payment_providers or {}).get(call.provider)
    try:
        if provider is None:
            raise PaymentProviderError(f"{call.provider} is not configured", retryable=False)
        outcome = perform(provider, call)
    except PaymentProviderError as err:
        if err.retryable:
            raise
        log.warning("payment call %s for %s refused: %s", call.kind, call.payment_reference, err)
        with uow:
            record_call_failure(uow, call, str(err)[:200])
            uow.commit()
        return
    with uow:
        record_call_outcome(uow, call, outcome)
        uow.commit()
