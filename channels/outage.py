"""What a webhook answers while the database cannot be reached (trial defect 10).

Not Flask's HTML error page and a stack trace: one log line naming the exception class (no
stack, no phone number) and a short answer the caller can act on. SMS providers get a plain
503 and retry, which our inbound idempotency makes safe; a USSD hop gets an `END` apology,
since the person is waiting on the screen and a gateway error would only end the session.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Blueprint, Response
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

log = logging.getLogger(__name__)

# Cannot connect, connection lost, pool exhausted: the database is not there for us right now.
DATABASE_DOWN: tuple[type[Exception], ...] = (OperationalError, InterfaceError, PoolTimeoutError)


def log_outage(where: str, err: BaseException) -> None:
    log.error("%s: database unavailable (%s)", where, type(err).__name__)


def plain_text(status: int, body: str) -> Response:
    """A webhook's short plain-text answer, one line: what every provider-facing door replies."""
    return Response(body + "\n", status=status, content_type="text/plain")


def unavailable() -> Response:
    response = plain_text(503, "unavailable, please retry")
    response.headers["Retry-After"] = "30"
    return response


def answer_outages(blueprint: Blueprint, answer: Callable[[], Response] = unavailable) -> None:
    """Every view of `blueprint` answers a database outage with `answer()` and one log line."""

    def handle(err: Exception) -> Response:
        log_outage(blueprint.name, err)
        return answer()

    for kind in DATABASE_DOWN:
        blueprint.register_error_handler(kind, handle)
