"""Session housekeeping: conversation rows are kept for two days, then purged by a nightly job.

The first hop of every new session schedules that night's purge (02:00 Johannesburg) with a
per-day dedupe key, so the job exists exactly once a day whenever anyone dials, and no separate
cron is needed.
"""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import delete

from core.db import UnitOfWork
from core.jobs import service as jobs

from .model import ConversationSession

log = logging.getLogger(__name__)
PURGE_KIND = "conversation.purge_sessions"
KEEP = timedelta(days=2)


_scheduled_days: set[str] = set()  # per process: days whose purge this process saw committed


def schedule_purge(uow: UnitOfWork) -> None:
    """In the caller's transaction; idempotent per local day. A process that already committed
    today's purge skips the insert, so new sessions do not all touch the same row."""
    tz = uow.settings.tz
    day = uow.now().astimezone(tz).date()
    key = f"{PURGE_KIND}:{day.isoformat()}"
    if key in _scheduled_days:
        return
    due = datetime.combine(day + timedelta(days=1), time(2, 0), tzinfo=tz)
    jobs.schedule(uow, PURGE_KIND, {}, due_at=due, dedupe_key=key)
    uow.after_commit(lambda: _scheduled_days.add(key))


@jobs.job_handler(PURGE_KIND)
def purge_sessions(uow: UnitOfWork, payload: dict[str, Any]) -> None:
    """Delete sessions untouched for `KEEP`, in the job's transaction. Safe to run twice."""
    result = uow.session.execute(
        delete(ConversationSession).where(ConversationSession.updated_at < uow.now() - KEEP)
    )
    log.info("purged %s conversation sessions", getattr(result, "rowcount", "?"))
