"""Shared fixtures: real PostgreSQL and Redis for every integration and e2e test.

With DATABASE_URL / REDIS_URL set (as in CI) the tests use those servers; otherwise they start
the embedded ones under var/test/. The schema is rebuilt from the migrations once per run, and
every test starts from empty tables, an empty Redis database and a manual clock.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from core.clock import ManualClock
from core.settings import Settings
from kerbside.bootstrap import Platform, bootstrap

ROOT = Path(__file__).resolve().parent.parent
START = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)  # a Wednesday, 10:00 in Johannesburg


def _test_settings() -> Settings:
    settings = Settings.from_env()
    changes: dict[str, object] = {"var_dir": ROOT / "var" / "test", "log_json": False}
    return settings.replace(**changes)


@pytest.fixture(scope="session")
def base_platform() -> Iterator[Platform]:
    settings = _test_settings()
    if settings.database_url is None:
        from kerbside import embedded

        settings = settings.replace(
            database_url=embedded.start_postgres(settings.var_dir, database="kerbside_test")
        )
    platform = bootstrap(settings)
    database = platform.engine.url.database or ""
    if "test" not in database:
        pytest.exit(f"refusing to wipe database {database!r}: tests need a database named *test*")
    with platform.engine.begin() as conn:
        conn.execute(text("drop schema public cascade"))
        conn.execute(text("create schema public"))
    from kerbside.migrate import upgrade

    upgrade(platform.engine)
    # Every `kerbside` command a test runs (in process or as a subprocess) must reach these
    # servers, also when they are the embedded ones this fixture started.
    os.environ["DATABASE_URL"] = platform.settings.database_url or ""
    os.environ["REDIS_URL"] = platform.settings.redis_url or ""
    yield platform
    platform.close()


def _tables(platform: Platform) -> list[str]:
    from kerbside.models import metadata

    return [table.name for table in metadata.sorted_tables]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def platform(base_platform: Platform, clock: ManualClock) -> Iterator[Platform]:
    tables = ", ".join(f'"{name}"' for name in _tables(base_platform))
    with base_platform.engine.begin() as conn:
        conn.execute(text(f"truncate {tables} restart identity cascade"))
    base_platform.redis.flushdb()
    base_platform.clock = clock
    yield base_platform


@pytest.fixture
def uow(platform: Platform):  # type: ignore[no-untyped-def]
    return platform.uow()


@pytest.fixture
def app(platform: Platform):  # type: ignore[no-untyped-def]
    from kerbside.app import create_app

    flask_app = create_app(platform)
    flask_app.testing = True
    return flask_app


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    return app.test_client()


pytest_plugins = ["tests.fakes.fixtures"]
