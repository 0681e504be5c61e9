"""Stripe through the real `stripe` SDK against localstripe (plus our Checkout front, see
tests/fakes/stripe_local.py), and its webhook verified by `construct_event`."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from core.payments import service
from core.payments.model import PaymentCard, PaymentMethod
from kerbside.app import create_app
from kerbside.bootstrap import Platform
from tests.fakes.stripe_local import (
    SECRET_KEY,
    WEBHOOK_SECRET,
    LocalStripe,
    event,
    signed,
    start_localstripe,
)
from tests.payments_support import (
    booked,
    event_types,
    inbound_count,
    payment,
    rows,
    run_payment_calls,
    with_settings,
)


@pytest.fixture(scope="module")
def localstripe_port() -> Iterator[int]:
    process, port = start_localstripe()
    yield port
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def front(localstripe_port: int) -> Iterator[LocalStripe]:
    with LocalStripe(localstripe_port) as server:
        yield server


@pytest.fixture
def stripe_platform(platform: Platform, front: LocalStripe) -> Platform:
    return with_settings(
        platform,
        payment_provider="stripe",
        stripe_secret_key=SECRET_KEY,
        stripe_webhook_secret=WEBHOOK_SECRET,
        stripe_api_base_url=front.url,
    )


@pytest.fixture
def web(stripe_platform: Platform):  # type: ignore[no-untyped-def]
    app = create_app(stripe_platform)
    app.testing = True
    return app.test_client()


def post(web, body, **kw):  # type: ignore[no-untyped-def]
    raw, header = signed(body, **kw)
    return web.post(
        "/webhooks/stripe",
        data=raw,
        content_type="application/json",
        headers={"Stripe-Signature": header},
    )


def linked(platform: Platform) -> tuple[int, str]:
    booking_id, person_id = booked(platform)
    uow = platform.uow()
    with uow:
        made = service.start_payment(
            uow,
            booking_id=booking_id,
            person_id=person_id,
            method=PaymentMethod.CARD_LINK,
            amount_cents=15_900,
        )
        uow.commit()
    assert run_payment_calls(platform) == ["sent"]
    return made.id, made.reference


def authorised(platform: Platform, front: LocalStripe, web) -> tuple[int, dict]:  # type: ignore[no-untyped-def]
    payment_id, _ = linked(platform)
    [session] = front.sessions.values()
    intent = front.pay(session["id"])
    answer = post(web, event("payment_intent.amount_capturable_updated", intent))
    assert answer.text.strip() == "ok: authorised"
    return payment_id, intent


def test_a_card_link_is_a_manual_capture_checkout_session(stripe_platform, front):
    payment_id, reference = linked(stripe_platform)
    [session] = front.sessions.values()
    assert session["payment_intent_data"]["capture_method"] == "manual"
    assert session["payment_intent_data"]["metadata"] == {"payment_reference": reference}
    assert session["payment_intent_data"]["setup_future_usage"] == "off_session"
    assert session["amount_total"] == 15_900 and session["currency"] == "zar"
    assert payment(stripe_platform, payment_id).link_url == session["url"]
    assert ("POST", "/v1/checkout/sessions", f"{reference}.link") in front.idempotency_keys


def test_authorised_at_payment_then_captured_at_completion(stripe_platform, front, web):
    payment_id, intent = authorised(stripe_platform, front, web)
    held = payment(stripe_platform, payment_id)
    assert (held.status, held.authorised_cents, held.provider_payment_id) == (
        "authorised",
        15_900,
        intent["id"],
    )
    [card] = rows(stripe_platform, PaymentCard)
    assert (card.authorization_code, card.customer_code) == (
        intent["payment_method"],
        intent["customer"],
    )
    uow = stripe_platform.uow()
    with uow:
        service.request_capture(uow, payment_id)
        uow.commit()
    run_payment_calls(stripe_platform)
    assert front.intent(intent["id"])["status"] == "succeeded"
    done = payment(stripe_platform, payment_id)
    assert (done.status, done.captured_cents) == ("captured", 15_900)
    keys = [k for _, path, k in front.idempotency_keys if path.endswith("/capture")]
    assert keys == [f"{done.reference}.capture"]
    # Stripe's own succeeded event arrives afterwards: nothing moves
    assert (
        post(web, event("payment_intent.succeeded", front.intent(intent["id"]))).text.strip()
        == "ok: stale"
    )


def test_a_cancellation_fee_captures_part(stripe_platform, front, web):
    payment_id, intent = authorised(stripe_platform, front, web)
    uow = stripe_platform.uow()
    with uow:
        service.request_capture(uow, payment_id, 5_000)
        uow.commit()
    run_payment_calls(stripe_platform)
    done = payment(stripe_platform, payment_id)
    assert (done.status, done.captured_cents) == ("captured", 5_000)


def test_a_free_cancellation_releases_the_authorisation(stripe_platform, front, web):
    payment_id, intent = authorised(stripe_platform, front, web)
    uow = stripe_platform.uow()
    with uow:
        service.request_void(uow, payment_id)
        uow.commit()
    run_payment_calls(stripe_platform)
    assert front.intent(intent["id"])["status"] == "canceled"
    assert payment(stripe_platform, payment_id).status == "voided"
    assert event_types(stripe_platform, payment_id)[-1] == "payment.voided"


def test_events_out_of_order_end_captured(stripe_platform, front, web):
    payment_id, _ = linked(stripe_platform)
    [session] = front.sessions.values()
    intent = front.pay(session["id"])
    capturable = event("payment_intent.amount_capturable_updated", intent)
    front.sdk.v1.payment_intents.capture(intent["id"])
    succeeded = event("payment_intent.succeeded", front.intent(intent["id"]))
    assert post(web, succeeded).text.strip() == "ok: captured"
    assert post(web, capturable).text.strip() == "ok: stale"
    assert payment(stripe_platform, payment_id).status == "captured"


def test_a_refund_goes_through_the_sdk_with_our_reference(stripe_platform, front, web):
    payment_id, intent = authorised(stripe_platform, front, web)
    uow = stripe_platform.uow()
    with uow:
        service.request_capture(uow, payment_id)
        uow.commit()
    run_payment_calls(stripe_platform)
    uow = stripe_platform.uow()
    with uow:
        refund = service.request_refund(uow, payment_id, 1_000)
        uow.commit()
    run_payment_calls(stripe_platform)
    done = payment(stripe_platform, payment_id)
    assert (done.status, done.refunded_cents) == ("partially_refunded", 1_000)
    assert ("POST", "/v1/refunds", refund.reference) in front.idempotency_keys


def test_a_saved_card_is_authorised_off_session(stripe_platform, front, web):
    first, _ = authorised(stripe_platform, front, web)
    card_id = payment(stripe_platform, first).card_id
    booking_id, _ = booked(stripe_platform, 2)
    uow = stripe_platform.uow()
    with uow:
        made = service.start_payment(
            uow,
            booking_id=booking_id,
            person_id=payment(stripe_platform, first).person_id,
            method=PaymentMethod.SAVED_CARD,
            amount_cents=15_900,
            card_id=card_id,
        )
        uow.commit()
    run_payment_calls(stripe_platform)
    second = payment(stripe_platform, made.id)
    assert second.status == "authorised"
    assert front.intent(second.provider_payment_id)["status"] == "requires_capture"


def test_a_replayed_event_changes_nothing(stripe_platform, front, web):
    payment_id, intent = authorised(stripe_platform, front, web)
    body = event("payment_intent.amount_capturable_updated", intent, event_id="evt_replayed")
    assert post(web, body).text.strip() == "ok: stale"
    before = event_types(stripe_platform, payment_id)
    assert post(web, body).text.strip() == "ok: duplicate"
    assert event_types(stripe_platform, payment_id) == before


@pytest.mark.parametrize(
    "signing",
    [
        {"secret": "whsec_someone_else"},
        {"age": 301},
        {"age": -400},
    ],
    ids=["wrong secret", "too old", "from the future"],
)
def test_a_bad_signature_or_old_timestamp_gets_400_and_stores_nothing(
    stripe_platform, front, web, signing
):
    payment_id, _ = linked(stripe_platform)
    [session] = front.sessions.values()
    intent = front.pay(session["id"])
    if "age" in signing:  # seconds before now that the signature says it was made
        signing = {"at": int(time.time()) - signing["age"]}
    answer = post(web, event("payment_intent.amount_capturable_updated", intent), **signing)
    assert answer.status_code == 400
    assert payment(stripe_platform, payment_id).status == "pending"
    assert inbound_count(stripe_platform) == 0


def test_a_wrong_amount_is_held_for_review(stripe_platform, front, web):
    payment_id, _ = linked(stripe_platform)
    [session] = front.sessions.values()
    intent = front.pay(session["id"], amount=100)
    answer = post(web, event("payment_intent.amount_capturable_updated", intent))
    assert answer.text.strip() == "ok: held_for_review"
    held = payment(stripe_platform, payment_id)
    assert (held.status, held.authorised_cents) == ("held_for_review", 0)
