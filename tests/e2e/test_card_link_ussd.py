"""A card-by-link booking end to end (PW6, PW7): booked over USSD, the link texted, "paid" by a
signed Paystack webhook from the fake server, dispatched, finished by the operator's SMS DONE,
captured and posted; `kerbside reconcile` finds nothing wrong."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import text

from core.jobs import service as jobs
from core.ledger.reconcile import reconcile
from kerbside.app import create_app
from tests.booking_helpers import catalogue, operator
from tests.e2e.sms_support import AT_TOKEN, Phones, at_sms
from tests.e2e.ussd_phone import Phone
from tests.fakes.paystack import SECRET, FakePaystack
from tests.ledger_helpers import balances
from tests.payments_support import with_settings

CONSUMER = "+27825550999"
OPERATOR = "+27720000001"
UP_TO_WHEN = [
    (None, "1. Book a service"),
    ("1", "Choose a service"),
    ("1", "Type your suburb"),
    ("Sandton", "Save Sandton"),
    ("2", "When?"),
]


@pytest.fixture
def paystack_fake() -> Iterator[FakePaystack]:
    with FakePaystack() as server:
        yield server  # type: ignore[misc]


@pytest.fixture
def world(sms_platform, fake_twilio, fake_at, paystack_fake):  # type: ignore[no-untyped-def]
    card = with_settings(
        sms_platform,
        payment_provider="paystack",
        paystack_secret_key=SECRET,
        paystack_api_base_url=paystack_fake.url,
        public_base_url="https://kerbside.example",
    )
    catalogue(card)
    op = operator(card, 1)
    client = create_app(card).test_client()
    return card, client, Phones(card, fake_twilio, fake_at), op


def _reference(platform, ref: str) -> str:  # type: ignore[no-untyped-def]
    with platform.engine.connect() as conn:
        return conn.execute(
            text("select p.reference from payments p join bookings b on b.id = p.booking_id "
                 "where b.ref = :r"), {"r": ref}
        ).scalar_one()  # fmt: skip


def test_a_card_link_booking_by_ussd_is_paid_dispatched_done_by_sms_and_posted(
    world, paystack_fake
):
    platform, client, phones, op = world
    phone = Phone(client, CONSUMER, token=AT_TOKEN)
    screens = phone.run(
        [
            *UP_TO_WHEN,
            ("1", "CON Pay R159 how?\n1. Cash\n2. Card: we SMS you a payment link"),
            ("2", "CON Full valet at Sandton\nToday 10:30\nR159 (card link)\n1. Confirm"),
            ("1", "END Ref "),
        ]
    )
    assert screens[-1].endswith("We SMS you a link: pay R159 within 15 min and we find your "
                                "operator.")  # fmt: skip
    ref = re.search(r"Ref ([A-Z0-9]{4})\.", screens[-1]).group(1)  # type: ignore[union-attr]
    phones.relay()  # the provider call makes the link, whose SMS is then queued
    [link_sms] = phones.new(CONSUMER)
    assert f"ref {ref}" in link_sms and f"{paystack_fake.url}/checkout/" in link_sms
    assert phones.new(OPERATOR) == []  # nobody drives to an unpaid job

    raw = paystack_fake.raw(paystack_fake.pay(_reference(platform, ref)))
    answer = client.post(
        "/webhooks/paystack",
        data=raw,
        content_type="application/json",
        headers={"x-paystack-signature": paystack_fake.signature(raw)},
    )
    assert answer.status_code == 200 and answer.text.strip() == "ok: captured"
    [offer] = phones.new(OPERATOR)
    assert offer.startswith(f"JOB {ref} ")
    at_sms(client, OPERATOR, f"YES {ref}")
    at_sms(client, OPERATOR, f"DONE {ref}")
    assert balances(platform, "pending") == {}
    assert balances(platform) == {
        "provider:paystack:clearing": 15900,  # the consumer's R159, held by Paystack for us
        f"operator:{op}:payable": -13515,  # owed to the operator
        "platform:commission": -2074,
        "platform:vat": -311,
    }
    with platform.uow() as uow:
        assert [str(b) for _, b in reconcile(uow) if b is not None] == []

    # The card is saved: the next booking pays with it in one tap, and is dispatched at once.
    screens = phone.run(
        [
            *UP_TO_WHEN,
            ("1", "CON Pay R159 how?\n1. Pay R159 with card ****4081\n2. Cash\n3. Card: we"),
            ("1", "R159 (card ****4081)\n1. Confirm"),
            ("1", "END Booked! Ref "),
        ]
    )
    second = re.search(r"Ref ([A-Z0-9]{4})\.", screens[-1]).group(1)  # type: ignore[union-attr]
    phones.new(OPERATOR)  # what the first job told them (this relay charges the saved card)
    phones.relay()  # paid: the job's offer goes out
    assert "/transaction/charge_authorization" in [call[1] for call in paystack_fake.calls]
    [offer] = phones.new(OPERATOR)
    assert offer.startswith(f"JOB {second} ")
    assert balances(platform)["provider:paystack:clearing"] == 2 * 15900


def test_sms_book_offers_the_card_link_and_an_unpaid_one_is_released_by_sms(world):
    platform, client, phones, _ = world
    for text_ in ["BOOK", "1", "Sandton", "2", "1"]:
        at_sms(client, CONSUMER, text_)
    assert "Card: we SMS you a payment link" in phones.new(CONSUMER)[-1]
    at_sms(client, CONSUMER, "2")
    assert "R159 (card link)" in phones.new(CONSUMER)[-1]
    at_sms(client, CONSUMER, "1")
    phones.relay()
    done, link_sms = phones.new(CONSUMER)
    ref = re.search(r"Ref ([A-Z0-9]{4})\.", done).group(1)  # type: ignore[union-attr]
    assert "We SMS you a link" in done and f"ref {ref}" in link_sms and "15 min" in link_sms
    platform.clock.set(platform.clock.now() + timedelta(minutes=16))
    for job_id in jobs.claim_due(platform.uow()):
        jobs.run_job(platform.uow(), job_id)
    [released] = phones.new(CONSUMER)
    assert released.startswith("Kerbside: your Full valet") and f"(ref {ref})" in released
    assert "not paid in time" in released
    assert phones.new(OPERATOR) == []
    assert balances(platform) == {}
