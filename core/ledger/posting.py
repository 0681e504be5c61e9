"""Posting journal entries: the one door every ledger write goes through.

`post_entry` writes one entry and its lines in one statement, in the caller's transaction.
It is idempotent by key: posting the same key again with the same lines returns the first
entry (`replayed=True`); the same key with other lines is an `IdempotencyConflictError`.
Concurrent posts of one key queue on the unique key and the later ones get the first entry.
The database checks the sum at commit and refuses any later change (migration 0006_ledger).
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import text

from core.db import UnitOfWork

from .accounts import Account, account_ids
from .errors import (
    IdempotencyConflictError,
    LedgerError,
    NoSuchEntryError,
    PendingResolvedError,
    UnbalancedEntryError,
)

POSTED = "posted"
PENDING = "pending"


@dataclass(frozen=True)
class Line:
    """One line: `amount` minor units of the account's currency, + debit, - credit."""

    account: Account
    amount: int
    phase: str = POSTED

    @property
    def currency(self) -> str:
        return self.account.currency


@dataclass(frozen=True)
class PostedEntry:
    id: int
    key: str
    kind: str
    replayed: bool = False


_INSERT = text(
    """
    with v as (
        select * from unnest(cast(:accounts as bigint[]), cast(:codes as text[]),
                             cast(:currencies as text[]), cast(:phases as text[]),
                             cast(:amounts as bigint[]))
               as v(account_id, code, currency, phase, amount)
    ), known as (
        select count(*) = :n as ok from v
        join ledger_accounts a on a.id = v.account_id and a.code = v.code
    ), e as (
        insert into ledger_entries (idempotency_key, kind, booking_id, reverses_entry_id,
                                    resolves_entry_id, digest, memo, posted_at)
        select :key, :kind, :booking_id, :reverses, :resolves, :digest, :memo, :posted_at
        where (select ok from known)
        on conflict do nothing
        returning id
    ), l as (
        insert into ledger_lines (entry_id, account_id, currency, phase, amount, posted_at)
        select e.id, v.account_id, v.currency, v.phase, v.amount, :posted_at from e, v
        returning 1
    )
    select (select id from e), (select ok from known)
    """
)
# Account ids by code, per process: account rows are never deleted, and every use is checked
# against the code in the insert itself, so an id that no longer means that account (a test
# database truncated) is noticed, forgotten and looked up again.
_ACCOUNT_IDS: dict[Account, int] = {}
_BY_KEY = text("select id, digest, kind from ledger_entries where idempotency_key = :key")


def check_balanced(lines: Sequence[Line]) -> None:
    """Two or more non-zero integer lines summing to zero per currency and phase."""
    if len(lines) < 2:
        raise UnbalancedEntryError(f"an entry needs two or more lines, not {len(lines)}")
    totals: dict[tuple[str, str], int] = defaultdict(int)
    for line in lines:
        if not isinstance(line.amount, int) or isinstance(line.amount, bool) or not line.amount:
            raise UnbalancedEntryError(f"a line needs a non-zero integer amount: {line!r}")
        if line.phase not in (POSTED, PENDING):
            raise UnbalancedEntryError(f"unknown phase {line.phase!r}")
        totals[(line.currency, line.phase)] += line.amount
    for (currency, phase), total in totals.items():
        if total:
            raise UnbalancedEntryError(f"{phase} {currency} lines sum to {total}, not 0")


def _digest(
    kind: str,
    booking_id: int | None,
    reverses: int | None,
    resolves: int | None,
    lines: Sequence[Line],
) -> str:
    canonical = sorted((ln.account.code, ln.currency, ln.phase, ln.amount) for ln in lines)
    blob = json.dumps([kind, booking_id, reverses, resolves, canonical], separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


def post_entry(
    uow: UnitOfWork,
    *,
    key: str,
    kind: str,
    lines: Sequence[Line],
    booking_id: int | None = None,
    reverses: int | None = None,
    resolves: int | None = None,
    memo: str | None = None,
) -> PostedEntry:
    """Post one entry in `uow`'s transaction (committed with it). See the module docstring."""
    check_balanced(lines)
    digest = _digest(kind, booking_id, reverses, resolves, lines)
    params = {
        "key": key,
        "kind": kind,
        "booking_id": booking_id,
        "reverses": reverses,
        "resolves": resolves,
        "digest": digest,
        "memo": memo,
        "posted_at": uow.now(),
        "n": len(lines),
        "codes": [ln.account.code for ln in lines],
        "currencies": [ln.currency for ln in lines],
        "phases": [ln.phase for ln in lines],
        "amounts": [ln.amount for ln in lines],
    }
    for attempt in (1, 2):
        if attempt == 2 or any(ln.account not in _ACCOUNT_IDS for ln in lines):
            _ACCOUNT_IDS.update(account_ids(uow, (ln.account for ln in lines)))
        params["accounts"] = [_ACCOUNT_IDS[ln.account] for ln in lines]
        entry_id, known = uow.session.execute(_INSERT, params).one()
        if known:
            break
        for ln in lines:
            _ACCOUNT_IDS.pop(ln.account, None)
    row = None if entry_id is None else (entry_id,)
    if row is not None:
        return PostedEntry(int(row[0]), key, kind)
    first = uow.session.execute(_BY_KEY, {"key": key}).first()
    if first is not None:
        if first.digest != digest:
            raise IdempotencyConflictError(f"key {key!r} was posted with other lines")
        return PostedEntry(int(first.id), key, first.kind, replayed=True)
    if resolves is not None:
        raise PendingResolvedError(f"entry {resolves} was already captured or voided")
    if reverses is not None:
        raise LedgerError(f"entry {reverses} was already reversed")
    raise LedgerError(f"booking {booking_id} already has its {kind} entry")


def entry_lines(uow: UnitOfWork, entry_id: int) -> list[Line]:
    """The lines of one entry, as posted."""
    from .accounts import Purpose

    rows = uow.session.execute(
        text(
            "select a.owner_kind, a.purpose, a.owner_id, a.provider, a.currency, l.amount, "
            "l.phase from ledger_lines l join ledger_accounts a on a.id = l.account_id "
            "where l.entry_id = :id order by l.id"
        ),
        {"id": entry_id},
    ).all()
    return [Line(Account(r[0], Purpose(r[1]), r[2], r[3], r[4]), int(r[5]), r[6]) for r in rows]


def reverse_entry(
    uow: UnitOfWork, entry_id: int, *, key: str | None = None, memo: str | None = None
) -> PostedEntry:
    """A new entry with every line of `entry_id` negated, pointing at it. An entry is reversed
    at most once (the database's unique key); a repeated call with the same key replays."""
    booking_id = uow.session.execute(
        text("select booking_id from ledger_entries where id = :id"), {"id": entry_id}
    ).scalar()
    lines = entry_lines(uow, entry_id)
    if not lines:
        raise NoSuchEntryError(f"no ledger entry {entry_id}")
    return post_entry(
        uow,
        key=key or f"reverse:{entry_id}",
        kind="reversal",
        lines=[Line(ln.account, -ln.amount, ln.phase) for ln in lines],
        booking_id=booking_id,
        reverses=entry_id,
        memo=memo,
    )
