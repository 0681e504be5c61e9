"""Conversation sessions are purged two days after they were last touched."""

from sqlalchemy import text

from core.conversation import housekeeping
from core.conversation.engine import converse
from core.conversation.housekeeping import PURGE_KIND, purge_sessions


def _purge(platform):
    """As the job runs it: in the job's transaction, committed with its DONE mark."""
    uow = platform.uow()
    with uow:
        purge_sessions(uow, {})
        uow.commit()


def _count(platform, sql):
    with platform.engine.connect() as conn:
        return conn.execute(text(sql)).scalar()


def test_a_dial_schedules_one_purge_a_day_and_the_purge_keeps_recent_sessions(platform, clock):
    housekeeping._scheduled_days.clear()
    converse(platform.uow(), "+27820000001", "ussd", "old", "")
    converse(platform.uow(), "+27820000002", "ussd", "old-too", "")
    assert _count(platform, f"select count(*) from scheduled_jobs where kind = '{PURGE_KIND}'") == 1
    clock.advance(days=1, hours=12)
    converse(platform.uow(), "+27820000001", "ussd", "recent", "")
    clock.advance(days=1)
    _purge(platform)
    assert _count(platform, "select session_key from conversation_sessions") == "recent"
    assert _count(platform, f"select count(*) from scheduled_jobs where kind = '{PURGE_KIND}'") == 2
    _purge(platform)
    assert _count(platform, "select count(*) from conversation_sessions") == 1
