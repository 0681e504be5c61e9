"""Paystack through our own httpx client against a local Paystack (tests/fakes/paystack.py), and
its webhook through the Flask app, signed exactly as Paystack signs (HMAC-SHA512 of the raw body).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from core.payments import service
from core.payments.model import PaymentCard, PaymentMethod, PaymentRefund
from core.payments.port import CallKind, EventKind, PaymentProviderError
from kerbside.app import create_app
from kerbside.bootstrap import Platform
from tests.fakes.paystack import SECRET, FakePaystack
from tests.payments_support import (
    booked,
    event_types,
    inbound_count,
    payment,
    rows,
    run_payment_calls,
    with_settings,
)


@pytest.fixture
def fake() -> Iterator[FakePaystack]:
    with FakePaystack() as server:
        yield server  # type: ignore[misc]


@pytest.fixture
def paystack(platform: Platform, fake: FakePaystack) -> Platform:
    return with_settings(
        platform,
        payment_provider="paystack",
        paystack_secret_key=SECRET,
        paystack_api_base_url=fake.url,
        public_base_url="https://kerbside.example",
    )


@pytest.fixture
def web(paystack: Platform):  # type: ignore[no-untyped-def]
    app = create_app(paystack)
    app.testing = True
    return app.test_client()


def start(
    platform: Platform, booking_id: int, person_id: int, method=PaymentMethod.CARD_LINK, **kw
):  # type: ignore[no-untyped-def]
    uow = platform.uow()
    with uow:
        made = service.start_payment(
            uow,
            booking_id=booking_id,
            person_id=person_id,
            method=method,
            amount_cents=15_900,
            **kw,
        )
        uow.commit()
    return made.id, made.reference


def post(web, fake: FakePaystack, body: dict, signature: str | None = None):  # type: ignore[no-untyped-def]
    raw = fake.raw(body)
    sig = fake.signature(raw) if signature is None else signature
    return web.post(
        "/webhooks/paystack",
        data=raw,
        content_type="application/json",
        headers={"x-paystack-signature": sig},
    )


def linked(paystack: Platform, fake: FakePaystack, n: int = 1) -> tuple[int, str, int]:
    booking_id, person_id = booked(paystack, n)
    payment_id, reference = start(paystack, booking_id, person_id)
    assert run_payment_calls(paystack) == ["sent"]
    return payment_id, reference, person_id


def test_a_card_link_is_made_with_our_reference_and_paid_by_webhook(paystack, fake, web):
    payment_id, reference, person_id = linked(paystack, fake)
    method, path, sent = fake.calls[0]
    assert (method, path) == ("POST", "/transaction/initialize")
    assert sent["reference"] == reference and sent["amount"] == 15_900 and sent["currency"] == "ZAR"
    assert sent["email"] == f"customer-{person_id}@kerbside.example"
    assert reference.startswith("kbs-b") and reference == reference.lower()
    made = payment(paystack, payment_id)
    assert made.status == "pending" and made.link_url.startswith(f"{fake.url}/checkout/")

    answer = post(web, fake, fake.pay(reference))
    assert answer.status_code == 200 and answer.text.strip() == "ok: captured"
    paid = payment(paystack, payment_id)
    assert (paid.status, paid.captured_cents) == ("captured", 15_900)
    assert paid.provider_payment_id == str(fake.transactions[reference]["id"])
    [card] = rows(paystack, PaymentCard)
    assert (card.person_id, card.last4, card.brand, card.reusable) == (
        person_id,
        "4081",
        "visa",
        True,
    )
    assert paid.card_id == card.id
    assert event_types(paystack, payment_id) == [
        "payment.started",
        "payment.call_requested",
        "payment.link_created",
        "payment.captured",
    ]


def test_a_replayed_webhook_changes_nothing(paystack, fake, web):
    payment_id, reference, _ = linked(paystack, fake)
    body = fake.pay(reference)
    assert post(web, fake, body).text.strip() == "ok: captured"
    before = event_types(paystack, payment_id)
    again = post(web, fake, body)
    assert again.status_code == 200 and again.text.strip() == "ok: duplicate"
    assert event_types(paystack, payment_id) == before
    assert inbound_count(paystack) == 1


@pytest.mark.parametrize("signature", ["", "0" * 128, "not-hex"])
def test_a_bad_signature_gets_400_and_stores_nothing(paystack, fake, web, signature):
    payment_id, reference, _ = linked(paystack, fake)
    answer = post(web, fake, fake.pay(reference), signature=signature)
    assert answer.status_code == 400
    assert payment(paystack, payment_id).status == "pending"
    assert inbound_count(paystack) == 0


def test_a_signature_over_other_bytes_is_refused(paystack, fake, web):
    """The raw body is what is signed: the same JSON re-serialised differently does not pass."""
    payment_id, reference, _ = linked(paystack, fake)
    body = fake.pay(reference)
    signed_for = fake.signature(fake.raw(body).replace(b",", b", "))
    assert post(web, fake, body, signature=signed_for).status_code == 400
    assert payment(paystack, payment_id).status == "pending"


@pytest.mark.parametrize("change", [{"amount": 100}, {"currency": "NGN"}])
def test_a_wrong_amount_or_currency_is_held_for_review_never_paid(paystack, fake, web, change):
    payment_id, reference, _ = linked(paystack, fake)
    assert post(web, fake, fake.pay(reference, **change)).text.strip() == "ok: held_for_review"
    held = payment(paystack, payment_id)
    assert (held.status, held.captured_cents) == ("held_for_review", 0)
    assert "payment.captured" not in event_types(paystack, payment_id)
    assert "payment.held_for_review" in event_types(paystack, payment_id)


def test_a_refund_told_before_the_payment_still_ends_refunded(paystack, fake, web):
    """Out of order: the refund (made at Paystack's dashboard) arrives before charge.success."""
    payment_id, reference, _ = linked(paystack, fake)
    success = fake.pay(reference)
    fake.refunds.append(
        refund := {
            "id": 900_001,
            "amount": 15_900,
            "currency": "ZAR",
            "transaction": {"id": success["data"]["id"], "reference": reference, "amount": 15_900},
        }
    )
    assert post(web, fake, fake.process_refund(refund)).status_code == 200
    assert post(web, fake, success).status_code == 200
    done = payment(paystack, payment_id)
    assert (done.status, done.captured_cents, done.refunded_cents) == ("refunded", 15_900, 15_900)


def test_a_refund_is_requested_then_confirmed_by_webhook(paystack, fake, web):
    payment_id, reference, _ = linked(paystack, fake)
    post(web, fake, fake.pay(reference))
    uow = paystack.uow()
    with uow:
        service.request_refund(uow, payment_id, 5_000)
        uow.commit()
    run_payment_calls(paystack)
    assert fake.calls[-1][1] == "/refund" and fake.calls[-1][2]["amount"] == 5_000
    assert payment(paystack, payment_id).status == "captured"  # pending at Paystack
    assert (
        post(web, fake, fake.process_refund(fake.refunds[0])).text.strip() == "ok: refund_succeeded"
    )
    part = payment(paystack, payment_id)
    assert (part.status, part.refunded_cents) == ("partially_refunded", 5_000)
    uow = paystack.uow()
    with uow:
        service.request_void(uow, payment_id)  # a free cancellation now: the rest goes back
        uow.commit()
    run_payment_calls(paystack)
    post(web, fake, fake.process_refund(fake.refunds[1]))
    done = payment(paystack, payment_id)
    assert (done.status, done.refunded_cents) == ("refunded", 15_900)


def test_a_refund_call_made_twice_refunds_once(paystack, fake, web):
    """No idempotency header at Paystack: a retry finds the refund by our note and stops."""
    payment_id, reference, _ = linked(paystack, fake)
    post(web, fake, fake.pay(reference))
    uow = paystack.uow()
    with uow:
        refund = service.request_refund(uow, payment_id, 5_000)
        call = service.request_call(
            uow,
            payment(paystack, payment_id),
            CallKind.REFUND,
            amount_cents=5_000,
            idempotency_key=refund.reference,
            refund_reference=refund.reference,
        )
    provider = paystack.payment_providers["paystack"]
    first, second = provider.refund(call), provider.refund(call)
    assert len(fake.refunds) == 1
    assert first.event.kind == second.event.kind == EventKind.REFUND_PENDING


def test_a_duplicate_reference_means_already_done_and_is_looked_up(paystack, fake, web):
    payment_id, reference, _ = linked(paystack, fake)
    uow = paystack.uow()
    with uow:
        call = service.request_call(uow, payment(paystack, payment_id), CallKind.LINK)
    provider = paystack.payment_providers["paystack"]
    with pytest.raises(PaymentProviderError) as unpaid:  # made before, not paid: not retried
        provider.create_link(call)
    assert unpaid.value.retryable is False
    fake.pay(reference)
    outcome = provider.create_link(call)
    assert outcome.event.kind == EventKind.CAPTURED and outcome.event.reference == reference
    assert [c[1] for c in fake.calls[-2:]] == [
        "/transaction/initialize",
        f"/transaction/verify/{reference}",
    ]


def test_a_saved_card_is_charged_by_its_authorisation(paystack, fake, web):
    payment_id, reference, person_id = linked(paystack, fake)
    post(web, fake, fake.pay(reference))
    card_id = payment(paystack, payment_id).card_id
    booking_id, _ = booked(paystack, 2)
    second, _ = start(paystack, booking_id, person_id, PaymentMethod.SAVED_CARD, card_id=card_id)
    run_payment_calls(paystack)
    assert fake.calls[-1][1] == "/transaction/charge_authorization"
    assert fake.calls[-1][2]["authorization_code"].startswith("AUTH_")
    assert payment(paystack, second).status == "captured"


def test_a_declined_saved_card_fails_the_payment(paystack, fake, web):
    payment_id, reference, person_id = linked(paystack, fake)
    post(web, fake, fake.pay(reference))
    card_id = payment(paystack, payment_id).card_id
    [card] = rows(paystack, PaymentCard)
    assert card.id == card_id
    fake.decline_codes.add(card.authorization_code)
    booking_id, _ = booked(paystack, 2)
    second, _ = start(paystack, booking_id, person_id, PaymentMethod.SAVED_CARD, card_id=card_id)
    run_payment_calls(paystack)
    assert payment(paystack, second).status == "failed"


def test_a_booking_paid_by_two_links_refunds_the_second(paystack, fake, web):
    first_id, first_ref, person_id = linked(paystack, fake)
    uow = paystack.uow()
    with uow:
        booking_id = payment(paystack, first_id).booking_id
    second_id, second_ref = start(paystack, booking_id, person_id)
    run_payment_calls(paystack)
    post(web, fake, fake.pay(first_ref))
    assert post(web, fake, fake.pay(second_ref)).status_code == 200
    assert "payment.duplicate_detected" in event_types(paystack, second_id)
    run_payment_calls(paystack)
    assert fake.refunds[0]["transaction"]["reference"] == second_ref
    assert fake.refunds[0]["amount"] == 15_900
    post(web, fake, fake.process_refund(fake.refunds[0]))
    assert payment(paystack, first_id).status == "captured"
    assert payment(paystack, second_id).status == "refunded"


def test_a_link_paid_after_it_was_given_up_is_refunded(paystack, fake, web):
    payment_id, reference, _ = linked(paystack, fake)
    uow = paystack.uow()
    with uow:
        service.request_void(uow, payment_id)
        uow.commit()
    assert payment(paystack, payment_id).status == "voided"
    post(web, fake, fake.pay(reference))
    run_payment_calls(paystack)
    [refund] = rows(paystack, PaymentRefund)
    assert (refund.reason, refund.amount_cents) == ("late", 15_900)
    assert fake.refunds[0]["transaction"]["reference"] == reference


def test_taking_less_at_completion_refunds_the_difference(paystack, fake, web):
    """Paystack took the money with the charge: capturing a cancellation fee refunds the rest."""
    payment_id, reference, _ = linked(paystack, fake)
    post(web, fake, fake.pay(reference))
    uow = paystack.uow()
    with uow:
        service.request_capture(uow, payment_id, 5_000)
        uow.commit()
    run_payment_calls(paystack)
    assert fake.refunds[0]["amount"] == 10_900


def test_without_paystack_configured_its_webhook_is_refused(client, fake):
    raw = fake.raw({"event": "charge.success", "data": {}})
    answer = client.post(
        "/webhooks/paystack", data=raw, headers={"x-paystack-signature": fake.signature(raw)}
    )
    assert answer.status_code == 403
