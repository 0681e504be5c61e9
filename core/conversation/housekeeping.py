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


def schedule_purge(uow: UnitOfWork) -> None:
    """In the caller's transaction; idempotent per local day."""
    tz = uow.settings.tz
    day = uow.now().astimezone(tz).date()
    due = datetime.combine(day + timedelta(days=1), time(2, 0), tzinfo=tz)
    jobs.schedule(uow, PURGE_KIND, {}, due_at=due, dedupe_key=f"{PURGE_KIND}:{day.isoformat()}")


@jobs.job_handler(PURGE_KIND)
def purge_sessions(uow: UnitOfWork, payload: dict[str, Any]) -> None:
    """Delete sessions untouched for `KEEP`. Safe to run twice."""
    with uow:
        result = uow.session.execute(
            delete(ConversationSession).where(ConversationSession.updated_at < uow.now() - KEEP)
        )
        uow.commit()
    log.info("purged %s conversation sessions", getattr(result, "rowcount", "?"))
