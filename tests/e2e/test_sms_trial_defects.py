"""Trial defects (issue 8) seen through the SMS webhooks: a ref that matches nothing, OTW a day
early, a database outage, and phone numbers in Redis keys."""

import logging
import socket
from datetime import timedelta

import pytest
from sqlalchemy import text

from core.booking import service as bookings
from kerbside.app import create_app
from kerbside.bootstrap import Platform, make_engine
from tests.booking_helpers import TWO_PM, book_at_sandton, catalogue, consumer, operator
from tests.e2e.sms_support import AT_TOKEN, Phones, at_sms, twilio_sms
from tests.e2e.ussd_phone import Phone

OPERATOR = "+27720000001"
CONSUMER = "+27820000001"


@pytest.fixture
def world(sms_platform, fake_twilio, fake_at):
    catalogue(sms_platform)
    operator(sms_platform, 1, concurrent=3)
    client = create_app(sms_platform).test_client()
    return client, Phones(sms_platform, fake_twilio, fake_at)


def _state(platform, ref):
    with platform.engine.connect() as conn:
        return conn.execute(
            text(
                "select b.status, (select count(*) from offers o where o.booking_id = b.id "
                "and o.status = 'open') from bookings b where b.ref = :r"
            ),
            {"r": ref},
        ).one()


def test_yes_or_no_with_a_ref_that_matches_nothing_changes_nothing(sms_platform, world):
    client, phones = world
    ref = book_at_sandton(sms_platform, consumer(sms_platform, 1), "a")
    phones.new(OPERATOR)  # the offer
    at_sms(client, OPERATOR, "YES 1234")
    assert phones.new(OPERATOR) == [f"No open offer 1234. Your offer: {ref}, reply YES {ref}"]
    at_sms(client, OPERATOR, "no 1234")
    assert phones.new(OPERATOR) == [f"No open offer 1234. Your offer: {ref}, reply NO {ref}"]
    assert tuple(_state(sms_platform, ref)) == ("offered", 1)
    at_sms(client, OPERATOR, f"YES {ref}")  # the right ref still works
    assert phones.new(OPERATOR)[0].startswith(f"JOB {ref} is yours")


def test_an_unknown_ref_with_several_or_no_offers_gets_a_clear_answer(sms_platform, world):
    client, phones = world
    at_sms(client, OPERATOR, "YES 1234")
    assert phones.new(OPERATOR) == ["No open offer 1234. You have no open job offer right now."]
    first = book_at_sandton(sms_platform, consumer(sms_platform, 1), "a")
    second = book_at_sandton(sms_platform, consumer(sms_platform, 2), "b")
    phones.new(OPERATOR)
    at_sms(client, OPERATOR, "YES K0Q4")  # 0 is not in the ref alphabet either
    [answer] = phones.new(OPERATOR)
    assert answer.startswith("No open offer K0Q4. Your offers: ") and first in answer
    assert second in answer
    assert {tuple(_state(sms_platform, r)) for r in (first, second)} == {("offered", 1)}


def test_job_keywords_with_an_unknown_ref_never_act_on_another_job(sms_platform, world):
    client, phones = world
    ref = book_at_sandton(sms_platform, consumer(sms_platform, 1), "a")
    at_sms(client, OPERATOR, f"YES {ref}")
    sms_platform.clock.set(TWO_PM - timedelta(minutes=30))
    phones.new(OPERATOR)
    phones.new(CONSUMER)
    for body in ("OTW 1234 10", "ARRIVED 1234", "DONE 1234", "done 12"):
        at_sms(client, OPERATOR, body)
        given = body.split()[1]
        assert phones.new(OPERATOR) == [
            f"We found no booking {given} for you. Check the ref and try again."
        ], body
    twilio_sms(client, CONSUMER, "CANCEL 1234")  # not an opt-out, and not their booking
    twilio_sms(client, CONSUMER, "RATE 1234 5")
    assert (
        phones.new(CONSUMER)
        == ["We found no booking 1234 for you. Check the ref and try again."] * 2
    )
    assert tuple(_state(sms_platform, ref)) == ("accepted", 0)
    with sms_platform.engine.connect() as conn:
        assert conn.execute(text("select count(*) from people where opted_out_at is not null")
                            ).scalar_one() == 0  # fmt: skip


def test_on_the_way_a_day_early_is_refused(sms_platform, world):
    client, phones = world
    tomorrow_ten = TWO_PM + timedelta(days=1) - timedelta(hours=4)  # 10:00 Johannesburg
    ref = book_at_sandton(sms_platform, consumer(sms_platform, 1), "a", start=tomorrow_ten)
    at_sms(client, OPERATOR, f"YES {ref}")
    phones.new(OPERATOR)
    phones.new(CONSUMER)
    at_sms(client, OPERATOR, f"OTW {ref} 10")
    assert phones.new(OPERATOR) == [
        f"Job {ref} has not started yet. Send OTW, ARRIVED or DONE from Thu 26 Nov 09:00."
    ]
    assert phones.new(CONSUMER) == []  # nobody told "ETA 10 min"
    assert tuple(_state(sms_platform, ref)) == ("accepted", 0)
    sms_platform.clock.set(tomorrow_ten - timedelta(minutes=50))
    at_sms(client, OPERATOR, f"OTW {ref} 10")
    assert phones.new(CONSUMER)[0].endswith("ETA 10 min.")


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def database_down(sms_platform):
    """The app's engine points at a port where no database listens: a real outage."""
    engine = make_engine(f"postgresql+psycopg://postgres@127.0.0.1:{_closed_port()}/kerbside_test")
    yield Platform(sms_platform.settings, engine, sms_platform.redis, sms_platform.clock)
    engine.dispose()


