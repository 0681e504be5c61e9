"""`kerbside worker`: an RQ worker on the named queues, with the scheduler loop beside it."""

from __future__ import annotations

import logging
import threading

from sqlalchemy import select

from core.jobs import service as jobs
from core.outbox.model import MessageStatus, OutboxMessage
from core.settings import ConfigError

from . import jobs as _registered  # noqa: F401 - imports every job handler module
from . import scheduler
from .platform import PlatformWorker, WorkerPlatform

log = logging.getLogger(__name__)


def check_registries(platform: WorkerPlatform) -> None:
    """Refuse to start while a job waits whose handler this worker does not have (its module is
    not imported in workers/jobs.py): better a failed deploy than a job failed for ever. Outbox
    rows of a kind without a deliverer only warn: they wait, and SMS keeps flowing."""
    missing = jobs.unhandled_kinds(platform.uow())
    if missing:
        raise ConfigError(
            f"scheduled jobs of kind {', '.join(missing)} have no handler in this worker; "
            "import their module in workers/jobs.py"
        )
    uow = platform.uow()
    with uow:
        kinds = uow.session.scalars(
            select(OutboxMessage.kind)
            .distinct()
            .where(
                OutboxMessage.status == MessageStatus.PENDING,
                OutboxMessage.kind.not_in(list(platform.deliverers)),
            )
        ).all()
    if kinds:
        log.warning("outbox rows of kind %s wait: no deliverer registered", ", ".join(kinds))


def run_worker(
    platform: WorkerPlatform,
    *,
    burst: bool = False,
    scheduler_loop: bool = True,
) -> None:
    """Jobs run in this process (SimpleWorker): they are short, database-bound, and share the
    engine's connection pool instead of forking a process per job."""
    check_registries(platform)
    stop = threading.Event()
    loop = None
    if scheduler_loop and not burst:
        loop = threading.Thread(
            target=scheduler.run_forever, args=(platform, stop), name="scheduler", daemon=True
        )
        loop.start()
    elif scheduler_loop:
        scheduler.tick(platform)
    worker = PlatformWorker(platform)
    try:
        worker.work(burst=burst, with_scheduler=False, logging_level="WARNING")
    finally:
        stop.set()
        if loop is not None:
            loop.join(timeout=5)
