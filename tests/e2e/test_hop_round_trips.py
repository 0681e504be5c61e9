"""A USSD hop's database round trips (issue 9, docs/decisions.md H1-H3): one statement loads the
session row (locked) with its person, one writes the row back, and the pool does not ping the
server before lending a connection. Counted at the driver, through a real webhook request."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import event

from kerbside.app import create_app
from kerbside.bootstrap import Platform, bootstrap

from .ussd_phone import Phone

SENT: list[str] = []


class CountingCursor(psycopg.Cursor):  # type: ignore[type-arg]
    """Every statement a connection of the platform's pool sends, the pool's pings included."""

    def execute(self, query, params=None, **kwargs):  # type: ignore[no-untyped-def]
        SENT.append(str(query if isinstance(query, str) else query.as_string(self)))
        return super().execute(query, params, **kwargs)


@pytest.fixture
def counted(platform: Platform) -> Iterator[Platform]:
    """A platform of its own, built as the web app builds it, whose connections count."""
    own = bootstrap(platform.settings, clock=platform.clock)

    @event.listens_for(own.engine, "connect")
    def count(dbapi, _record):  # type: ignore[no-untyped-def]
        dbapi.cursor_factory = CountingCursor

    own.engine.dispose()  # connections made during start-up do not count
    yield own
    own.close()


def test_a_menu_hop_is_two_statements_and_no_ping(counted: Platform) -> None:
    phone = Phone(create_app(counted).test_client(), "+27825550101")
    assert "CON" in phone.dial()
    assert "CON" in phone.send("4")
    SENT.clear()
    screen = phone.send("0")  # back to the main menu: a screen that reads nothing else
    assert screen.startswith("CON")
    assert [statement.split()[0].lower() for statement in SENT] == ["select", "update"], SENT
    assert " join people " in SENT[0].lower()
    assert SENT[0].lower().endswith(" for update of s")


def test_a_hop_on_a_connection_the_server_dropped_still_answers(
    counted: Platform, platform: Platform
) -> None:
    phone = Phone(create_app(counted).test_client(), "+27825550102")
    menu = phone.dial()
    with counted.engine.connect() as conn:  # the one connection the pool holds
        pid = conn.exec_driver_sql("select pg_backend_pid()").scalar()
    with platform.engine.connect() as conn:
        conn.exec_driver_sql(f"select pg_terminate_backend({int(pid)})")
    assert phone.send("4").startswith("CON")
    assert phone.send("0") == menu
