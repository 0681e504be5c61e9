"""Read models of the ledger: a booking's entries, line by line (`kerbside ledger show`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text

from core.db import UnitOfWork


@dataclass(frozen=True)
class LineView:
    account: str  # the account's code, e.g. operator:12:payable
    phase: str
    currency: str
    amount: int  # minor units, + debit, - credit


@dataclass(frozen=True)
class EntryView:
    id: int
    kind: str
    key: str
    booking_id: int | None
    booking_ref: str | None
    posted_at: datetime
    reverses_entry_id: int | None
    resolves_entry_id: int | None
    lines: tuple[LineView, ...]


_ENTRIES = text(
    """
    select e.id, e.kind, e.idempotency_key, e.booking_id, b.ref, e.posted_at,
           e.reverses_entry_id, e.resolves_entry_id, a.code, l.phase, l.currency, l.amount
    from bookings b join ledger_entries e on e.booking_id = b.id
    join ledger_lines l on l.entry_id = e.id join ledger_accounts a on a.id = l.account_id
    where b.ref = :ref order by b.id desc, e.id, l.id
    """
)


def booking_entries(uow: UnitOfWork, ref: str) -> list[EntryView]:
    """Every entry of the bookings with `ref` (a ref is reused once its booking has ended):
    the newest booking first, each booking's entries in posting order."""
    entries: dict[int, EntryView] = {}
    lines: dict[int, list[LineView]] = {}
    for r in uow.session.execute(_ENTRIES, {"ref": ref.strip().upper()}):
        if r[0] not in entries:
            entries[r[0]] = EntryView(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], ())
            lines[r[0]] = []
        lines[r[0]].append(LineView(r[8], r[9], r[10], int(r[11])))
    return [EntryView(**{**e.__dict__, "lines": tuple(lines[e.id])}) for e in entries.values()]
