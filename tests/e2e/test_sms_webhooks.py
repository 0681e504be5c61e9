"""SMS webhooks at the edges: retries, forgeries, junk, strangers, floods and loops.

Each case gets a clear HTTP answer and changes nothing beyond what it should (table counts)."""

import pytest
from sqlalchemy import select

from core.accounts.model import Person
from core.inbound.model import InboundRequest
from core.notify.service import send_sms
from core.outbox.model import OutboxMessage, Purpose
from kerbside.app import create_app
from tests.booking_helpers import catalogue, operator, table_counts
from tests.e2e.sms_support import AT_TOKEN, Phones, at_sms, twilio_post, twilio_sign, twilio_sms
from tests.fakes.fixtures import TWILIO_FROM

STRANGER = "+27825550777"
EMPTY_TWIML = b'<?xml version="1.0" encoding="UTF-8"?><Response/>'


@pytest.fixture
def client(sms_platform):
    return create_app(sms_platform).test_client()


@pytest.fixture
def phones(sms_platform, fake_twilio, fake_at):
    return Phones(sms_platform, fake_twilio, fake_at)


def _changed(before, after):
    return {t: after[t] - before[t] for t in after if after[t] != before[t]}


def _people(platform):
    with platform.session_factory() as session:
        return {p.phone: p for p in session.scalars(select(Person))}


def test_a_retried_webhook_changes_nothing_and_gets_the_same_answer(sms_platform, client, phones):
    catalogue(sms_platform)
    op = operator(sms_platform, 1)
    assert op
    first = twilio_sms(client, STRANGER, "BOOK", sid="SM-retry-1")
    before = table_counts(sms_platform)
    second = twilio_sms(client, STRANGER, "BOOK", sid="SM-retry-1")
    assert (second.status_code, second.data) == (first.status_code, first.data)
    assert second.data == EMPTY_TWIML
    assert _changed(before, table_counts(sms_platform)) == {}
    assert len(phones.new(STRANGER)) == 1

    # The same holds for a state-changing dialog step and for Africa's Talking ids.
    twilio_sms(client, STRANGER, "1", sid="SM-retry-2")
    before = table_counts(sms_platform)
    twilio_sms(client, STRANGER, "1", sid="SM-retry-2")
    at_sms(client, STRANGER, "HELP", message_id="at-retry")
    middle = table_counts(sms_platform)
    assert at_sms(client, STRANGER, "HELP", message_id="at-retry").status_code == 200
    assert _changed(middle, table_counts(sms_platform)) == {}
    assert _changed(before, middle) == {"inbound_requests": 1, "outbox": 1}


@pytest.mark.parametrize(
    "signature",
    [None, "", "bm90IGEgc2lnbmF0dXJl", "sign-with-wrong-token", "sign-other-url"],
)
def test_bad_or_missing_twilio_signature_is_refused(sms_platform, client, signature):
    params = {"MessageSid": "SM-forged", "From": STRANGER, "To": TWILIO_FROM, "Body": "STOP"}
    if signature == "sign-with-wrong-token":
        signature = twilio_sign("/webhooks/twilio/sms", params, token="not-the-token")
    elif signature == "sign-other-url":
        signature = twilio_sign("/webhooks/twilio/status", params)
    before = table_counts(sms_platform)
    headers = {} if signature is None else {"X-Twilio-Signature": signature}
    response = client.post("/webhooks/twilio/sms", data=params, headers=headers)
    assert response.status_code == 403
    assert _changed(before, table_counts(sms_platform)) == {}


def test_signature_with_tampered_body_is_refused(sms_platform, client):
    params = {"MessageSid": "SM-tamper", "From": STRANGER, "To": TWILIO_FROM, "Body": "HELP"}
    signature = twilio_sign("/webhooks/twilio/sms", params)
    response = twilio_post(client, "/webhooks/twilio/sms", {**params, "Body": "STOP"}, signature)
    assert response.status_code == 403
    assert _people(sms_platform) == {}


def test_forged_status_callback_is_refused(sms_platform, client):
    response = client.post("/webhooks/twilio/status",
                           data={"MessageSid": "SM1", "MessageStatus": "delivered"})  # fmt: skip
    assert response.status_code == 403


@pytest.mark.parametrize("token", [None, "", "wrong"])
def test_africastalking_without_the_token_is_refused(sms_platform, client, token):
    before = table_counts(sms_platform)
    assert at_sms(client, STRANGER, "STOP", token=token).status_code == 403
    response = client.post(
        "/webhooks/africastalking/sms/delivery" + (f"?token={token}" if token is not None else ""),
        data={"id": "ATXid_1", "status": "Success"},
    )
    assert response.status_code == 403
    assert _changed(before, table_counts(sms_platform)) == {}


