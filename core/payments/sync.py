"""Asking the provider about payments left uncertain (docs/decisions.md PR2-PR4).

A webhook can be lost, and a call's answer can be lost with a relay that died before its commit.
Every `EVERY` a job (`payments.sync`, re-scheduling itself) finds the card payments that are
still not settled (pending, failed, or authorised with a capture asked for) and have not changed
for `QUIET`, and asks the provider about each with a `lookup` call: an outbox row of kind
`payment` like every call, so the job's transaction makes no provider call (X1), and the answer
is applied by the webhook's rules (`apply_provider_event`). `kerbside payments sync` does the
same at once.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select

from core.db import UnitOfWork
from core.jobs.service import job_handler, schedule

from .events import PaymentCallRequested
from .model import Payment, PaymentStatus
from .port import CallKind
from .service import request_call

log = logging.getLogger(__name__)
SYNC_JOB = "payments.sync"
EVERY = timedelta(minutes=10)
QUIET = timedelta(minutes=5)  # changed since: its webhook may still be on its way
WITHIN = timedelta(days=2)  # older than this, a person looks (the provider's dashboard)
LIMIT = 200


def uncertain(uow: UnitOfWork, quiet: timedelta = QUIET) -> list[Payment]:
    now = uow.now()
    return list(
        uow.session.scalars(
            select(Payment)
            .where(
                Payment.provider != "cash",
                or_(
                    Payment.status.in_((PaymentStatus.PENDING, PaymentStatus.FAILED)),
                    and_(
                        Payment.status == PaymentStatus.AUTHORISED,
                        Payment.capture_requested_cents.is_not(None),
                    ),
                ),
                Payment.updated_at <= now - quiet,
                Payment.created_at >= now - WITHIN,
            )
            .order_by(Payment.id)
            .limit(LIMIT)
        )
    )


def request_lookups(uow: UnitOfWork) -> int:
    """One lookup call per uncertain payment, keyed by this minute (a rerun asks again)."""
    stamp = uow.now().astimezone(UTC).strftime("%Y%m%d%H%M")
    found = uncertain(uow)
    for payment in found:
        request_call(uow, payment, CallKind.LOOKUP, idempotency_key=f"{payment.reference}.l{stamp}")
    return len(found)


def ensure_sync_job(uow: UnitOfWork, after: datetime | None = None) -> None:
    """Schedule the next sync run `EVERY` from now; one job per slot however often asked."""
    due = (after or uow.now()) + EVERY
    slot = int(due.timestamp() // EVERY.total_seconds())
    schedule(uow, SYNC_JOB, {}, due_at=due, dedupe_key=f"payments-sync:{slot}")


def on_call_requested(uow: UnitOfWork, event: PaymentCallRequested) -> None:
    """Handler of PaymentCallRequested: a payment in play keeps the sync running."""
    if event.call["kind"] != CallKind.LOOKUP:
        ensure_sync_job(uow)


@job_handler(SYNC_JOB)
def run_sync(uow: UnitOfWork, payload: dict[str, Any]) -> None:
    """The lookups are queued in the job's transaction; the next run is scheduled first in a
    transaction of its own while any payment is unsettled."""
    asked = request_lookups(uow)
    if uncertain(uow, quiet=timedelta(0)):
        later = uow.fresh()
        with later:
            ensure_sync_job(later)
            later.commit()
    log.info("payments sync asked about %s payments", asked)
