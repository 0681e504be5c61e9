"""The floor: the cheapest correct PostgreSQL-backed USSD hop, served like the platform.

One session row per sessionId. Each hop, in one transaction: SELECT the row FOR UPDATE (or
INSERT it on the first hop), check that the cumulative `text` extends what the row holds by
the new inputs, apply them, UPDATE, COMMIT. No engine, no ORM, no Redis: whatever Kerbside's
hops cost above this is the price of the platform; this is the price of being correct.

    gunicorn --workers 2 --pythonpath bench floor:app   (DATABASE_URL set; `prepare()` first)
"""

from __future__ import annotations

import os

import psycopg
from flask import Flask, Response, request

app = Flask("floor")
_connection: psycopg.Connection | None = None  # one per sync worker: one request at a time

SCHEMA = """
create table if not exists floor_sessions (
    session_id text primary key, inputs text not null, hops integer not null
)
"""


def dsn() -> str:
    url = os.environ["DATABASE_URL"]
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def prepare() -> None:
    with psycopg.connect(dsn(), autocommit=True) as conn:
        conn.execute(SCHEMA)
        conn.execute("truncate floor_sessions")


def connection() -> psycopg.Connection:
    global _connection
    if _connection is None or _connection.closed:
        _connection = psycopg.connect(dsn(), autocommit=True)
    return _connection


@app.post("/ussd")
def hop() -> Response:
    session_id, text = request.form["sessionId"], request.form.get("text", "")
    conn = connection()
    with conn.transaction():
        row = conn.execute(
            "select inputs, hops from floor_sessions where session_id = %s for update",
            (session_id,),
        ).fetchone()
        if row is None:
            conn.execute(
                "insert into floor_sessions values (%s, %s, 1) on conflict do nothing",
                (session_id, text),
            )
            return Response("CON Welcome\n1 Book\n2 Mine", mimetype="text/plain")
        inputs, hops = row
        if text != inputs and not text.startswith(inputs + "*" if inputs else ""):
            return Response("END Your session ended. Start again", mimetype="text/plain")
        conn.execute(
            "update floor_sessions set inputs = %s, hops = %s where session_id = %s",
            (text, hops + 1, session_id),
        )
    return Response(f"CON Step {hops + 1}\n1 Next\n0 Back", mimetype="text/plain")


@app.get("/healthz")
def healthz() -> Response:
    return Response("ok", mimetype="text/plain")
