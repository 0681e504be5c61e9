"""Schedule, claim and run SQL-backed jobs.

The row is the truth; RQ only carries the "run job N now" message. If Redis loses that message
(flush, restart), `requeue_lost` finds the row still `queued` and hands it over again, and
`run_job` is idempotent: a job that is already done is not run twice.

Exactly once: a handler runs inside the job's own transaction (`JobUnitOfWork`) and the job's
DONE mark is written in that same transaction, so a worker killed or failing anywhere in
between leaves neither the effect nor the mark, and the job is run again. A handler must not
commit; work that has to outlive a failure of the job (idempotent, e.g. scheduling tomorrow's
run under a dedupe key) goes through `uow.fresh()`, its own transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.dialects.postgresql import insert

from core.claim import claim_rows
from core.db import UnitOfWork

from .model import JobStatus, ScheduledJob

log = logging.getLogger(__name__)

Handler = Callable[[UnitOfWork, dict[str, Any]], None]
_HANDLERS: dict[str, Handler] = {}

RUNNING_TIMEOUT = timedelta(minutes=10)
UNHANDLED_RETRY = timedelta(minutes=5)
LIVE = (JobStatus.PENDING, JobStatus.QUEUED, JobStatus.RUNNING)


class JobTransactionError(RuntimeError):
    """A handler tried to commit or reopen the job's transaction."""


class JobTakenOverError(RuntimeError):
    """The job was released (it ran past RUNNING_TIMEOUT) and run by someone else meanwhile."""


@dataclass
class JobUnitOfWork(UnitOfWork):
    """The job's transaction, lent to its handler: its writes commit with the DONE mark."""

    lent: bool = False

    def __enter__(self) -> JobUnitOfWork:
        if self.lent:
            raise JobTransactionError("a job handler runs in the job's transaction: use it as is")
        super().__enter__()
        return self

    def commit(self) -> None:
        if self.lent:
            raise JobTransactionError("the job commits its handler's writes with its DONE mark")
        super().commit()


def job_handler(kind: str) -> Callable[[Handler], Handler]:
    """Register the handler for one kind of job. It runs in the job's transaction
    (`JobUnitOfWork`): it writes through `uow` and returns; it never commits."""

    def register(fn: Handler) -> Handler:
        _HANDLERS[kind] = fn
        return fn

    return register


def handlers() -> Mapping[str, Handler]:
    return dict(_HANDLERS)


def schedule(
    uow: UnitOfWork,
    kind: str,
    payload: Mapping[str, Any],
    *,
    due_at: datetime | None = None,
    dedupe_key: str | None = None,
    max_attempts: int = 5,
) -> int | None:
    """Add a job in the caller's transaction. With `dedupe_key`, scheduling twice adds one job."""
    stmt = (
        insert(ScheduledJob)
        .values(
            kind=kind,
            payload=dict(payload),
            due_at=due_at or uow.now(),
            status=JobStatus.PENDING,
            dedupe_key=dedupe_key,
            max_attempts=max_attempts,
            created_at=uow.now(),
        )
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(ScheduledJob.id)
    )
    return uow.session.execute(stmt).scalar_one_or_none()


