"""SMS end to end: a consumer books by SMS, the operator works the job by keyword, every message
leaves through the official SDKs to the local fake providers, and delivery reports come back."""

import re

import pytest
from sqlalchemy import select

from core.outbox.model import OutboxMessage
from core.ratings.model import Rating
from kerbside.app import create_app
from kerbside.bootstrap import Platform
from tests.booking_helpers import catalogue, operator
from tests.e2e.sms_support import AT_TOKEN, Phones, at_sms, twilio_post, twilio_sms
from tests.fakes.fixtures import provider_settings

CONSUMER = "+27825550999"
OPERATOR = "+27720000001"
BOOKING_DIALOG = ["BOOK", "1", "Sandton", "2", "1", "1"]  # service, place, no save, ASAP, confirm


@pytest.fixture
def world(sms_platform, fake_twilio, fake_at):
    catalogue(sms_platform)
    operator(sms_platform, 1)
    client = create_app(sms_platform).test_client()
    return client, Phones(sms_platform, fake_twilio, fake_at)


def _book_by_sms(client, phones, send=twilio_sms):
    for text in BOOKING_DIALOG:
        assert send(client, CONSUMER, text).status_code == 200
    [*_, booked] = phones.new(CONSUMER)
    match = re.search(r"Ref ([A-Z0-9]{4})\.", booked)
    assert match, booked
    return match.group(1)


def _outbox(platform):
    with platform.session_factory() as session:
        return session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()


def test_book_accept_work_and_complete_over_sms(sms_platform, world, fake_twilio, fake_at):
    client, phones = world
    ref = _book_by_sms(client, phones)
    [offer] = phones.new(OPERATOR)
    assert offer.startswith(f"JOB {ref} Full valet") and f"Reply YES {ref}" in offer

    # The operator answers on Africa's Talking; replies still leave through the primary (Twilio).
    assert at_sms(client, OPERATOR, f"yebo {ref.lower()}").status_code == 200
    assert phones.new(OPERATOR) == [
        next(m for m in phones.inbox(OPERATOR) if m.startswith(f"JOB {ref} is yours"))
    ]
    [confirmed] = phones.new(CONSUMER)
    assert confirmed.startswith("Kerbside: Operator 1 will do your Full valet")

    at_sms(client, OPERATOR, f"OTW {ref} 15")
    assert phones.new(CONSUMER) == [
        f"Kerbside: Operator 1 is on the way for your Full valet (ref {ref}). ETA 15 min."
    ]
    assert phones.new(OPERATOR)[0].startswith("OK: the customer knows you are on the way")

    at_sms(client, OPERATOR, f"arived {ref}")  # a typo is fine
    assert phones.new(CONSUMER) == [
        f"Kerbside: Operator 1 has arrived at Sandton for your Full valet (ref {ref})."
    ]
    assert phones.new(OPERATOR)[0].startswith("OK: the customer knows you arrived")
    at_sms(client, OPERATOR, f"DONE {ref}")
    assert phones.new(CONSUMER) == [
        f"Kerbside: your Full valet (ref {ref}) is done. Total R159. Thank you!"
    ]
    assert phones.new(OPERATOR) == [
        f"Job {ref} done, thank you. Today so far: R135.15, jobs done: 1."
    ]

    twilio_sms(client, CONSUMER, f"RATE {ref} 5")
    assert phones.new(CONSUMER) == [f"Thank you! You rated job {ref} 5/5."]
    with sms_platform.session_factory() as session:
        assert session.scalar(select(Rating.stars).where(Rating.booking_ref == ref)) == 5

    # Every message went through Twilio's SDK to the fake and is tracked in the outbox.
    messages = _outbox(sms_platform)
    assert len(messages) == len(fake_twilio.received) and fake_at.received == []
    for message in messages:
        assert message.provider == "twilio" and message.provider_message_id.startswith("SM")
        assert (message.encoding, message.segments, message.cost_cents) == ("GSM-7", 1, 65)
        assert message.status == "queued"

    # Delivery reports come back (signed), out of order and repeated: statuses only go forward.
    for message in messages:
        for status in ("delivered", "sent", "delivered"):
            response = twilio_post(client, "/webhooks/twilio/status",
                                   {"MessageSid": message.provider_message_id,
                                    "MessageStatus": status, "AccountSid": "AC1"})  # fmt: skip
            assert response.status_code == 200
    assert {m.status for m in _outbox(sms_platform)} == {"delivered"}


