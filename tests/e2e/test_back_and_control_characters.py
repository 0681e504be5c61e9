""" "0 Back" always lands on a screen, and control characters in what people send (a NUL from a
broken gateway or an attacker) are refused with the ordinary answer, never a failed hop: through
the USSD webhook and the SMS webhook."""

import logging

from sqlalchemy import text

from tests import booking_helpers as seed
from tests.e2e.sms_support import Phones, at_sms, twilio_post, twilio_sms
from tests.e2e.test_ussd_consumer import CONSUMER, OPERATOR
from tests.e2e.ussd_phone import Phone

NO_BACK = "This is the first screen. To leave, press Cancel or hang up."


def _operator_only(platform):
    seed.catalogue(platform)
    person = seed.operator(platform, 1)
    with platform.engine.begin() as conn:
        conn.execute(text("update people set is_consumer = false where id = :p"), {"p": person})


def test_back_on_an_operator_only_first_pin_screen_stays_and_says_how_to_leave(platform, client):
    _operator_only(platform)
    phone = Phone(client, OPERATOR)
    phone.run(
        [
            (None, "CON Choose a 4 or 5 digit PIN"),
            ("0", f"CON {NO_BACK}\nChoose a 4 or 5 digit PIN"),
            ("0", "CON This is the first screen."),
            ("40721", "CON Type the same PIN again"),
            ("0", "CON Choose a 4 or 5 digit PIN"),  # back one screen, no notice
            ("40721", "CON Type the same PIN again"),
            ("40721", "CON Kerbside operator"),
        ]
    )
    phone.run([(None, "CON Enter your PIN:"), ("0", f"CON {NO_BACK}\nEnter your PIN:")])
    phone.run([("40721", "CON Kerbside operator")])


def test_back_on_the_pin_screen_of_someone_with_two_roles_goes_back_to_the_choice(platform, client):
    seed.catalogue(platform)
    seed.operator(platform, 1)
    Phone(client, OPERATOR).run(
        [(None, "Continue as"), ("2", "Choose a 4 or 5"), ("0", "CON Kerbside. Continue as:")]
    )


def _history(platform):
    with platform.engine.connect() as conn:
        return conn.execute(text("select history::text from conversation_sessions")).scalars().all()


def test_a_nul_in_ussd_input_is_refused_and_the_session_goes_on(platform, client, caplog):
    seed.catalogue(platform)
    seed.operator(platform, 1)
    phone = Phone(client, CONSUMER)
    phone.run([(None, "Kerbside"), ("1", "Choose a service"), ("1", "Type your suburb")])
    with caplog.at_level(logging.INFO):
        screen = phone.send("Sand\x00ton")
    assert screen.startswith("CON Please reply with a number shown.\nType your suburb"), screen
    assert "Sand" not in caplog.text and "Traceback" not in caplog.text
    phone.run([("1\x00", "CON Please reply with a number shown.\nType your suburb")])
    phone.run([("Sandton", "Save Sandton for next time?")])  # the same session carries on
    assert all("\\u0000" not in h for h in _history(platform))


def test_a_nul_in_a_ussd_session_id_or_session_event_is_never_stored(platform, client):
    phone = Phone(client, CONSUMER)
    screen = phone.post("", session="ATUid_nul\x00").get_data(as_text=True)
    assert screen.startswith("CON Kerbside")
    form = {"sessionId": "ATUid_nul\x00", "phoneNumber": CONSUMER, "status": "Fail\x00ed",
            "errorMessage": "bad\x00", "durationInSeconds": "3"}  # fmt: skip
    response = client.post("/webhooks/africastalking/ussd/events", data=form)
    assert response.status_code == 200
    with platform.engine.connect() as conn:
        raw = conn.execute(text("select raw::text, status from ussd_session_events")).one()
    assert "\\u0000" not in raw[0] and "\x00" not in raw[1]


def test_a_nul_in_an_open_sms_booking_dialog_gets_the_normal_answer(
    sms_platform, fake_twilio, fake_at, caplog
):
    from kerbside.app import create_app

    seed.catalogue(sms_platform)
    seed.operator(sms_platform, 1)
    client = create_app(sms_platform).test_client()
    phones = Phones(sms_platform, fake_twilio, fake_at)
    twilio_sms(client, CONSUMER, "BOOK")
    assert "Choose a service" in phones.new(CONSUMER)[0]
    with caplog.at_level(logging.INFO):
        assert twilio_sms(client, CONSUMER, "1\x00").status_code == 200
        assert at_sms(client, CONSUMER, "1\x00").status_code == 200
    answers = phones.new(CONSUMER)
    assert len(answers) == 2
    assert all(a.startswith("Please reply with a number shown.\nChoose a service") for a in answers)
    assert "Traceback" not in caplog.text and "inbound sms" not in caplog.text
    twilio_sms(client, CONSUMER, "1")  # the dialog was not lost
    assert "suburb" in phones.new(CONSUMER)[0]
    assert all("\\u0000" not in h for h in _history(sms_platform))


def test_a_nul_in_an_sms_message_id_is_never_stored(sms_platform, fake_twilio, fake_at):
    from kerbside.app import create_app

    client = create_app(sms_platform).test_client()
    assert twilio_sms(client, CONSUMER, "HELP", sid="SM\x00nul").status_code == 200
    assert at_sms(client, CONSUMER, "HELP", message_id="at\x00nul").status_code == 200
    status = {"MessageSid": "SM\x00nul", "MessageStatus": "delivered", "ErrorCode": "1\x00"}
    assert twilio_post(client, "/webhooks/twilio/status", status).status_code == 200
    with sms_platform.engine.connect() as conn:
        refs = conn.execute(text("select provider_ref from inbound_requests")).scalars().all()
    assert len(refs) == 2 and not any("\x00" in r for r in refs)
