"""Domain events: what happened, recorded on the unit of work, handled in its transaction.

A core operation that changes state records a typed, frozen event (`uow.record(event)`,
core/db.py); it never calls a notifier, a ledger or a payout inline (architecture.md 12).
Recording does three things, at once and in this order:

1. appends the event to `uow.events` (what this transaction did, in order);
2. stores it in SQL through the event's own `store` (in the same transaction);
3. runs its handlers, looked up in the registry the unit of work carries (`uow.handlers`,
   listed in `core.handlers.HANDLERS` and wired by `kerbside/bootstrap.py`), each as
   `handler(uow, event)`, in the same transaction.

Handlers run when the event is recorded, not at commit, so an error raised by one surfaces at
the operation that caused it, inside whatever savepoint wraps that operation, and rolls back
with it: a failed handler means the change is not committed and nothing is sent. Events of a
savepoint that is rolled back leave `uow.events` too (see core/db.py).

This module is the events' vocabulary and imports nothing of the core, so the unit of work
can name it; recording lives on the unit of work.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from enum import Enum
from typing import Any, ClassVar

from sqlalchemy.orm import Session

# Field metadata for a value carried in memory for handlers (a recipient's phone the caller
# already had) but never written to SQL.
TRANSIENT: Mapping[str, bool] = {"transient": True}


@dataclass(frozen=True, kw_only=True)
class DomainEvent:
    """Base of every event. Subclasses are frozen dataclasses with a stable `name`."""

    name: ClassVar[str] = "event"
    # Fields stored in their own columns rather than in the JSON payload.
    columns: ClassVar[frozenset[str]] = frozenset()

    def payload(self) -> dict[str, Any]:
        """The event's own fields as JSON-ready values (what SQL keeps beside the columns)."""
        return {name: _jsonable(getattr(self, name)) for name in _payload_fields(type(self))}

    def store(self, session: Session) -> None:
        """Write the event to SQL in the recording transaction. The base class keeps nothing."""


_PAYLOAD_FIELDS: dict[type[DomainEvent], tuple[str, ...]] = {}


def _payload_fields(event_type: type[DomainEvent]) -> tuple[str, ...]:
    names = _PAYLOAD_FIELDS.get(event_type)
    if names is None:
        names = _PAYLOAD_FIELDS[event_type] = tuple(
            f.name
            for f in fields(event_type)
            if f.name not in event_type.columns and not f.metadata.get("transient")
        )
    return names


def _jsonable(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    return value
