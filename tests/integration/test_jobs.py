"""Scheduled jobs: SQL is the truth, RQ carries them, and a Redis flush loses nothing."""

from datetime import timedelta

from sqlalchemy import select

from core.jobs import service as jobs
from core.jobs.model import ScheduledJob
from core.notify.service import send_sms
from workers import scheduler
from workers.platform import PlatformWorker

RAN: list[tuple[str, int]] = []


@jobs.job_handler("test.record")
def _record(uow, payload):
    RAN.append(("record", payload["n"]))


@jobs.job_handler("test.flaky")
def _flaky(uow, payload):
    RAN.append(("flaky", payload["n"]))
    if len([r for r in RAN if r[0] == "flaky"]) < 2:
        raise RuntimeError("gateway timed out")


def _work(platform):
    worker = PlatformWorker(platform)
    worker.work(burst=True)


def _statuses(platform):
    with platform.session_factory() as session:
        return dict(session.execute(select(ScheduledJob.id, ScheduledJob.status)).all())


def test_due_jobs_run_once_and_future_ones_wait(platform, clock, uow):
    RAN.clear()
    with uow:
        jobs.schedule(uow, "test.record", {"n": 1})
        jobs.schedule(uow, "test.record", {"n": 2}, due_at=clock.now() + timedelta(minutes=2))
        jobs.schedule(uow, "test.record", {"n": 1}, dedupe_key="once")
        jobs.schedule(uow, "test.record", {"n": 1}, dedupe_key="once")
        uow.commit()
    scheduler.tick(platform)
    _work(platform)
    assert sorted(RAN) == [("record", 1), ("record", 1)]
    clock.advance(minutes=3)
    scheduler.tick(platform)
    _work(platform)
    scheduler.tick(platform)
    _work(platform)
    assert sorted(RAN) == [("record", 1), ("record", 1), ("record", 2)]
    assert set(_statuses(platform).values()) == {"done"}


def test_failed_job_is_retried_later(platform, clock, uow):
    RAN.clear()
    with uow:
        job_id = jobs.schedule(uow, "test.flaky", {"n": 7})
        uow.commit()
    scheduler.tick(platform)
    _work(platform)
    assert _statuses(platform)[job_id] == "pending"
    clock.advance(minutes=5)
    scheduler.tick(platform)
    _work(platform)
    assert _statuses(platform)[job_id] == "done"
    assert RAN == [("flaky", 7), ("flaky", 7)]


def test_redis_flush_with_jobs_pending_loses_nothing(platform, clock, uow):
    """Jobs and outbox messages are handed to RQ, Redis is flushed before any worker runs, and
    the scheduler's next passes put everything back: all jobs run, all messages go out."""
    RAN.clear()
    with uow:
        ids = [jobs.schedule(uow, "test.record", {"n": n}) for n in range(5)]
        for n in range(3):
            send_sms(uow, f"+2782555000{n}", "generic", {"text": f"msg {n}"}, key=f"flush-{n}")
        uow.commit()
    scheduler.tick(platform)
    assert platform.queue("default").count == 5
    assert platform.queue("outbox").count == 1

    platform.redis.flushdb()  # every queued RQ job is gone
    assert platform.queue("default").count == 0
    _work(platform)
    assert RAN == []

    clock.advance(seconds=scheduler.LOST_AFTER.total_seconds() + 1)
    counts = scheduler.tick(platform)
    assert counts["requeued"] == 5
    _work(platform)
    assert sorted(n for _, n in RAN) == [0, 1, 2, 3, 4]
    assert all(_statuses(platform)[i] == "done" for i in ids)
    from core.outbox.queries import recent_messages

    assert {m.status for m in recent_messages(platform.uow())} == {"delivered"}


def test_a_job_handed_twice_runs_once(platform, uow):
    RAN.clear()
    with uow:
        job_id = jobs.schedule(uow, "test.record", {"n": 9})
        uow.commit()
    assert jobs.claim_due(platform.uow()) == [job_id]
    assert jobs.run_job(platform.uow(), job_id) == "done"
    assert jobs.run_job(platform.uow(), job_id) == "done"
    assert RAN == [("record", 9)]


def test_a_job_whose_worker_keeps_dying_fails_after_its_attempts(platform, clock, uow):
    """A job that kills its worker (out of memory, SIGKILL) is released while it has tries left,
    then marked failed instead of cycling for ever."""
    with uow:
        job_id = jobs.schedule(uow, "test.record", {"n": 1}, max_attempts=2)
        uow.commit()

    def start_and_die():
        with platform.engine.begin() as conn:
            conn.execute(
                ScheduledJob.__table__.update()
                .where(ScheduledJob.id == job_id)
                .values(
                    status="running", started_at=clock.now(), attempts=ScheduledJob.attempts + 1
                )
            )
        clock.advance(seconds=jobs.RUNNING_TIMEOUT.total_seconds() + 1)
        return jobs.release_stuck(platform.uow())

    assert start_and_die() == 1
    assert _statuses(platform)[job_id] == "pending"
    start_and_die()
    assert _statuses(platform)[job_id] == "failed"
