"""Postings made by booking events (registered in core/handlers.py), by the rules of
core/ledger/rules.py. Card jobs are posted by `card.post_card_completion` once paid."""

from __future__ import annotations

from core.booking import events as ev
from core.booking.model import Booking
from core.db import UnitOfWork
from core.ledger.rules import (
    CANCEL_FEE,
    CASH_COMPLETION,
    CASH_NETTING,
    NO_SHOW_FEE,
    Split,
    cash_completion_lines,
    cash_netting_lines,
    fee_lines,
    fee_split,
    post_booking_entry,
)


def post_booking_completed(uow: UnitOfWork, event: ev.BookingCompleted) -> None:
    """A completed cash job: the completion entry and its netting. Card jobs are posted by
    `card.post_card_completion` once the payment is captured."""
    if event.payment_method != "cash":
        return
    split = Split(event.price_cents, event.operator_earn_cents, event.commission_cents)
    for kind, lines in (
        (CASH_COMPLETION, cash_completion_lines(event.operator_id, split)),
        (CASH_NETTING, cash_netting_lines(event.operator_id, split)),
    ):
        post_booking_entry(uow, event.booking_id, kind, lines)


def post_booking_cancelled(uow: UnitOfWork, event: ev.BookingCancelled) -> None:
    """A late cancellation's fee (the one stored on the booking) becomes a consumer debt."""
    _post_fee(uow, event.booking_id, CANCEL_FEE, event.fee_cents, event.operator_id)


def post_booking_no_show(uow: UnitOfWork, event: ev.BookingNoShow) -> None:
    """A no-show's fee (the late-cancellation fee, stored on the booking) likewise."""
    _post_fee(uow, event.booking_id, NO_SHOW_FEE, event.fee_cents, None)


def _post_fee(
    uow: UnitOfWork, booking_id: int, kind: str, fee_cents: int, operator_id: int | None
) -> None:
    if fee_cents <= 0:
        return
    booking = uow.session.get(Booking, booking_id)
    assert booking is not None
    split = fee_split(fee_cents, uow.settings.commission_percent)
    operator_id = booking.operator_id if operator_id is None else operator_id
    post_booking_entry(uow, booking_id, kind, fee_lines(booking.consumer_id, operator_id, split))
