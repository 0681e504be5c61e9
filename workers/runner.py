"""`kerbside worker`: an RQ worker on the named queues, with the scheduler loop beside it."""

from __future__ import annotations

import threading

from rq import SimpleWorker

from kerbside.bootstrap import QUEUE_NAMES, Platform

from . import context, scheduler


def run_worker(
    platform: Platform,
    *,
    burst: bool = False,
    scheduler_loop: bool = True,
) -> None:
    """Jobs run in this process (SimpleWorker): they are short, database-bound, and share the
    engine's connection pool instead of forking a process per job."""
    context.install(platform)
    stop = threading.Event()
    loop = None
    if scheduler_loop and not burst:
        loop = threading.Thread(
            target=scheduler.run_forever, args=(platform, stop), name="scheduler", daemon=True
        )
        loop.start()
    elif scheduler_loop:
        scheduler.tick(platform)
    worker = SimpleWorker([platform.queue(name) for name in QUEUE_NAMES], connection=platform.redis)
    try:
        worker.work(burst=burst, with_scheduler=False, logging_level="WARNING")
    finally:
        stop.set()
        if loop is not None:
            loop.join(timeout=5)
