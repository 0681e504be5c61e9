"""What the workers need of the platform, as a protocol, and the RQ classes that hand it to
each job (decision W6).

`kerbside/bootstrap.py: Platform` satisfies `WorkerPlatform`; workers never import it. An RQ
job function takes the platform as its first argument and ids after it; `PlatformWorker`
(what `kerbside worker` runs) gives each job it performs its own platform, through
`PlatformJob`. There is no process-wide platform: a job picked up by a worker that has none
(RQ's own `rq worker`) fails at once, its function missing that argument, and changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

import redis
from rq import Queue, SimpleWorker
from rq.executions import Execution
from rq.job import Job

from core.clock import Clock
from core.db import UnitOfWork
from core.outbox.ports import Deliverer

QUEUE_NAMES = ("default", "outbox")


class WorkerPlatform(Protocol):
    @property
    def clock(self) -> Clock: ...

    @property
    def redis(self) -> redis.Redis: ...

    @property
    def deliverers(self) -> Mapping[str, Deliverer]: ...

    def uow(self) -> UnitOfWork: ...

    def queue(self, name: str = "default") -> Queue: ...


class PlatformJob(Job):
    """An RQ job run with the platform of the worker performing it as its first argument."""

    platform: WorkerPlatform | None = None

    def _execute(self) -> Any:
        if self.platform is None:
            raise RuntimeError("Kerbside jobs run in `kerbside worker` (workers.platform)")
        if not self.func:
            raise ValueError("cannot execute job: function is None")
        return self.func(self.platform, *self.args, **self.kwargs)


class PlatformWorker(SimpleWorker):
    """A SimpleWorker (jobs run in this process, sharing the engine's pool) on the platform's
    queues, handing the platform to every job it performs."""

    job_class = PlatformJob

    def __init__(self, platform: WorkerPlatform, **kwargs: Any) -> None:
        queues = [platform.queue(name) for name in QUEUE_NAMES]
        super().__init__(queues, connection=platform.redis, job_class=PlatformJob, **kwargs)
        self.platform = platform

    def perform_job(self, job: Job, queue: Queue, execution: Execution) -> bool:
        if isinstance(job, PlatformJob):
            job.platform = self.platform
        return super().perform_job(job, queue, execution)
