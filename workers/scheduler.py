"""The scheduler loop: hand due SQL jobs to RQ, re-hand the ones Redis lost, sweep the outbox.

Any number of schedulers may run: claims are SKIP LOCKED, and RQ job ids are derived from row ids
so a job handed twice is queued once.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from sqlalchemy import exists, select

from core.jobs import service as jobs
from core.outbox.model import OutboxMessage

from .jobs import enqueue_relay, enqueue_scheduled, rq_job_exists, scheduled_job_rq_id
from .platform import WorkerPlatform

log = logging.getLogger(__name__)

LOST_AFTER = timedelta(seconds=30)


def tick(platform: WorkerPlatform, *, lost_after: timedelta = LOST_AFTER) -> dict[str, int]:
    """One pass. Returns counts, for logs and tests."""
    uow = platform.uow()
    handed = jobs.claim_due(uow)
    for job_id in handed:
        enqueue_scheduled(platform, job_id)

    requeued = 0
    for job_id in jobs.queued_before(uow, platform.clock.now() - lost_after):
        if not rq_job_exists(platform, scheduled_job_rq_id(job_id)):
            enqueue_scheduled(platform, job_id)
            requeued += 1
    released = jobs.release_stuck(uow)

    with uow:
        outbox_due = uow.session.scalar(
            select(
                exists().where(
                    OutboxMessage.kind.in_(list(platform.deliverers)),
                    OutboxMessage.status == "pending",
                    OutboxMessage.next_attempt_at <= platform.clock.now(),
                )
            )
        )
    if outbox_due:
        enqueue_relay(platform)
    if handed or requeued or released:
        log.info("scheduler: handed %s, re-handed %s, released %s", len(handed), requeued, released)
    return {
        "handed": len(handed),
        "requeued": requeued,
        "released": released,
        "outbox_due": int(bool(outbox_due)),
    }


def run_forever(platform: WorkerPlatform, stop: threading.Event, interval: float = 1.0) -> None:
    while not stop.is_set():
        try:
            tick(platform)
        except Exception:  # noqa: BLE001 - the loop must outlive a passing database/Redis fault
            log.exception("scheduler tick failed")
        stop.wait(interval)
