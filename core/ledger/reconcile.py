"""`kerbside reconcile`: proves the ledger's invariants, naming the first breach of each.

Each check is one read; they run in one repeatable-read transaction, so they see one moment.
What PostgreSQL already enforces (balance at commit, immutability, unique keys) is checked
again here: a trigger can be disabled, a constraint dropped, a row edited by hand.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text

from core.db import UnitOfWork

from . import rules
from .posting import Line

SINGLE_KINDS = (
    rules.CASH_COMPLETION,
    rules.CASH_NETTING,
    rules.CARD_COMPLETION,
    rules.CANCEL_FEE,
    rules.NO_SHOW_FEE,
)
# Which booking status each once-per-booking kind needs.
KIND_STATUS = {
    rules.CASH_COMPLETION: "completed",
    rules.CASH_NETTING: "completed",
    rules.CARD_COMPLETION: "completed",
    rules.CANCEL_FEE: "cancelled",
    rules.NO_SHOW_FEE: "no_show",
}


@dataclass(frozen=True)
class Breach:
    check: str
    subject: str  # "entry 17", "booking K7Q4 (id 3)"
    detail: str

    def __str__(self) -> str:
        return f"{self.check}: {self.subject}: {self.detail}"


Check = Callable[[UnitOfWork], Breach | None]


def _first(
    uow: UnitOfWork, check: str, sql: str, describe: Callable[..., tuple[str, str]]
) -> Breach | None:
    row = uow.session.execute(text(sql)).first()
    return None if row is None else Breach(check, *describe(*row))


def entries_balance(uow: UnitOfWork) -> Breach | None:
    """Every entry has two or more lines, summing to zero per currency and phase."""
    few = _first(
        uow,
        "entries balance",
        "select e.id, coalesce(c.n, 0) from ledger_entries e left join "
        "(select entry_id, count(*) as n from ledger_lines group by entry_id) c "
        "on c.entry_id = e.id where coalesce(c.n, 0) < 2 order by e.id limit 1",
        lambda id_, n: (f"entry {id_}", f"has {n} line(s), needs two or more"),
    )
    return few or _first(
        uow,
        "entries balance",
        "select entry_id, phase, currency, sum(amount) from ledger_lines "
        "group by entry_id, phase, currency having sum(amount) <> 0 order by entry_id limit 1",
        lambda id_, ph, cur, s: (f"entry {id_}", f"{ph} {cur} lines sum to {s}, not 0"),
    )


def lines_match_entries(uow: UnitOfWork) -> Breach | None:
    """A line carries its entry's time (balances `at=` read it) and its account's currency."""
    return _first(
        uow,
        "lines match their entry and account",
        "select l.entry_id, l.id from ledger_lines l join ledger_entries e on e.id = l.entry_id "
        "join ledger_accounts a on a.id = l.account_id "
        "where l.posted_at <> e.posted_at or l.currency <> a.currency order by l.id limit 1",
        lambda e, line: (f"entry {e}", f"line {line} differs from its entry or account"),
    )


def no_double_posting(uow: UnitOfWork) -> Breach | None:
    """A booking has at most one entry of each once-per-booking kind; an authorisation is
    resolved, and an entry reversed, at most once."""
    kinds = ", ".join(f"'{k}'" for k in SINGLE_KINDS)
    return _first(
        uow,
        "no double posting",
        f"select min(e.id), e.kind, b.ref, b.id, count(*) from ledger_entries e "
        f"join bookings b on b.id = e.booking_id where e.kind in ({kinds}) "
        f"group by b.id, b.ref, e.kind having count(*) > 1 order by 1 limit 1",
        lambda e, k, ref, b, n: (f"booking {ref} (id {b})", f"{n} {k} entries (entry {e})"),
    ) or _first(
        uow,
        "no double posting",
        "select t, n from (select resolves_entry_id as t, count(*) as n from ledger_entries "
        "where resolves_entry_id is not null group by 1 union all "
        "select reverses_entry_id, count(*) from ledger_entries "
        "where reverses_entry_id is not null group by 1) x where n > 1 order by t limit 1",
        lambda t, n: (f"entry {t}", f"resolved or reversed {n} times"),
    )


def no_orphans(uow: UnitOfWork) -> Breach | None:
    """Once-per-booking entries belong to a booking in the status that calls for them."""
    cases = " ".join(f"when '{k}' then '{s}'" for k, s in KIND_STATUS.items())
    kinds = ", ".join(f"'{k}'" for k in SINGLE_KINDS)
    return _first(
        uow,
        "no orphan postings",
        f"select e.id, e.kind, b.ref, b.status from ledger_entries e "
        f"left join bookings b on b.id = e.booking_id where e.kind in ({kinds}) "
        f"and (b.id is null or b.status <> case e.kind {cases} end) order by e.id limit 1",
        lambda e, k, ref, st: (f"entry {e}", f"{k} for booking {ref or 'none'} ({st or '-'})"),
    )


def bookings_posted(uow: UnitOfWork) -> Breach | None:
    """Every completed job, and every cancellation or no-show with a fee, has its entries (a
    card job once its money was taken: it is posted when both are true, PW2)."""
    return _first(
        uow,
        "bookings have their postings",
        """
        select b.ref, b.id, need.kind from bookings b
        cross join lateral (values
            ('cash_completion', b.status = 'completed' and b.payment_method = 'cash'),
            ('cash_netting', b.status = 'completed' and b.payment_method = 'cash'),
            ('card_completion', b.status = 'completed' and b.payment_method = 'card'
                and exists (select 1 from payments p where p.booking_id = b.id
                            and p.provider <> 'cash' and p.captured_cents >= b.price_cents
                            and p.status in ('captured', 'partially_refunded', 'refunded',
                                             'disputed'))),
            ('cancel_fee', b.status = 'cancelled' and b.cancel_fee_cents > 0),
            ('no_show_fee', b.status = 'no_show' and b.cancel_fee_cents > 0)
        ) as need(kind, wanted)
        where need.wanted and not exists (select 1 from ledger_entries e
                                          where e.booking_id = b.id and e.kind = need.kind)
        order by b.id limit 1
        """,
        lambda ref, b, kind: (f"booking {ref} (id {b})", f"has no {kind} entry"),
    )


def payments_posted(uow: UnitOfWork) -> Breach | None:
    """Every card payment's money is in the ledger: an authorisation held, a capture taken,
    an authorisation released, each refund that went through (cash is posted by its job)."""
    return _first(
        uow,
        "payments have their postings",
        """
        select p.reference, need.kind from payments p
        cross join lateral (values
            ('authorise', p.authorised_cents > 0 and p.status <> 'held_for_review'),
            ('capture', p.captured_cents > 0 and p.status <> 'held_for_review'),
            ('void', p.status = 'voided' and p.authorised_cents > 0)
        ) as need(kind, wanted)
        where p.provider <> 'cash' and need.wanted and not exists (
            select 1 from ledger_entries e
            where e.idempotency_key = need.kind || ':' || p.provider || ':' || p.reference)
        union all
        select r.reference, 'refund' from payment_refunds r join payments p on p.id = r.payment_id
        where p.provider <> 'cash' and r.status = 'succeeded' and not exists (
            select 1 from ledger_entries e
            where e.idempotency_key = 'refund:' || p.provider || ':' || r.reference)
        order by 1 limit 1
        """,
        lambda ref, kind: (f"payment {ref}", f"has no {kind} entry"),
    )


_POSTINGS = text(
    f"""
    select e.id, e.kind, b.ref, b.id, b.consumer_id, b.operator_id, b.price_cents,
           b.commission_cents, b.operator_earn_cents, b.cancel_fee_cents,
           a.code, l.phase, l.amount
    from ledger_entries e join bookings b on b.id = e.booking_id
    join ledger_lines l on l.entry_id = e.id join ledger_accounts a on a.id = l.account_id
    where e.kind in ({", ".join(f"'{k}'" for k in SINGLE_KINDS)}) order by e.id
    """
)


def _expected(kind: str, row: Any, lines: Counter[tuple[str, str, int]]) -> list[Line]:
    price, commission, earn, fee = row[6], row[7], row[8], row[9]
    consumer, operator = row[4], row[5]
    if kind in (rules.CANCEL_FEE, rules.NO_SHOW_FEE):
        # The commission on a fee is what its commission and VAT lines say; it must be
        # consistent (VAT inside it) and add up to the fee stored on the booking.
        kept = -sum(a for (code, _, a) in lines.elements() if code.startswith("platform:"))
        split = rules.Split(fee, fee - kept, kept)
        return rules.fee_lines(consumer, operator, split)
    split = rules.Split(price, earn, commission)
    if kind == rules.CASH_COMPLETION:
        return rules.cash_completion_lines(operator, split)
    if kind == rules.CASH_NETTING:
        return rules.cash_netting_lines(operator, split)
    from .accounts import consumer_receivable

    return rules.earning_lines(operator, consumer_receivable(consumer), split)


def postings_exact(uow: UnitOfWork) -> Breach | None:
    """Each once-per-booking entry has exactly the lines its posting rule gives the booking."""
    rows = uow.session.execute(_POSTINGS.execution_options(yield_per=5000))
    grouped: Iterator[Any] = itertools.groupby(rows, key=lambda r: r[0])
    for entry_id, group in grouped:
        group = list(group)
        head = group[0]
        actual = Counter((r[10], r[11], int(r[12])) for r in group)
        want = Counter(
            (ln.account.code, ln.phase, ln.amount) for ln in _expected(head[1], head, actual)
        )
        if actual != want:
            missing = sorted((want - actual).elements())
            extra = sorted((actual - want).elements())
            return Breach(
                "postings match their booking",
                f"entry {entry_id}",
                f"{head[1]} of booking {head[2]} (id {head[3]}): "
                f"expected {missing or '-'}, found {extra or '-'}",
            )
    return None


def resolutions_exact(uow: UnitOfWork) -> Breach | None:
    """A capture or void releases exactly what its authorisation held, and a reversal is its
    original negated, account by account."""
    return _first(
        uow,
        "resolutions and reversals exact",
        """
        select r.id, o.id from ledger_entries r
        join ledger_entries o on o.id = coalesce(r.resolves_entry_id, r.reverses_entry_id)
        where exists (
            select 1 from ledger_lines l where l.entry_id in (r.id, o.id)
              and (r.reverses_entry_id is not null or l.phase = 'pending')
            group by l.account_id, l.phase having sum(l.amount) <> 0)
        order by r.id limit 1
        """,
        lambda r, o: (f"entry {r}", f"does not exactly undo the holds of entry {o}"),
    )


CHECKS: tuple[tuple[str, Check], ...] = (
    ("entries balance", entries_balance),
    ("lines match their entry and account", lines_match_entries),
    ("no double posting", no_double_posting),
    ("no orphan postings", no_orphans),
    ("bookings have their postings", bookings_posted),
    ("payments have their postings", payments_posted),
    ("postings match their booking", postings_exact),
    ("resolutions and reversals exact", resolutions_exact),
)


def reconcile(uow: UnitOfWork) -> list[tuple[str, Breach | None]]:
    """Every check's name and its first breach, or None (a breach names the entry or booking)."""
    uow.session.execute(text("set transaction isolation level repeatable read, read only"))
    return [(name, check(uow)) for name, check in CHECKS]