def test_africastalking_primary_with_delivery_reports(platform, fake_twilio, fake_at):
    settings = provider_settings(
        platform,
        fake_twilio,
        fake_at,
        sms_provider="africastalking",
        sms_fallback_provider="twilio",
    )
    at_platform = Platform(settings, platform.engine, platform.redis, platform.clock)
    catalogue(at_platform)
    operator(at_platform, 1)
    client = create_app(at_platform).test_client()
    phones = Phones(at_platform, fake_twilio, fake_at)
    ref = _book_by_sms(client, phones, send=at_sms)
    at_sms(client, OPERATOR, "YES")  # bare YES answers the single open offer
    assert phones.new(CONSUMER)[-1].startswith("Kerbside: Operator 1 will do your Full valet")
    assert fake_twilio.received == []

    messages = _outbox(at_platform)
    assert {m.provider for m in messages} == {"africastalking"}
    for message in messages:
        for status in ("Success", "Sent"):
            response = client.post(
                f"/webhooks/africastalking/sms/delivery?token={AT_TOKEN}",
                data={"id": message.provider_message_id, "status": status,
                      "phoneNumber": message.recipient, "networkCode": "65501"},
            )  # fmt: skip
            assert response.status_code == 200
    assert {m.status for m in _outbox(at_platform)} == {"delivered"}
    assert {m.cost_cents for m in messages} == {25}
    assert ref


def test_primary_down_replies_fail_over_to_the_fallback(sms_platform, world, fake_twilio, fake_at):
    client, phones = world
    fake_twilio.fail_with(503, {"code": 20500, "message": "down"}, times=100)
    twilio_sms(client, CONSUMER, "HELP")
    assert phones.new(CONSUMER)[0].startswith("Kerbside: BOOK to book")
    [message] = _outbox(sms_platform)
    assert (message.provider, message.fallback_used) == ("africastalking", True)
    assert fake_at.received[0].to == CONSUMER


def test_operator_day_keywords(sms_platform, world, clock):
    client, phones = world
    ref = _book_by_sms(client, phones)
    phones.new(OPERATOR)
    for text, expected in [
        ("JOBS", "No jobs in the next 7 days"),
        (f"YES {ref}", f"JOB {ref} is yours"),
        ("jobs", f"Jobs, next 7 days (1): {ref} Today 10:30 Sandton"),
        ("CAP 3", "OK: you take up to 3 jobs at the same time."),
        ("CAP 99", "Send CAP and a number"),
        ("OFF", "You are OFF"),
        ("on", "You are ON"),
        ("EARN", "Earnings: today R0 (jobs: 0), this week R0, this month R0."),
        ("PAYOUT", "Earned this month: R0. Payouts by SMS are coming soon"),
        ("OTW", "Please add the booking ref, e.g. OTW K7Q4."),
        ("DONE QQQQ", "We found no booking QQQQ for you."),
        ("YES", "Kerbside: you have no open job offer right now."),
        ("hello?", "Kerbside jobs: YES/NO <ref>"),
        ("LANG AF", "Kerbside: ons stuur jou SMS in Afrikaans."),
        ("help", "Kerbside werk: YES/NO <ref>"),
    ]:
        clock.advance(seconds=7)  # stay under INBOUND_PER_MINUTE
        assert at_sms(client, OPERATOR, text).status_code == 200
        received = phones.new(OPERATOR)
        assert received and received[-1].startswith(expected), (text, received)


def test_consumer_keywords(sms_platform, world, clock):
    client, phones = world
    for text, expected in [
        ("STATUS", "Kerbside: you have no active booking."),
        ("points", "Kerbside: no points yet."),
        ("REDEEM", "Kerbside: no points yet."),
        ("RATE", "Send RATE, the booking ref and 1 to 5"),
        ("LANG", "Reply LANG EN for English"),
        ("taal zu", "Kerbside: sizokuthumelela ama-SMS ngesiZulu."),
        ("usizo", "Kerbside: BOOK ukubhuka"),
        ("lang en", "Kerbside: we will SMS you in English."),
    ]:
        twilio_sms(client, CONSUMER, text)
        received = phones.new(CONSUMER)
        assert received and received[-1].startswith(expected), (text, received)
    clock.advance(seconds=61)  # a fresh minute for INBOUND_PER_MINUTE
    ref = _book_by_sms(client, phones)
    clock.advance(seconds=61)
    twilio_sms(client, CONSUMER, "status")
    [status] = phones.new(CONSUMER)
    assert re.fullmatch(rf"Ref {ref}: Full valet Wed 25 Nov \d\d:\d\d, finding operator\.", status)
    twilio_sms(client, CONSUMER, f"RATE {ref} 4")
    assert phones.new(CONSUMER) == [f"You can rate job {ref} once it is done."]
    twilio_sms(client, CONSUMER, f"cancel {ref}")
    [cancelled] = phones.new(CONSUMER)
    assert re.match(rf"Kerbside: your Full valet \d\d:\d\d \(ref {ref}\) is cancelled", cancelled)