def test_reports_for_unknown_messages_are_acknowledged_and_ignored(sms_platform, client):
    before = table_counts(sms_platform)
    response = twilio_post(client, "/webhooks/twilio/status",
                           {"MessageSid": "SMunknown", "MessageStatus": "delivered"})  # fmt: skip
    assert (response.status_code, response.text.strip()) == (200, "ignored: unknown message")
    response = client.post(f"/webhooks/africastalking/sms/delivery?token={AT_TOKEN}",
                           data={"id": "ATXid_unknown", "status": "Failed"})  # fmt: skip
    assert (response.status_code, response.text.strip()) == (200, "ignored: unknown message")
    response = twilio_post(client, "/webhooks/twilio/status",
                           {"MessageSid": "SMx", "MessageStatus": "teleported"})  # fmt: skip
    assert response.status_code == 200 and "unknown status" in response.text
    assert _changed(before, table_counts(sms_platform)) == {}


def test_a_2000_character_body_is_answered_once_and_not_read(sms_platform, client, phones):
    before = table_counts(sms_platform)
    response = twilio_sms(client, STRANGER, "STOP " + "x" * 1995)
    assert (response.status_code, response.data) == (200, EMPTY_TWIML)
    assert phones.new(STRANGER) == [
        "Kerbside: that message is too long for us. Send one keyword, e.g. HELP."
    ]
    assert _changed(before, table_counts(sms_platform)) == {"inbound_requests": 1, "outbox": 1}
    assert _people(sms_platform) == {}  # the STOP inside was not acted on


@pytest.mark.parametrize("junk", ["\x00\x01\x02\xff\xfe", "YES \x00K7Q4", "\ufffd\ufffd\x1b[0m"])
def test_binary_junk_gets_the_help_text(sms_platform, client, phones, junk):
    before = table_counts(sms_platform)
    assert twilio_sms(client, STRANGER, junk).status_code == 200
    assert phones.new(STRANGER)[0].startswith("Kerbside: BOOK to book")
    assert _changed(before, table_counts(sms_platform)) == {"inbound_requests": 1, "outbox": 1}


def test_an_unknown_number_texting_yes_gets_help_and_changes_nothing(sms_platform, client, phones):
    catalogue(sms_platform)
    operator(sms_platform, 1)
    before = table_counts(sms_platform)
    twilio_sms(client, STRANGER, "YES K7Q4")
    assert phones.new(STRANGER) == [
        "Kerbside: BOOK to book, STATUS, CANCEL <ref>, RATE <ref> 1-5, POINTS, "
        "LANG for language. STOP to opt out."
    ]
    assert _changed(before, table_counts(sms_platform)) == {"inbound_requests": 1, "outbox": 1}


def test_missing_fields_get_400(client):
    response = twilio_post(client, "/webhooks/twilio/sms", {"Body": "hi"})
    assert response.status_code == 400 and "MessageSid" in response.text


def test_stop_confirms_once_and_blocks_marketing_but_not_the_booking(
    sms_platform, client, phones, clock
):
    twilio_sms(client, STRANGER, "stop")
    assert phones.new(STRANGER) == [
        "Kerbside: you will get no more SMS from us, except about a booking in progress. "
        "Reply START to opt in again."
    ]
    person = _people(sms_platform)[STRANGER]
    assert person.opted_out_at == clock.now()
    uow = sms_platform.uow()
    with uow:
        send_sms(uow, STRANGER, "generic", {"text": "Double points!"}, key="promo",
                 purpose=Purpose.MARKETING)  # fmt: skip
        send_sms(uow, STRANGER, "generic", {"text": "Sipho is on the way"}, key="job")
        uow.commit()
    assert phones.new(STRANGER) == ["Sipho is on the way"]
    twilio_sms(client, STRANGER, "START")
    assert phones.new(STRANGER)[0].startswith("Kerbside: welcome back")
    assert _people(sms_platform)[STRANGER].opted_out_at is None


def test_twilio_21610_on_a_status_callback_opts_the_number_out(sms_platform, client, phones):
    twilio_sms(client, STRANGER, "LANG EN")  # creates the person and one reply
    phones.relay()
    with sms_platform.session_factory() as session:
        sid = session.scalars(select(OutboxMessage.provider_message_id)).one()
    twilio_post(
        client,
        "/webhooks/twilio/status",
        {"MessageSid": sid, "MessageStatus": "undelivered", "ErrorCode": "21610"},
    )
    assert _people(sms_platform)[STRANGER].opted_out_at is not None


