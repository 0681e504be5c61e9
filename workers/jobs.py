"""RQ jobs. Each takes the worker's platform (workers/platform.py) and ids, opens its own unit of
work through the core, and is idempotent."""

from __future__ import annotations

import logging

from rq import Queue
from rq.exceptions import NoSuchJobError
from rq.job import Job

from core.booking import (
    offer_expiry,  # noqa: F401 - registers offer expiry
    recurring,  # noqa: F401 - registers the series job handler
)
from core.conversation import housekeeping  # noqa: F401 - registers the session purge
from core.jobs import service as jobs
from core.outbox import relay
from core.payments import (
    card_booking,  # noqa: F401 - registers the payment-link deadline
    sync,  # noqa: F401 - registers the payments sync
)

from .platform import WorkerPlatform

log = logging.getLogger(__name__)

RELAY_JOB_ID = "outbox-relay"


def run_scheduled_job(platform: WorkerPlatform, job_id: int) -> str:
    return jobs.run_job(platform.uow(), job_id)


def relay_outbox(platform: WorkerPlatform, limit: int = 200) -> int:
    return deliver_outbox(platform, limit=limit)


def deliver_outbox(platform: WorkerPlatform, limit: int = 200) -> int:
    """One relay pass over every outbox kind this platform has a deliverer for."""
    return relay.deliver_due(platform.uow(), platform.deliverers, limit=limit)


def scheduled_job_rq_id(job_id: int) -> str:
    return f"scheduled-{job_id}"


def enqueue_scheduled(platform: WorkerPlatform, job_id: int) -> None:
    platform.queue("default").enqueue(
        run_scheduled_job,
        job_id,
        job_id=scheduled_job_rq_id(job_id),
        result_ttl=60,
        failure_ttl=3600,
    )


def enqueue_relay(platform: WorkerPlatform) -> None:
    """Queue one relay run unless one is already waiting (a fixed job id collapses nudges)."""
    queue: Queue = platform.queue("outbox")
    try:
        existing = Job.fetch(RELAY_JOB_ID, connection=platform.redis)
        if existing.get_status(refresh=False) in ("queued", "scheduled", "deferred"):
            return
    except NoSuchJobError:
        pass
    queue.enqueue(relay_outbox, job_id=RELAY_JOB_ID, result_ttl=0, failure_ttl=600)


def rq_job_exists(platform: WorkerPlatform, rq_id: str) -> bool:
    try:
        job = Job.fetch(rq_id, connection=platform.redis)
    except NoSuchJobError:
        return False
    return job.get_status(refresh=False) not in ("finished", "failed", "canceled", "stopped")
