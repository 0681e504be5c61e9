"""Builders for payment tests: a booked job to pay for, a platform wired to a fake provider,
and running the provider calls the core asked for (outbox rows of kind `payment`)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select, text

from core.inbound.model import InboundRequest
from core.outbox.relay import claim_due, deliver_claimed
from core.payments import delivery
from core.payments.model import Payment, PaymentEventRow
from kerbside.bootstrap import Platform
from tests.booking_helpers import TWO_PM, book_at_sandton, catalogue, consumer, operator


def booked(platform: Platform, n: int = 1) -> tuple[int, int]:
    """(booking id, consumer id) of a full valet at Sandton for R159."""
    if n == 1:
        catalogue(platform)
        operator(platform, 1)
    person_id = consumer(platform, n)
    start = TWO_PM + timedelta(minutes=150 * (n - 1))  # one operator: one job after the other
    ref = book_at_sandton(platform, person_id, f"pay-test-{n}", start)
    with platform.engine.connect() as conn:
        booking_id = conn.execute(
            text("select id from bookings where ref = :r"), {"r": ref}
        ).scalar_one()
    return booking_id, person_id


def with_settings(platform: Platform, **changes: Any) -> Platform:
    return Platform(
        platform.settings.replace(**changes), platform.engine, platform.redis, platform.clock
    )


def run_payment_calls(platform: Platform) -> list[str]:
    """Deliver every provider call waiting in the outbox, oldest first, as the relay does;
    the status each row ends in ("sent" once the provider answered)."""
    uow = platform.uow()
    claims = claim_due(uow, 100, delivery.KIND)
    deliver_claimed(uow, platform.deliverers[delivery.KIND], claims)
    with platform.engine.connect() as conn:
        found = conn.execute(
            text("select status from outbox where id = any(:ids) order by id"),
            {"ids": [claim.id for claim in claims]},
        )
        return list(found.scalars())


def payment(platform: Platform, payment_id: int) -> Payment:
    uow = platform.uow()
    with uow:
        found = uow.session.get(Payment, payment_id)
        assert found is not None
        uow.session.expunge(found)  # readable after the unit of work ends
        return found


def rows(platform: Platform, model: type) -> list[Any]:
    """Every row of `model`, by id, readable after the unit of work ends."""
    uow = platform.uow()
    with uow:
        found = list(uow.session.scalars(select(model).order_by(model.id)))  # type: ignore[attr-defined]
        for row in found:
            uow.session.expunge(row)
        return found


def event_types(platform: Platform, payment_id: int) -> list[str]:
    uow = platform.uow()
    with uow:
        return list(
            uow.session.scalars(
                select(PaymentEventRow.type)
                .where(PaymentEventRow.payment_id == payment_id)
                .order_by(PaymentEventRow.id)
            )
        )


def inbound_count(platform: Platform) -> int:
    uow = platform.uow()
    with uow:
        return int(uow.session.scalar(select(func.count()).select_from(InboundRequest)) or 0)
