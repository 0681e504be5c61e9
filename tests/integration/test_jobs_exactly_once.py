"""Exactly-once jobs: a job's SQL effect and its DONE mark commit together, and a job whose
module is not imported stops the worker at start-up instead of failing for ever."""

import contextlib
import signal
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, func, select

from core.accounts.model import Person
from core.conversation.housekeeping import PURGE_KIND
from core.conversation.model import ConversationSession
from core.jobs import service as jobs
from core.jobs.model import ScheduledJob
from core.settings import ConfigError
from tests.conftest import ROOT
from workers.runner import run_worker


class _Crash(Exception):
    pass


def _stale_session_and_purge_job(platform, uow):
    """A conversation session idle for three days and the nightly job that purges it."""
    with uow:
        person = Person(phone="+27825550001")
        uow.add(person)
        uow.session.flush()
        uow.add(
            ConversationSession(
                channel="ussd",
                session_key="old",
                phone=person.phone,
                person_id=person.id,
                state="c.menu",
                updated_at=uow.now() - timedelta(days=3),
            )
        )
        job_id = jobs.schedule(uow, PURGE_KIND, {})
        uow.commit()
    return job_id


def _effect_and_mark(platform, job_id):
    with platform.session_factory() as session:
        sessions = session.scalar(select(func.count()).select_from(ConversationSession))
        status = session.scalar(select(ScheduledJob.status).where(ScheduledJob.id == job_id))
    return ("purged" if sessions == 0 else "kept", status)


def _is_done_mark(statement, parameters):
    values = parameters.values() if isinstance(parameters, dict) else ()
    return statement.lstrip().upper().startswith("UPDATE SCHEDULED_JOBS") and "done" in values


def test_an_exception_right_before_the_done_mark_leaves_neither_then_both(platform, clock, uow):
    job_id = _stale_session_and_purge_job(platform, uow)

    def crash_at_done_mark(conn, cursor, statement, parameters, context, executemany):
        if _is_done_mark(statement, parameters):
            raise _Crash("injected right before the DONE mark")

    event.listen(platform.engine, "before_cursor_execute", crash_at_done_mark)
    try:
        with contextlib.suppress(_Crash):
            jobs.run_job(platform.uow(), job_id)
    finally:
        event.remove(platform.engine, "before_cursor_execute", crash_at_done_mark)
    effect, status = _effect_and_mark(platform, job_id)
    assert (effect, status) == ("kept", "pending")  # neither: the purge was rolled back

    clock.advance(hours=2)  # past the retry's backoff
    assert jobs.run_job(platform.uow(), job_id) == "done"
    assert _effect_and_mark(platform, job_id) == ("purged", "done")  # both


KILLED_JOB = """
import os, signal
from sqlalchemy import event
from core.jobs import service as jobs
from core.settings import Settings
from kerbside.bootstrap import bootstrap
import workers.jobs  # registers every job handler, as a worker does

settings = Settings.from_env().replace(database_url={database_url!r}, redis_url={redis_url!r})
platform = bootstrap(settings)

@event.listens_for(platform.engine, "before_cursor_execute")
def die_at_done_mark(conn, cursor, statement, parameters, context, executemany):
    values = parameters.values() if isinstance(parameters, dict) else ()
    if statement.lstrip().upper().startswith("UPDATE SCHEDULED_JOBS") and "done" in values:
        os.kill(os.getpid(), signal.SIGKILL)

jobs.run_job(platform.uow(), {job_id})
"""


def test_a_worker_killed_between_effect_and_done_mark_leaves_neither_then_both(
    platform, clock, uow
):
    """A real process runs the purge job and is killed with SIGKILL as it marks the job DONE:
    the purge is not committed; the job is released and run again, and then both are."""
    clock.set(datetime.now(UTC))  # the worker process runs on the real clock
    job_id = _stale_session_and_purge_job(platform, uow)
    script = KILLED_JOB.format(
        database_url=platform.settings.database_url,
        redis_url=platform.settings.redis_url,
        job_id=job_id,
    )
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(script)], cwd=ROOT, timeout=60)
    assert result.returncode == -signal.SIGKILL
    assert _effect_and_mark(platform, job_id) == ("kept", "running")  # neither

    clock.advance(seconds=jobs.RUNNING_TIMEOUT.total_seconds() + 1)
    assert jobs.release_stuck(platform.uow()) == 1
    assert jobs.run_job(platform.uow(), job_id) == "done"
    assert _effect_and_mark(platform, job_id) == ("purged", "done")  # both


def test_a_job_whose_module_is_not_imported_stops_the_worker_at_start_up(platform, uow):
    with uow:
        job_id = jobs.schedule(uow, "nowhere.unimported", {"n": 1})
        uow.commit()
    with pytest.raises(ConfigError) as raised:
        run_worker(platform, burst=True)
    assert "nowhere.unimported" in str(raised.value) and "\n" not in str(raised.value)
    with platform.session_factory() as session:
        job = session.get(ScheduledJob, job_id)
        assert (job.status, job.attempts) == ("pending", 0)


def test_a_job_of_an_unknown_kind_met_at_run_time_waits_instead_of_failing(platform, clock, uow):
    """A worker older than the code that scheduled the job (a rolling deploy) leaves it for a
    worker that knows it, without using up its attempts."""
    with uow:
        job_id = jobs.schedule(uow, "nowhere.unimported", {"n": 1}, max_attempts=1)
        uow.commit()
    assert jobs.run_job(platform.uow(), job_id) == "pending"
    with platform.session_factory() as session:
        job = session.get(ScheduledJob, job_id)
        assert (job.status, job.attempts) == ("pending", 0)
        assert "no handler" in job.last_error and job.due_at > clock.now()


def test_a_handler_that_commits_by_itself_is_refused(platform, uow):
    """The job commits its handler's effect with its DONE mark; a handler committing on its own
    would reopen the window, so it fails loudly and nothing of it stays."""

    @jobs.job_handler("test.commits_itself")
    def commits_itself(job_uow, payload):
        job_uow.add(Person(phone="+27825550009"))
        job_uow.commit()

    with uow:
        job_id = jobs.schedule(uow, "test.commits_itself", {})
        uow.commit()
    assert jobs.run_job(platform.uow(), job_id) == "pending"
    with platform.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Person)) == 0
        assert "JobTransactionError" in session.get(ScheduledJob, job_id).last_error