def test_a_flood_from_one_number_is_cut_at_the_per_minute_limit(
    sms_platform, client, phones, clock
):
    for n in range(15):
        twilio_sms(client, STRANGER, f"STATUS {n}")
    assert len(phones.new(STRANGER)) == sms_platform.settings.inbound_per_minute
    clock.advance(seconds=60)
    twilio_sms(client, STRANGER, "STATUS")
    assert len(phones.new(STRANGER)) == 1
    with sms_platform.session_factory() as session:  # every message was recorded
        assert len(session.scalars(select(InboundRequest)).all()) == 16


def test_our_own_numbers_and_auto_responders_get_no_answer(sms_platform, client, phones):
    twilio_sms(client, TWILIO_FROM, "HELP")
    twilio_sms(client, STRANGER, "Auto-reply: I am out of the office until Monday.")
    twilio_sms(client, STRANGER, "I'm driving right now - I'll get back to you")
    phones.relay()
    assert phones.inbox(TWILIO_FROM) == [] and phones.inbox(STRANGER) == []


def test_a_chatty_robot_gets_help_twice_then_silence(sms_platform, client, phones, clock):
    for _ in range(6):
        clock.advance(seconds=15)
        twilio_sms(client, STRANGER, "Thank you for your message")
    assert len(phones.new(STRANGER)) == 2
    clock.advance(minutes=11)
    twilio_sms(client, STRANGER, "Thank you for your message")
    assert len(phones.new(STRANGER)) == 1


def test_sms_dialog_expires_after_30_idle_minutes(sms_platform, client, phones, clock):
    catalogue(sms_platform)
    twilio_sms(client, STRANGER, "BOOK")
    assert phones.new(STRANGER)[0].startswith("Choose a service:")
    clock.advance(seconds=sms_platform.settings.sms_session_idle_seconds - 5)
    twilio_sms(client, STRANGER, "1")
    assert phones.new(STRANGER)[0].startswith("Type your suburb")
    clock.advance(seconds=sms_platform.settings.sms_session_idle_seconds + 1)
    twilio_sms(client, STRANGER, "Sandton")
    assert phones.new(STRANGER)[0].startswith("Kerbside: BOOK to book")  # not the dialog


def test_stop_in_the_middle_of_a_dialog_opts_out(sms_platform, client, phones):
    catalogue(sms_platform)
    twilio_sms(client, STRANGER, "BOOK")
    twilio_sms(client, STRANGER, "STOP")
    assert phones.new(STRANGER)[-1].startswith("Kerbside: you will get no more SMS")


def test_delivery_status_never_moves_backwards(sms_platform, client, phones):
    twilio_sms(client, STRANGER, "HELP")
    phones.relay()
    with sms_platform.session_factory() as session:
        sid = session.scalars(select(OutboxMessage.provider_message_id)).one()
    answers = []
    for status in ("sent", "delivered", "sent", "queued", "failed"):
        response = twilio_post(client, "/webhooks/twilio/status",
                               {"MessageSid": sid, "MessageStatus": status})  # fmt: skip
        answers.append(response.text.strip())
    assert answers == ["updated", "updated", "unchanged", "unchanged", "unchanged"]
    with sms_platform.session_factory() as session:
        assert session.scalars(select(OutboxMessage.status)).one() == "delivered"


def test_unexpected_failure_gets_an_apology_not_a_trace(sms_platform, client, phones, monkeypatch):
    from channels.sms import commands

    def explode(*args, **kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setitem(commands.CONSUMER_KEYWORDS, "points", explode)
    twilio_sms(client, STRANGER, "LANG EN")
    response = twilio_sms(client, STRANGER, "POINTS")
    assert (response.status_code, response.data) == (200, EMPTY_TWIML)
    assert phones.new(STRANGER)[-1] == (
        "Kerbside: sorry, something went wrong. Please try again in a few minutes."
    )


def test_stop_is_acted_on_even_past_the_flood_limit(sms_platform, client, phones):
    """WASPA: a STOP must be honoured promptly, so the per-minute cap never swallows it."""
    for n in range(sms_platform.settings.inbound_per_minute):
        twilio_sms(client, STRANGER, f"STATUS {n}")
    twilio_sms(client, STRANGER, "STATUS again")  # over the cap: recorded, not answered
    twilio_sms(client, STRANGER, "STOP")
    with sms_platform.session_factory() as session:
        person = session.scalars(select(Person).where(Person.phone == STRANGER)).one()
        assert person.opted_out_at is not None
