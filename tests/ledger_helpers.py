"""Builders and read-outs for ledger tests: a booked R159 job walked to done, and every
account's balance as one dict (`code -> cents`), so tests state the ledger before and after."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import text

from core.booking import service as bookings
from kerbside.bootstrap import Platform
from tests.booking_helpers import SANDTON, TWO_PM


def balances(platform: Platform, phase: str = "posted") -> dict[str, int]:
    """Every account with a non-zero balance in `phase`: debits +, credits -."""
    with platform.engine.connect() as conn:
        rows = conn.execute(
            text(
                "select a.code, sum(l.amount) from ledger_lines l "
                "join ledger_accounts a on a.id = l.account_id where l.phase = :phase "
                "group by a.code having sum(l.amount) <> 0 order by a.code"
            ),
            {"phase": phase},
        ).all()
    return {code: int(total) for code, total in rows}


def book(platform: Platform, consumer: int, key: str, start: datetime = TWO_PM) -> str:
    uow = platform.uow()
    with uow:
        view = bookings.request_booking(uow, consumer, "full_valet", *SANDTON, "Sandton", start,
                                        idempotency_key=key)  # fmt: skip
        uow.commit()
    return view.ref


def accepted(platform: Platform, consumer: int, operator: int, key: str) -> tuple[str, int]:
    """A booking accepted by `operator`: its ref and id."""
    ref = book(platform, consumer, key)
    uow = platform.uow()
    with uow:
        view = bookings.accept_offer(uow, operator)
        uow.commit()
    assert view.ref == ref
    return ref, view.id


def completed(platform: Platform, consumer: int, operator: int, key: str) -> tuple[str, int]:
    ref, booking_id = accepted(platform, consumer, operator, key)
    platform.clock.set(TWO_PM)
    uow = platform.uow()
    with uow:
        bookings.complete_job(uow, operator, ref)
        uow.commit()
    return ref, booking_id
