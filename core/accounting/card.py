"""Card money, posted by the payment event handlers (payment_postings.py): the ledger side only.

Each function posts one entry in the caller's transaction and is idempotent: its key derives
from the provider's reference (or the booking), so a webhook delivered twice posts once.
Amounts are integer cents (ZAR). The entries are worked through in docs/ledger.md.

Two-phase, as TigerBeetle's pending transfers: `authorise` holds an amount (pending lines:
the provider owes it, the consumer has paid it), `capture` posts all or part of it and
releases the hold, `void` releases it. Either resolves the authorisation, and the database
lets it be resolved once only (a unique key), also under concurrent webhooks.
"""

from __future__ import annotations

from sqlalchemy import text

from core.booking.model import Booking
from core.db import UnitOfWork
from core.ledger import accounts as acc
from core.ledger.errors import AmountExceededError, LedgerError, NoSuchEntryError
from core.ledger.posting import PENDING, Line, PostedEntry, entry_lines, post_entry
from core.ledger.rules import (
    AUTHORISE,
    CAPTURE,
    CARD_COMPLETION,
    CHARGEBACK,
    REFUND,
    VOID,
    Split,
    commission_lines,
    earning_lines,
    post_booking_entry,
)


def _auth_key(provider: str, reference: str) -> str:
    return f"{AUTHORISE}:{provider}:{reference}"


def authorise(
    uow: UnitOfWork,
    *,
    provider: str,
    reference: str,
    consumer_id: int,
    amount_cents: int,
    booking_id: int | None = None,
) -> PostedEntry:
    """The provider authorised `amount_cents` on the consumer's card (`reference`: the
    provider's id for it). Holds it: pending debit of the provider's clearing account,
    pending credit of the consumer. Nothing is posted until `capture`."""
    _positive(amount_cents)
    return post_entry(
        uow,
        key=_auth_key(provider, reference),
        kind=AUTHORISE,
        booking_id=booking_id,
        lines=[
            Line(acc.provider_clearing(provider), amount_cents, PENDING),
            Line(acc.consumer_receivable(consumer_id), -amount_cents, PENDING),
        ],
    )


def _authorisation(uow: UnitOfWork, provider: str, reference: str) -> tuple[int, int | None]:
    row = uow.session.execute(
        text("select id, booking_id from ledger_entries where idempotency_key = :k"),
        {"k": _auth_key(provider, reference)},
    ).first()
    if row is None:
        raise NoSuchEntryError(f"no authorisation {provider} {reference}")
    return int(row[0]), row[1]


def _release(lines: list[Line]) -> list[Line]:
    return [Line(ln.account, -ln.amount, PENDING) for ln in lines if ln.phase == PENDING]


def capture(
    uow: UnitOfWork,
    *,
    provider: str,
    reference: str,
    amount_cents: int | None = None,
    fee_cents: int = 0,
) -> PostedEntry:
    """Capture `amount_cents` (default: all) of the authorisation and release the rest. The
    consumer has paid it (their account goes into credit until the job is posted); the
    provider holds it for us. `fee_cents` is what the provider keeps for itself."""
    auth_id, booking_id = _authorisation(uow, provider, reference)
    held = entry_lines(uow, auth_id)
    consumer = next(ln.account for ln in held if ln.account.owner_kind == "consumer")
    authorised = -sum(ln.amount for ln in held if ln.account == consumer)
    amount = authorised if amount_cents is None else amount_cents
    _positive(amount)
    if amount > authorised:
        raise AmountExceededError(f"capture of {amount} above the {authorised} authorised")
    if fee_cents > amount:
        raise AmountExceededError(f"a provider fee of {fee_cents} above the {amount} captured")
    lines = _release(held) + [
        Line(acc.provider_clearing(provider), amount),
        Line(consumer, -amount),
    ]
    lines += _provider_fee_lines(provider, fee_cents)
    return post_entry(
        uow,
        key=f"{CAPTURE}:{provider}:{reference}",
        kind=CAPTURE,
        lines=lines,
        booking_id=booking_id,
        resolves=auth_id,
    )


def void(uow: UnitOfWork, *, provider: str, reference: str) -> PostedEntry:
    """Release the whole authorisation; nothing is posted."""
    auth_id, booking_id = _authorisation(uow, provider, reference)
    return post_entry(
        uow,
        key=f"{VOID}:{provider}:{reference}",
        kind=VOID,
        lines=_release(entry_lines(uow, auth_id)),
        booking_id=booking_id,
        resolves=auth_id,
    )


def post_card_completion(uow: UnitOfWork, booking_id: int) -> PostedEntry:
    """A card-paid job is done: the consumer's payment (captured before) pays the operator's
    share, the commission and its VAT, as agreed on the booking. Once per booking."""
    booking = _lock_booking(uow, booking_id)
    split = Split(booking.price_cents, booking.operator_earn_cents, booking.commission_cents)
    if booking.operator_id is None:
        raise LedgerError(f"booking {booking.ref} has no operator to pay")
    lines = earning_lines(booking.operator_id, acc.consumer_receivable(booking.consumer_id), split)
    return post_booking_entry(uow, booking_id, CARD_COMPLETION, lines)