def _outage_lines(caplog):
    return [r for r in caplog.records if r.levelno >= logging.WARNING]


@pytest.mark.parametrize("send", [twilio_sms, at_sms], ids=["twilio", "africastalking"])
def test_during_a_database_outage_sms_webhooks_answer_a_short_503(database_down, caplog, send):
    client = create_app(database_down).test_client()
    with caplog.at_level(logging.INFO):
        response = send(client, CONSUMER, "STATUS")
    assert response.status_code == 503
    assert response.content_type.startswith("text/plain")
    assert len(response.get_data(as_text=True)) < 80 and "<" not in response.get_data(as_text=True)
    [line] = _outage_lines(caplog)
    assert "OperationalError" in line.getMessage() and line.exc_info is None
    assert "820000001" not in line.getMessage() and "Traceback" not in caplog.text


def test_during_a_database_outage_ussd_ends_with_an_apology(database_down, caplog):
    client = create_app(database_down).test_client()
    with caplog.at_level(logging.INFO):
        screen = Phone(client, CONSUMER, token=AT_TOKEN).dial()
        events = client.post(
            "/webhooks/africastalking/ussd/events?token=" + AT_TOKEN,
            data={"sessionId": "ATUid_down", "phoneNumber": CONSUMER, "status": "Success"},
        )
    assert screen.startswith("END Sorry") and len(screen) <= 182
    assert events.status_code == 503 and events.content_type.startswith("text/plain")
    lines = _outage_lines(caplog)
    assert len(lines) == 2 and all(r.exc_info is None for r in lines)
    assert all("OperationalError" in r.getMessage() for r in lines)
    assert "820000001" not in caplog.text and "Traceback" not in caplog.text


def test_no_redis_key_holds_a_phone_number(sms_platform, world):
    client, phones = world
    twilio_sms(client, CONSUMER, "hello there")  # the flood and the HELP-loop counters
    twilio_sms(client, CONSUMER, "BOOK")
    for reply in ["1", "Sandton", "2", "1", "1"]:  # a booking attempt too
        twilio_sms(client, CONSUMER, reply)
    assert "Ref " in phones.new(CONSUMER)[-1]
    keys = [k.decode() for k in sms_platform.redis.keys("*")]
    assert any(k.startswith("sms:in:") for k in keys) and any(
        k.startswith("sms:help:") for k in keys
    )
    assert not [k for k in keys if "820000001" in k or "0820" in k]


def _three_open_bookings(platform):
    person = consumer(platform, 1)
    for n in range(3):
        book_at_sandton(platform, person, f"open-{n}", start=TWO_PM + timedelta(days=n + 1))


def test_a_fourth_open_booking_is_refused_by_sms_with_a_clear_reply(sms_platform, world):
    client, phones = world
    _three_open_bookings(sms_platform)
    for reply in ["BOOK", "1", "Sandton", "2", "1", "1"]:
        twilio_sms(client, CONSUMER, reply)
    last = phones.new(CONSUMER)[-1]
    assert "as many open bookings as allowed" in last and "Ref " not in last
    with sms_platform.engine.connect() as conn:
        assert conn.execute(text("select count(*) from bookings")).scalar_one() == 3


def test_a_fourth_open_booking_is_refused_by_ussd_with_a_clear_reply(platform, client):
    catalogue(platform)
    operator(platform, 1, concurrent=3)
    _three_open_bookings(platform)
    phone = Phone(client, CONSUMER)
    screens = [phone.dial()] + [phone.send(v) for v in ["1", "1", "sandton", "2", "1", "1"]]
    assert "as many open bookings as allowed" in screens[-1], screens[-1]
    with platform.engine.connect() as conn:
        assert conn.execute(text("select count(*) from bookings")).scalar_one() == 3


def test_on_my_way_over_ussd_hours_early_is_refused(platform, client):
    catalogue(platform)
    operator(platform, 1)
    ref = book_at_sandton(platform, consumer(platform, 1), "a")  # 14:00; it is 10:00 now
    uow = platform.uow()
    with uow:
        bookings.accept_offer(uow, operator_id(platform), ref)
        uow.commit()
    screens = Phone(client, OPERATOR).run(
        [
            (None, "Continue as:"),
            ("2", "Choose a 4 or 5 digit PIN"),
            ("40721", "Type the same PIN again"),
            ("40721", "2. Jobs"),
            ("2", "Upcoming jobs (1)"),
            ("2", f"1. {ref} "),
            ("1", "On my way"),
            ("1", "Minutes until you arrive?"),
            ("10", "Sorry: too early"),
        ]
    )
    assert "from an hour before the start" in screens[-1] and len(screens[-1]) <= 182
    with platform.engine.connect() as conn:
        assert conn.execute(text("select status from bookings")).scalar_one() == "accepted"
        assert not conn.execute(
            text("select 1 from outbox where template = 'booking.en_route'")
        ).all()


def operator_id(platform):
    with platform.engine.connect() as conn:
        return conn.execute(text("select person_id from operators")).scalar_one()
