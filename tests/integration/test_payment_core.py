"""The payment core without a card provider: cash at the door, refusals, and the rules that
hold for every provider (forward-only status, amounts checked)."""

from __future__ import annotations

import pytest

from core.payments import service
from core.payments.apply import apply_provider_event
from core.payments.cash import collect_cash
from core.payments.errors import (
    PaymentAmountError,
    PaymentMethodUnavailableError,
    PaymentStateError,
)
from core.payments.model import PaymentMethod
from core.payments.port import EventKind, ProviderEvent
from tests.payments_support import booked, event_types, payment


def cash(platform, amount: int = 15_900) -> int:  # type: ignore[no-untyped-def]
    booking_id, person_id = booked(platform)
    uow = platform.uow()
    with uow:
        made = service.start_payment(
            uow,
            booking_id=booking_id,
            person_id=person_id,
            method=PaymentMethod.CASH,
            amount_cents=amount,
        )
        uow.commit()
    return made.id


def collect(platform, payment_id: int, cents: int) -> str:  # type: ignore[no-untyped-def]
    uow = platform.uow()
    with uow:
        outcome = collect_cash(uow, payment_id, cents)
        uow.commit()
    return outcome


def test_cash_is_pending_until_the_operator_collects_it_once(platform):
    payment_id = cash(platform)
    assert payment(platform, payment_id).status == "pending"
    assert collect(platform, payment_id, 15_900) == "captured"
    assert collect(platform, payment_id, 15_900) == "stale"
    paid = payment(platform, payment_id)
    assert (paid.status, paid.captured_cents, paid.provider) == ("captured", 15_900, "cash")
    assert event_types(platform, payment_id) == ["payment.started", "payment.captured"]


def test_cash_of_another_amount_is_held_for_review(platform):
    payment_id = cash(platform)
    assert collect(platform, payment_id, 10_000) == "held_for_review"
    held = payment(platform, payment_id)
    assert (held.status, held.captured_cents) == ("held_for_review", 0)
    assert held.review_reason == "amount 10000 instead of 15900"


def test_a_card_link_without_a_card_provider_is_refused_and_nothing_is_kept(platform):
    booking_id, person_id = booked(platform)
    uow = platform.uow()
    with uow, pytest.raises(PaymentMethodUnavailableError):
        service.start_payment(
            uow,
            booking_id=booking_id,
            person_id=person_id,
            method=PaymentMethod.CARD_LINK,
            amount_cents=15_900,
        )


def test_refusals_are_domain_errors(platform):
    payment_id = cash(platform)
    uow = platform.uow()
    with uow:
        with pytest.raises(PaymentStateError):
            service.request_refund(uow, payment_id, 100)  # nothing was taken yet
        with pytest.raises(PaymentAmountError):
            service.request_capture(uow, payment_id, 20_000)


@pytest.mark.parametrize(
    "order",
    [
        ("failed", "captured", "authorised"),
        ("captured", "failed", "authorised"),
        ("authorised", "captured", "failed"),
    ],
)
def test_status_only_moves_forward_whatever_the_order(platform, order):
    payment_id = cash(platform)
    reference = payment(platform, payment_id).reference
    for n, kind in enumerate(order):
        uow = platform.uow()
        with uow:
            apply_provider_event(
                uow,
                ProviderEvent(
                    provider="cash",
                    key=f"k{n}",
                    kind=EventKind(kind),
                    amount_cents=15_900,
                    currency="ZAR",
                    reference=reference,
                ),
            )
            uow.commit()
    assert payment(platform, payment_id).status == "captured"
