"""More SMS behaviour: concurrency of retries, operator opt-out, languages, unsigned mode."""

import threading

from sqlalchemy import select, text

from core.outbox.model import OutboxMessage
from kerbside.app import create_app
from kerbside.bootstrap import Platform
from tests.booking_helpers import book_at_sandton, catalogue, operator
from tests.e2e.sms_support import Phones, at_sms, twilio_post, twilio_sms
from tests.fakes.fixtures import TWILIO_FROM

OPERATOR = "+27720000001"
STRANGER = "+27825550666"


def test_simultaneous_retries_of_one_message_act_once(sms_platform, fake_twilio, fake_at):
    catalogue(sms_platform)
    app = create_app(sms_platform)
    answers, barrier = [], threading.Barrier(6)

    def post():
        client = app.test_client()
        barrier.wait()
        answers.append(twilio_sms(client, STRANGER, "BOOK", sid="SM-concurrent"))

    threads = [threading.Thread(target=post) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert {(a.status_code, a.data) for a in answers} == {(200, answers[0].data)}
    with sms_platform.session_factory() as session:
        assert len(session.scalars(select(OutboxMessage)).all()) == 1


def test_operator_stop_also_takes_them_offline(sms_platform, fake_twilio, fake_at):
    catalogue(sms_platform)
    person_id = operator(sms_platform, 1)
    client = create_app(sms_platform).test_client()
    at_sms(client, OPERATOR, "STOP")
    with sms_platform.engine.connect() as conn:
        online = conn.execute(text("select online from operators where person_id = :p"),
                              {"p": person_id}).scalar_one()  # fmt: skip
    assert online is False
    phones = Phones(sms_platform, fake_twilio, fake_at)
    assert phones.new(OPERATOR)[0].startswith("Kerbside: you will get no more SMS")


def test_replies_follow_the_persons_language(sms_platform, fake_twilio, fake_at):
    catalogue(sms_platform)
    operator(sms_platform, 1)
    client = create_app(sms_platform).test_client()
    phones = Phones(sms_platform, fake_twilio, fake_at)
    at_sms(client, OPERATOR, "LANG ZU")
    at_sms(client, OPERATOR, "EARN")
    at_sms(client, OPERATOR, "cha")
    assert phones.new(OPERATOR) == [
        "Kerbside: sizokuthumelela ama-SMS ngesiZulu. Phendula HELP.",
        "Imali: namuhla R0 (0), leli sonto R0, le nyanga R0.",
        "Kerbside: awunawo umsebenzi onikwayo manje. Thumela JOBS ubone owanamuhla.",
    ]


def test_without_an_auth_token_twilio_webhooks_refuse_everything_in_production(
    platform, fake_twilio, fake_at
):
    """A real gateway is configured (Africa's Talking) but no Twilio token: the Twilio routes
    must not become an open door that acts on any number's behalf."""
    from tests.fakes.fixtures import provider_settings

    settings = provider_settings(
        platform,
        fake_twilio,
        fake_at,
        twilio_auth_token=None,
        sms_provider="africastalking",
        sms_fallback_provider=None,
    )
    open_platform = Platform(settings, platform.engine, platform.redis, platform.clock)
    client = create_app(open_platform).test_client()
    response = client.post("/webhooks/twilio/sms", data={"MessageSid": "SM-open",
                           "From": STRANGER, "To": TWILIO_FROM, "Body": "HELP"})  # fmt: skip
    assert response.status_code == 403
    assert Phones(open_platform, fake_at).new(STRANGER) == []


def test_on_a_development_platform_unsigned_webhooks_are_accepted(platform, fake_twilio, fake_at):
    """With only the console gateway (the embedded demo), the simulator may post unsigned."""
    settings = platform.settings.replace(
        twilio_auth_token=None,
        at_webhook_token=None,
        sms_provider="console",
        sms_fallback_provider=None,
    )
    dev = Platform(settings, platform.engine, platform.redis, platform.clock)
    client = create_app(dev).test_client()
    response = client.post("/webhooks/twilio/sms", data={"MessageSid": "SM-dev",
                           "From": STRANGER, "To": TWILIO_FROM, "Body": "HELP"})  # fmt: skip
    assert response.status_code == 200
    hop = {"sessionId": "dev-1", "serviceCode": "*120*5372#", "phoneNumber": STRANGER, "text": ""}
    ussd = client.post("/webhooks/africastalking/ussd", data=hop)
    assert ussd.status_code == 200 and ussd.text.startswith("CON ")


def test_signature_covers_the_query_string(sms_platform):
    client = create_app(sms_platform).test_client()
    params = {"MessageSid": "SM-query", "From": STRANGER, "To": TWILIO_FROM, "Body": "HELP"}
    from tests.e2e.sms_support import twilio_sign

    without_query = twilio_sign("/webhooks/twilio/sms", params)
    response = twilio_post(client, "/webhooks/twilio/sms?tenant=za", params, without_query)
    assert response.status_code == 403
    signed = twilio_sign("/webhooks/twilio/sms?tenant=za", params)
    assert twilio_post(client, "/webhooks/twilio/sms?tenant=za", params, signed).status_code == 200


def test_twilio_advanced_opt_out_type_is_honoured(sms_platform, fake_twilio, fake_at):
    """Twilio recognises opt-out words we may not (its own list, other languages) and says so
    in OptOutType; we record the opt-out whatever the body was."""
    client = create_app(sms_platform).test_client()
    params = {"MessageSid": "SM-optout", "From": STRANGER, "To": TWILIO_FROM,
              "Body": "Arrêt", "OptOutType": "STOP"}  # fmt: skip
    assert twilio_post(client, "/webhooks/twilio/sms", params).status_code == 200
    with sms_platform.session_factory() as session:
        from core.accounts.model import Person

        person = session.scalars(select(Person).where(Person.phone == STRANGER)).one()
        assert person.opted_out_at is not None


def test_bare_yes_with_two_offers_asks_which_and_no_declines(sms_platform, fake_twilio, fake_at):
    from tests.booking_helpers import consumer

    catalogue(sms_platform)
    operator(sms_platform, 1, concurrent=2)
    first = book_at_sandton(sms_platform, consumer(sms_platform, 1), "a")
    second = book_at_sandton(sms_platform, consumer(sms_platform, 2), "b")
    client = create_app(sms_platform).test_client()
    phones = Phones(sms_platform, fake_twilio, fake_at)
    assert len(phones.new(OPERATOR)) == 2  # both offers
    at_sms(client, OPERATOR, "YES")
    [which] = phones.new(OPERATOR)
    assert which.startswith("You have 2 open offers: ") and first in which and second in which
    at_sms(client, OPERATOR, f"NO {second}")
    assert phones.new(OPERATOR) == [f"OK, job {second} declined. Stay ON for the next one."]
    at_sms(client, OPERATOR, "Y")  # now there is one: bare YES takes it
    assert phones.new(OPERATOR)[0].startswith(f"JOB {first} is yours")
    assert phones.inbox("+27820000001")[-1].startswith("Kerbside: Operator 1 will do your")


def test_default_console_provider_answers_inbound_sms(client, platform):
    """With no provider configured, replies land in the console inbox (the phone simulator)."""
    from channels.sms.console import ConsoleInbox
    from workers.jobs import deliver_outbox

    response = client.post("/webhooks/twilio/sms", data={"MessageSid": "SM-console",
                           "From": "0825550555", "To": TWILIO_FROM, "Body": "help"})  # fmt: skip
    assert response.status_code == 200
    assert deliver_outbox(platform) == 1
    with platform.session_factory() as session:
        [(to, body)] = session.execute(select(ConsoleInbox.recipient, ConsoleInbox.body)).all()
    assert to == "+27825550555" and body.startswith("Kerbside: BOOK to book")


def test_an_operator_in_a_dialog_still_takes_an_offer_with_bare_yes(
    sms_platform, fake_twilio, fake_at
):
    from tests.booking_helpers import consumer

    catalogue(sms_platform)
    operator(sms_platform, 1)
    client = create_app(sms_platform).test_client()
    phones = Phones(sms_platform, fake_twilio, fake_at)
    at_sms(client, OPERATOR, "BOOK")  # a dialog is open: "Choose a service"
    assert "Choose a service" in phones.new(OPERATOR)[0]
    ref = book_at_sandton(sms_platform, consumer(sms_platform, 1), "c")
    phones.new(OPERATOR)
    at_sms(client, OPERATOR, "yes")
    assert phones.new(OPERATOR)[0].startswith(f"JOB {ref} is yours")


def test_a_consumer_in_a_dialog_answers_it_with_words(sms_platform, fake_twilio, fake_at):
    catalogue(sms_platform)
    client = create_app(sms_platform).test_client()
    phones = Phones(sms_platform, fake_twilio, fake_at)
    twilio_sms(client, STRANGER, "BOOK")
    twilio_sms(client, STRANGER, "yes")  # not a keyword here: the dialog says it is not a choice
    [answer] = phones.new(STRANGER)[1:]
    assert "Choose a service" in answer and not answer.startswith("Kerbside: BOOK to book")


def test_an_operator_only_person_texting_book_books_as_a_customer(
    sms_platform, fake_twilio, fake_at
):
    from core.booking.model import Booking

    catalogue(sms_platform)
    operator(sms_platform, 1)
    worker = operator(sms_platform, 2)  # the one who books: an operator and nothing else
    with sms_platform.engine.begin() as conn:
        conn.execute(text("update people set is_consumer = false where id = :p"), {"p": worker})
    client = create_app(sms_platform).test_client()
    phones = Phones(sms_platform, fake_twilio, fake_at)
    at_sms(client, "+27720000002", "BOOK")
    [first] = phones.new("+27720000002")
    assert "Choose a service" in first and "PIN" not in first
    for reply in ["1", "Sandton", "2", "1", "1"]:
        at_sms(client, "+27720000002", reply)
    assert "Ref " in phones.new("+27720000002")[-1]
    with sms_platform.session_factory() as session:
        assert session.scalars(select(Booking.consumer_id)).all() == [worker]


def test_booking_the_same_time_again_after_cancelling_makes_a_new_booking(
    sms_platform, fake_twilio, fake_at, clock
):
    """An SMS session lives as long as the number texts: a second BOOK for the same time after
    a cancellation must book again, not answer with the cancelled booking's reference."""
    import re

    from core.booking.model import Booking

    catalogue(sms_platform)
    operator(sms_platform, 1)
    client = create_app(sms_platform).test_client()
    phones = Phones(sms_platform, fake_twilio, fake_at)

    def book() -> str:
        twilio_sms(client, STRANGER, "BOOK")
        for reply in ["1", "Sandton", "2", "1", "1"]:
            twilio_sms(client, STRANGER, reply)
        answers = phones.new(STRANGER)
        refs = re.findall(r"Ref ([A-Z0-9]{4})", answers[-1])
        assert len(refs) == 1, answers
        return refs[0]

    clock.advance(minutes=5)  # off the half-hour, so a few seconds later offers the same slots
    first = book()
    twilio_sms(client, STRANGER, f"CANCEL {first}")
    clock.advance(seconds=61)  # past the per-number flood limit of the first minute
    second = book()
    assert second != first
    with sms_platform.session_factory() as session:
        rows = dict(session.execute(select(Booking.ref, Booking.status)).all())
    assert rows[first] == "cancelled" and rows[second] != "cancelled"
