"""The conversation session row's SQL, built once per process and run as plain Core.

A hop reads its session row (locked) together with its person in one statement, and writes the
row back with one UPDATE by id: no ORM objects, identity map or change tracking on a hop's path
(docs/decisions.md H2). The rarer statements (a new person, a new or dropped row) are Core
constants, compiled once per process.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

import psycopg
from psycopg.types.json import Jsonb
from sqlalchemy import Connection, Table, bindparam, delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import DBAPIError

from core.accounts.model import Person

from .model import ConversationSession

_S = cast(Table, ConversationSession.__table__)
_P = cast(Table, Person.__table__)


@dataclass(slots=True)
class SessionRow:
    """The fields of a session row a hop reads and writes back."""

    id: int
    state: str
    stack: list[str]
    data: dict[str, Any]
    history: list[str]
    last_text: str
    shown: dict[str, Any]
    language: str
    hops: int
    ended_at: datetime | None
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class PersonRow:
    """What a hop needs of its person."""

    id: int
    phone: str
    language: str
    is_operator: bool
    is_consumer: bool
    pin_set: bool


_PERSON = (
    _P.c.id,
    _P.c.phone,
    _P.c.language,
    _P.c.is_operator,
    _P.c.is_consumer,
    _P.c.pin_hash.is_not(None).label("pin_set"),
)
_FIELDS = "id, state, stack, data, history, last_text, shown, language, hops, ended_at, updated_at"
_N = len(_FIELDS.split(","))

# The two statements of every hop, sent on the driver's cursor: no statement to compile or
# look up and no result metadata to build per hop (decisions H2).
LOAD = (
    "select "
    + ", ".join(f"s.{name.strip()}" for name in _FIELDS.split(","))
    + ", p.id, p.phone, p.language, p.is_operator, p.is_consumer, p.pin_hash is not null"
    " from conversation_sessions s join people p on p.id = s.person_id"
    " where s.channel = %(channel)s and s.session_key = %(key)s for update of s"
)
SAVE = (
    "update conversation_sessions set state = %(state)s, stack = %(stack)s, data = %(data)s,"
    " history = %(history)s, last_text = %(last_text)s, shown = %(shown)s,"
    " language = %(language)s, hops = %(hops)s, ended_at = %(ended_at)s,"
    " updated_at = %(updated_at)s where id = %(row_id)s"
)
_PERSON_BY_PHONE = select(*_PERSON).where(_P.c.phone == bindparam("phone"))
_ADD_PERSON = (
    insert(_P)
    .values(phone=bindparam("phone"), language="en", is_consumer=True, is_operator=False)
    .on_conflict_do_nothing(index_elements=["phone"])
)
_CREATE = (
    insert(_S).on_conflict_do_nothing(index_elements=["channel", "session_key"]).returning(_S.c.id)
)
_DELETE = delete(_S).where(_S.c.id == bindparam("row_id"))


def _run(conn: Connection, sql: str, params: dict[str, Any]) -> psycopg.Cursor[Any]:
    """`sql` on the driver's cursor of `conn` (its transaction), failing as SQLAlchemy would: a
    driver error becomes SQLAlchemy's (the outage handlers and the hop's retry see the same
    exceptions), and a connection the server dropped is invalidated, so it is not lent again."""
    dbapi = conn.connection.dbapi_connection
    assert isinstance(dbapi, psycopg.Connection)
    cursor = dbapi.cursor()
    try:
        cursor.execute(sql, params)
    except psycopg.Error as err:
        lost = conn.dialect.is_disconnect(err, dbapi, cursor)
        if lost:
            conn.invalidate(err)
        raise DBAPIError.instance(
            sql, params, err, psycopg.Error, connection_invalidated=lost, dialect=conn.dialect
        ) from err
    return cursor


def load(conn: Connection, channel: str, key: str) -> tuple[SessionRow, PersonRow] | None:
    """The session row, locked until the transaction ends, with its person; None if absent."""
    found = _run(conn, LOAD, {"channel": channel, "key": key}).fetchone()
    if found is None:
        return None
    return SessionRow(*found[:_N]), PersonRow(*found[_N:])


def person(conn: Connection, phone: str) -> PersonRow:
    """The person with this number, created (a consumer, English) if there is none."""
    found = conn.execute(_PERSON_BY_PHONE, {"phone": phone}).first()
    if found is None:
        conn.execute(_ADD_PERSON, {"phone": phone})
        found = conn.execute(_PERSON_BY_PHONE, {"phone": phone}).first()
    assert found is not None
    return PersonRow(*found)


def create(
    conn: Connection, channel: str, key: str, phone: str, who: PersonRow, now: datetime
) -> SessionRow | None:
    """A new, empty session row; None if a concurrent hop of the same session created it."""
    row_id = conn.execute(
        _CREATE,
        {
            "channel": channel,
            "session_key": key,
            "phone": phone,
            "person_id": who.id,
            "state": "",
            "stack": [],
            "data": {},
            "history": [],
            "last_text": "",
            "shown": {},
            "language": who.language,
            "hops": 0,
            "created_at": now,
            "updated_at": now,
        },
    ).scalar_one_or_none()
    if row_id is None:
        return None
    return SessionRow(row_id, "", [], {}, [], "", {}, who.language, 0, None, now)


def drop(conn: Connection, row: SessionRow) -> None:
    conn.execute(_DELETE, {"row_id": row.id})


def save(conn: Connection, row: SessionRow) -> None:
    _run(
        conn,
        SAVE,
        {
            "row_id": row.id,
            "state": row.state,
            "stack": Jsonb(row.stack),
            "data": Jsonb(row.data),
            "history": Jsonb(row.history),
            "last_text": row.last_text,
            "shown": Jsonb(row.shown),
            "language": row.language,
            "hops": row.hops,
            "ended_at": row.ended_at,
            "updated_at": row.updated_at,
        },
    )