def refund(
    uow: UnitOfWork,
    *,
    booking_id: int,
    provider: str,
    reference: str,
    amount_cents: int,
    settle_only: bool = False,
) -> PostedEntry:
    """Money goes back to the consumer's card (`reference`: the provider's refund id). After
    the job was posted, the refund takes back the operator's share and the commission in the
    price's proportions (the odd cent in the operator's favour); before, it only settles the
    consumer's credit. Refunds of a booking never exceed what it was paid. `settle_only`: money
    the booking never needed (a second payment, a link paid after we gave it up) goes back; it
    only settles the consumer's credit and is not held against the price."""
    return _take_back(
        uow, REFUND, booking_id, provider, reference, amount_cents, 0, settle_only=settle_only
    )


def chargeback(
    uow: UnitOfWork,
    *,
    booking_id: int,
    provider: str,
    reference: str,
    amount_cents: int,
    fee_cents: int = 0,
) -> PostedEntry:
    """The card holder's bank took `amount_cents` back (plus the provider's `fee_cents`).
    The operator's earning is reversed from what we still owe them; what they were already
    paid beyond that is booked as owed by them (their receivable)."""
    return _take_back(uow, CHARGEBACK, booking_id, provider, reference, amount_cents, fee_cents)


def _take_back(
    uow: UnitOfWork,
    kind: str,
    booking_id: int,
    provider: str,
    reference: str,
    amount: int,
    fee: int,
    *,
    settle_only: bool = False,
) -> PostedEntry:
    _positive(amount)
    booking = _lock_booking(uow, booking_id)
    key = f"{kind}:{provider}:{reference}"
    returned = uow.session.execute(
        text(
            "select coalesce(sum(case when e.kind = :c then 1 else 0 end), 0), "
            "coalesce(sum(e.returned), 0) from ("
            "  select kind, (select -sum(l.amount) from ledger_lines l"
            "     join ledger_accounts a on a.id = l.account_id"
            "     where l.entry_id = x.id and a.owner_kind = 'provider'"
            "       and a.purpose = 'clearing') - (select coalesce(sum(l.amount), 0)"
            "     from ledger_lines l join ledger_accounts a on a.id = l.account_id"
            "     where l.entry_id = x.id and a.owner_kind = 'provider'"
            "       and a.purpose = 'fees') as returned"
            "  from ledger_entries x where x.booking_id = :id and x.kind in (:c, :r, :b)"
            "    and x.idempotency_key <> :key) e"
        ),
        {"id": booking_id, "c": CARD_COMPLETION, "r": REFUND, "b": CHARGEBACK, "key": key},
    ).one()
    completed = int(returned[0]) > 0 and not settle_only
    taken = int(returned[1])
    if not settle_only and taken + amount > booking.price_cents:
        raise AmountExceededError(
            f"{kind} of {amount} with {taken} already returned exceeds the {booking.price_cents}"
        )
    lines = [Line(acc.provider_clearing(provider), -amount)]
    if completed and booking.operator_id is not None:
        share = amount * booking.operator_earn_cents // booking.price_cents
        split = Split(amount, share, amount - share)
        lines += commission_lines(split, sign=+1)
        lines += _operator_back(uow, kind, booking.operator_id, share)
    else:
        lines.append(Line(acc.consumer_receivable(booking.consumer_id), amount))
    lines += _provider_fee_lines(provider, fee)
    return post_entry(uow, key=key, kind=kind, lines=lines, booking_id=booking_id)


def _operator_back(uow: UnitOfWork, kind: str, operator_id: int, share: int) -> list[Line]:
    if not share:
        return []
    if kind == REFUND:
        return [Line(acc.operator_payable(operator_id), share)]
    from core.ledger.balances import balance

    # Under the account's row lock, so two chargebacks cannot both spend the same balance.
    acc_ids = acc.account_ids(uow, [acc.operator_payable(operator_id)])
    uow.session.execute(
        text("select 1 from ledger_accounts where id = :id for update"),
        {"id": acc_ids[acc.operator_payable(operator_id)]},
    )
    owed = max(0, -balance(uow, acc.operator_payable(operator_id)))
    from_payable = min(owed, share)
    lines = [Line(acc.operator_payable(operator_id), from_payable)] if from_payable else []
    if share > from_payable:
        lines.append(Line(acc.operator_receivable(operator_id), share - from_payable))
    return lines


def _lock_booking(uow: UnitOfWork, booking_id: int) -> Booking:
    booking = uow.session.get(Booking, booking_id, with_for_update=True)
    if booking is None:
        raise NoSuchEntryError(f"no booking {booking_id}")
    return booking


def _provider_fee_lines(provider: str, fee_cents: int) -> list[Line]:
    """What the provider keeps for itself comes out of what it holds for us."""
    if not fee_cents:
        return []
    _positive(fee_cents)
    return [
        Line(acc.provider_fees(provider), fee_cents),
        Line(acc.provider_clearing(provider), -fee_cents),
    ]


def _positive(cents: int) -> None:
    if not isinstance(cents, int) or isinstance(cents, bool) or cents <= 0:
        raise LedgerError(f"an amount must be a positive number of cents, not {cents!r}")