def cancel(uow: UnitOfWork, dedupe_key: str) -> bool:
    result = uow.session.execute(
        update(ScheduledJob)
        .where(
            ScheduledJob.dedupe_key == dedupe_key,
            ScheduledJob.status.in_([JobStatus.PENDING, JobStatus.QUEUED]),
        )
        .values(status=JobStatus.CANCELLED, finished_at=uow.now())
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def claim_due(uow: UnitOfWork, limit: int = 200) -> list[int]:
    """Mark due jobs `queued` and return their ids; the caller hands them to RQ after commit."""
    now = uow.now()
    with uow:
        rows = claim_rows(
            uow.session,
            ScheduledJob,
            where=[ScheduledJob.status == JobStatus.PENDING, ScheduledJob.due_at <= now],
            order_by=[ScheduledJob.due_at, ScheduledJob.id],
            limit=limit,
            values={"status": JobStatus.QUEUED, "queued_at": now},
        )
        uow.commit()
    return [row[0] for row in rows]


def unhandled_kinds(uow: UnitOfWork) -> list[str]:
    """Kinds of jobs still to run that no handler in this process is registered for."""
    with uow:
        kinds = uow.session.scalars(
            select(ScheduledJob.kind).distinct().where(ScheduledJob.status.in_(LIVE))
        ).all()
    return sorted(set(kinds) - set(_HANDLERS))


def queued_before(uow: UnitOfWork, moment: datetime) -> list[int]:
    """Jobs handed to RQ before `moment` that have not started: candidates for re-handing."""
    with uow:
        return list(
            uow.session.scalars(
                select(ScheduledJob.id).where(
                    ScheduledJob.status == JobStatus.QUEUED, ScheduledJob.queued_at <= moment
                )
            ).all()
        )


def release_stuck(uow: UnitOfWork) -> int:
    """Jobs marked running for too long (their worker died) go back to pending, or fail when
    they have used their attempts (a job that kills its worker must not loop for ever)."""
    now = uow.now()
    with uow:
        stuck = (
            update(ScheduledJob)
            .where(
                ScheduledJob.status == JobStatus.RUNNING,
                ScheduledJob.started_at <= now - RUNNING_TIMEOUT,
            )
            .execution_options(synchronize_session=False)
        )
        uow.session.execute(
            stuck.where(ScheduledJob.attempts >= ScheduledJob.max_attempts).values(
                status=JobStatus.FAILED,
                finished_at=now,
                last_error="worker lost while running, out of attempts",
            )
        )
        result = uow.session.execute(stuck.values(status=JobStatus.PENDING, due_at=now))
        uow.commit()
        return int(result.rowcount)  # type: ignore[attr-defined]


def run_job(uow: UnitOfWork, job_id: int) -> str:
    """Run one job if it is still waiting to run. Returns the job's status afterwards."""
    now = uow.now()
    with uow:
        row = uow.session.execute(
            update(ScheduledJob)
            .where(
                ScheduledJob.id == job_id,
                or_(
                    ScheduledJob.status == JobStatus.QUEUED,
                    ScheduledJob.status == JobStatus.PENDING,
                ),
                ScheduledJob.due_at <= now,
            )
            .values(status=JobStatus.RUNNING, started_at=now, attempts=ScheduledJob.attempts + 1)
            .returning(
                ScheduledJob.kind,
                ScheduledJob.payload,
                ScheduledJob.attempts,
                ScheduledJob.max_attempts,
            )
        ).one_or_none()
        uow.commit()
    if row is None:
        with uow:
            status = uow.session.scalar(
                select(ScheduledJob.status).where(ScheduledJob.id == job_id)
            )
        return status or "missing"

    kind, payload, attempts, max_attempts = row
    handler = _HANDLERS.get(kind)
    if handler is None:
        return _wait_for_a_handler(uow, job_id, kind, attempts)
    work = JobUnitOfWork(**uow.wiring())
    try:
        with work:
            work.lent = True
            handler(work, payload)
            work.lent = False
            done = work.session.execute(
                _still_ours(job_id, attempts).values(status=JobStatus.DONE, finished_at=work.now())
            )
            if not done.rowcount:  # type: ignore[attr-defined]
                raise JobTakenOverError(f"job {job_id} was released and run elsewhere")
            work.commit()
    except Exception as err:  # noqa: BLE001 - any failure is recorded on the row and retried
        log.exception("job %s (%s) failed on attempt %s", job_id, kind, attempts)
        final = attempts >= max_attempts
        with uow:
            uow.session.execute(
                _still_ours(job_id, attempts).values(
                    status=JobStatus.FAILED if final else JobStatus.PENDING,
                    due_at=uow.now() + timedelta(seconds=min(30 * 2**attempts, 3600)),
                    last_error=f"{type(err).__name__}: {err}"[:2000],
                    finished_at=uow.now() if final else None,
                )
            )
            uow.commit()
        return JobStatus.FAILED if final else JobStatus.PENDING
    return JobStatus.DONE


def _still_ours(job_id: int, attempts: int) -> Any:
    """An UPDATE of the job only while it is still the run this worker started."""
    return update(ScheduledJob).where(
        ScheduledJob.id == job_id,
        ScheduledJob.status == JobStatus.RUNNING,
        ScheduledJob.attempts == attempts,
    )


def _wait_for_a_handler(uow: UnitOfWork, job_id: int, kind: str, attempts: int) -> str:
    """No handler here (a worker older than the code that scheduled the job): leave the job for
    one that has it, without using an attempt. At start-up this stops the worker instead."""
    log.error("job %s: no handler for kind %r in this worker", job_id, kind)
    with uow:
        uow.session.execute(
            _still_ours(job_id, attempts).values(
                status=JobStatus.PENDING,
                attempts=attempts - 1,
                due_at=uow.now() + UNHANDLED_RETRY,
                last_error=f"no handler for kind {kind!r} in this worker: is its module imported?",
            )
        )
        uow.commit()
    return JobStatus.PENDING
