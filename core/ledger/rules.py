"""Posting rules: which lines each booking event makes (docs/ledger.md has them worked out).

The handlers of booking events (core/accounting/bookings.py) and the card functions
(core/accounting/card.py) both build their lines here, and `kerbside reconcile` compares what
was posted with what these functions say should have been, so the rule is written once.

VAT is included in the commission at `VAT_PERCENT` and rounded to the nearest cent, half up
(R23.85 of commission holds R3.11 of VAT; R20.74 is revenue).
"""

from __future__ import annotations

from dataclasses import dataclass

from core.db import UnitOfWork

from . import accounts as acc
from .posting import Line, PostedEntry, post_entry

VAT_PERCENT = 15

# Entry kinds. A booking has at most one of each of the first five (a unique index).
CASH_COMPLETION = "cash_completion"
CASH_NETTING = "cash_netting"
CARD_COMPLETION = "card_completion"
CANCEL_FEE = "cancel_fee"
NO_SHOW_FEE = "no_show_fee"
AUTHORISE = "authorise"
CAPTURE = "capture"
VOID = "void"
REFUND = "refund"
CHARGEBACK = "chargeback"
REVERSAL = "reversal"
FEE_COLLECTED = "fee_collected"  # a fee's operator share, once its money was taken (PW5)
# Entries whose lines on an operator's payable and receivable accounts are earnings (+/-).
EARNING_KINDS = (CASH_COMPLETION, CARD_COMPLETION, REFUND, CHARGEBACK, FEE_COLLECTED)


def vat_inside(gross_cents: int) -> int:
    """The VAT contained in a VAT-inclusive amount, to the nearest cent (half up)."""
    return (gross_cents * VAT_PERCENT * 2 + (100 + VAT_PERCENT)) // ((100 + VAT_PERCENT) * 2)


@dataclass(frozen=True)
class Split:
    """How an amount the consumer pays divides: the operator's share and the commission,
    of which `vat` is VAT and `revenue` the platform's."""

    total: int
    operator: int
    commission: int

    @property
    def vat(self) -> int:
        return vat_inside(self.commission)

    @property
    def revenue(self) -> int:
        return self.commission - self.vat


def fee_split(fee_cents: int, commission_percent: int) -> Split:
    """A fee divides as a price does (decision 11: commission rounded down)."""
    commission = fee_cents * commission_percent // 100
    return Split(fee_cents, fee_cents - commission, commission)


def earning_lines(operator_id: int, debit: acc.Account, split: Split) -> list[Line]:
    """`debit` pays the whole; the operator's payable, commission revenue and VAT get theirs."""
    lines = [Line(debit, split.total), Line(acc.operator_payable(operator_id), -split.operator)]
    return lines + commission_lines(split, sign=-1)


def commission_lines(split: Split, *, sign: int) -> list[Line]:
    out = []
    if split.revenue:
        out.append(Line(acc.commission_revenue(), sign * split.revenue))
    if split.vat:
        out.append(Line(acc.vat_payable(), sign * split.vat))
    return out


def cash_completion_lines(operator_id: int, split: Split) -> list[Line]:
    """The operator collected the price in cash: it is held by them; their share is owed to
    them, the commission is revenue and VAT."""
    return earning_lines(operator_id, acc.operator_cash_held(operator_id), split)


def cash_netting_lines(operator_id: int, split: Split) -> list[Line]:
    """The operator keeps their share out of the cash; the commission they kept becomes what
    they owe us, netted against card earnings at settlement."""
    lines = [Line(acc.operator_cash_held(operator_id), -split.total)]
    if split.operator:
        lines.append(Line(acc.operator_payable(operator_id), split.operator))
    if split.commission:
        lines.append(Line(acc.operator_receivable(operator_id), split.commission))
    return lines


def fee_lines(consumer_id: int, operator_id: int | None, split: Split) -> list[Line]:
    """A fee the consumer owes: their receivable, the operator's share held until collected,
    the commission as revenue and VAT. Without an operator the whole fee is the platform's."""
    lines = [Line(acc.consumer_receivable(consumer_id), split.total)]
    if operator_id is not None and split.operator:
        lines.append(Line(acc.operator_fees_pending(operator_id), -split.operator))
    return lines + commission_lines(split, sign=-1)


def booking_key(booking_id: int, kind: str) -> str:
    return f"booking:{booking_id}:{kind}"


def post_booking_entry(
    uow: UnitOfWork, booking_id: int, kind: str, lines: list[Line]
) -> PostedEntry:
    return post_entry(
        uow, key=booking_key(booking_id, kind), kind=kind, lines=lines, booking_id=booking_id
    )
