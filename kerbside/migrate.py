"""Run Alembic programmatically: `kerbside db upgrade` and the test fixtures use this."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import Engine

HERE = Path(__file__).parent


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(HERE / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(engine: Engine, revision: str = "heads") -> None:
    """Bring the schema up to date. A PostgreSQL advisory lock lets several processes call this
    at start-up without racing each other."""
    url = engine.url.render_as_string(hide_password=False)
    with engine.connect() as conn:
        conn.execute(text("select pg_advisory_lock(7265372)"))
        try:
            command.upgrade(alembic_config(url), revision)
        finally:
            conn.execute(text("select pg_advisory_unlock(7265372)"))
            conn.commit()


def revision(engine: Engine, message: str) -> None:
    url = engine.url.render_as_string(hide_password=False)
    command.revision(alembic_config(url), message=message, autogenerate=True)
