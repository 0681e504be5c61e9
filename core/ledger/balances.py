"""Balances and earnings, read from the lines (no cached totals).

A balance is debits minus credits of one phase (`posted` by default; `pending` for what
authorisations hold) up to and including `at` (default: everything). Earnings are what an
operator's payable and receivable accounts gained from jobs (cash and card completions, less
refunds and chargebacks) between two moments: the figure the operator menus and dispatch
fairness show (architecture.md 7: money read models read the ledger).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.types import String

from core.db import UnitOfWork

from .accounts import Account
from .posting import POSTED
from .rules import CARD_COMPLETION, CASH_COMPLETION, EARNING_KINDS

_BALANCE = text(
    """
    select coalesce(sum(l.amount), 0) from ledger_lines l
    join ledger_accounts a on a.id = l.account_id
    where a.code = :code and l.phase = :phase
      and (cast(:at as timestamptz) is null or l.posted_at <= cast(:at as timestamptz))
    """
)


def balance(
    uow: UnitOfWork, account: Account, *, at: datetime | None = None, phase: str = POSTED
) -> int:
    """Debits minus credits on `account`, in its currency's minor units, as of `at`."""
    return int(
        uow.session.execute(_BALANCE, {"code": account.code, "phase": phase, "at": at}).scalar_one()
    )


# Earned by operator `:operator_id` since `:since`: a scalar subquery, also used inside the
# dispatch candidate search (core/dispatch/candidates.py) with `o.person_id` in its place.
EARNED_SQL = """
    (select coalesce(-sum(l.amount), 0) from ledger_accounts a
     join ledger_lines l on l.account_id = a.id and l.posted_at >= :since
     join ledger_entries e on e.id = l.entry_id and e.kind = any(:earning_kinds)
     where a.owner_id = {operator} and a.owner_kind = 'operator'
       and a.purpose in ('payable', 'receivable'))
"""
EARNING_KINDS_PARAM = bindparam("earning_kinds", value=list(EARNING_KINDS), type_=ARRAY(String))

_EARNED = text(
    f"""
    select {EARNED_SQL.format(operator=":operator_id")} as earned,
      (select count(*) from ledger_entries e join ledger_lines l on l.entry_id = e.id
       join ledger_accounts a on a.id = l.account_id
       where a.owner_id = :operator_id and a.owner_kind = 'operator' and a.purpose = 'payable'
         and e.kind in ('{CASH_COMPLETION}', '{CARD_COMPLETION}') and l.amount < 0
         and l.posted_at >= :since) as jobs
    """
).bindparams(EARNING_KINDS_PARAM)


def operator_earned(uow: UnitOfWork, operator_id: int, since: datetime) -> tuple[int, int]:
    """(cents earned, jobs completed) by the operator from `since` until now."""
    row = uow.session.execute(_EARNED, {"operator_id": operator_id, "since": since}).one()
    return int(row.earned), int(row.jobs)
