"""Deliberately bad input gets a clear screen and changes nothing; the webhook never errors."""

import logging

import pytest
from sqlalchemy import text

from kerbside.app import create_app
from kerbside.bootstrap import Platform
from tests import booking_helpers as seed
from tests.e2e.test_ussd_consumer import CONSUMER, OPERATOR
from tests.e2e.ussd_phone import Phone

SESSION_TABLES = {"conversation_sessions", "ussd_session_events"}


def _snapshot(platform):
    counts = {k: v for k, v in seed.table_counts(platform).items() if k not in SESSION_TABLES}
    with platform.engine.connect() as conn:
        people = conn.execute(
            text(
                "select phone, language, pin_hash, pin_failed_attempts, pin_locked_until"
                " from people order by id"
            )
        ).all()
        bookings = conn.execute(text("select ref, status, start_at from bookings")).all()
    return counts, people, bookings


@pytest.fixture
def at_confirm(platform, client):
    """A consumer on the confirm screen of a booking."""
    seed.catalogue(platform)
    seed.operator(platform, 1)
    phone = Phone(client, CONSUMER)
    phone.run(
        [(None, "Kerbside"), ("1", "Choose"), ("1", "suburb"), ("Sandton", "Save")]
        + [("2", "When?"), ("1", "Confirm")]
    )
    return phone


BAD_INPUTS = [
    ("letters", "abc", "Please reply with a number shown.\nFull valet"),
    ("99", "99", "Please reply with a number shown.\nFull valet"),
    ("zero menu choice", "7", "Please reply with a number shown."),
    ("empty hop", "", "Please reply with a number shown."),
    ("500 characters", "9" * 500, "That is too long."),
]


@pytest.mark.parametrize(("label", "value", "expected"), BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
def test_bad_input_on_the_confirm_screen_changes_nothing(
    platform, at_confirm, label, value, expected
):
    before = _snapshot(platform)
    screen = at_confirm.send(value)
    assert screen.startswith("CON ") and expected in screen and "1. Confirm" in screen
    assert _snapshot(platform) == before
    # Africa's Talking keeps the bad input in `text`; the next good one still books.
    assert "END Booked!" in at_confirm.send("1")


def test_a_replayed_hop_gets_a_fresh_menu_never_a_booking(platform, at_confirm):
    before = _snapshot(platform)
    replay = "*".join(at_confirm.inputs[:-1])  # the hop that showed "When?" again
    screen = at_confirm.post(replay).get_data(as_text=True)
    assert screen.startswith("CON Let's start again:\nKerbside\n1. Book a service")
    reordered = "*".join(reversed(at_confirm.inputs)) + "*1"
    screen = at_confirm.post(reordered).get_data(as_text=True)
    assert "Let's start again" in screen
    assert _snapshot(platform) == before


def test_an_unknown_session_mid_way_starts_afresh(platform, at_confirm):
    before = _snapshot(platform)
    text_so_far = "*".join(at_confirm.inputs) + "*1"
    screen = at_confirm.post(text_so_far, session="ATUid_never_seen").get_data(as_text=True)
    assert screen.startswith("CON Your session ended. Start again:\nKerbside")
    assert _snapshot(platform) == before


def test_an_idle_session_expires(platform, at_confirm, clock):
    before = _snapshot(platform)
    clock.advance(seconds=platform.settings.ussd_session_idle_seconds + 1)
    assert "Your session ended" in at_confirm.send("1")
    assert _snapshot(platform) == before


def test_a_hop_after_end_starts_afresh(platform, at_confirm):
    at_confirm.send("1")
    before = _snapshot(platform)
    screen = at_confirm.send("1")
    assert screen.startswith("CON Your session ended. Start again:\nKerbside")
    assert _snapshot(platform) == before


def _lock(platform, client):
    seed.catalogue(platform)
    seed.operator(platform, 1)
    phone = Phone(client, OPERATOR)
    phone.run([(None, "Continue"), ("2", "Choose"), ("40721", "again"), ("40721", "operator")])
    steps = [(None, "Continue"), ("2", "Enter your PIN")]
    steps += [("11111", "Wrong PIN.")] * (platform.settings.pin_max_attempts - 1)
    steps += [("11111", "END Your PIN is locked")]
    phone.run(steps)
    return phone


def test_a_locked_pin_is_refused_and_changes_nothing(platform, client, clock):
    phone = _lock(platform, client)
    before = _snapshot(platform)
    phone.run([(None, "Continue"), ("2", "END Your PIN is locked"), (None, "Continue")])
    phone.run([("2", "Try again after 10:15 or call 010 500 5372.")])
    assert _snapshot(platform) == before
    clock.advance(minutes=platform.settings.pin_lock_minutes + 1)
    phone.run([(None, "Continue"), ("2", "Enter your PIN"), ("40721", "Kerbside operator")])


def test_reset_pin_command_clears_the_lock(platform, client):
    from click.testing import CliRunner

    from kerbside.cli import main

    phone = _lock(platform, client)
    env = {
        "DATABASE_URL": platform.settings.database_url,
        "REDIS_URL": platform.settings.redis_url,
        "LOG_FORMAT": "text",
    }
    result = CliRunner().invoke(main, ["reset-pin", "072 000 0001"], env=env)
    assert result.exit_code == 0, result.output
    assert "PIN cleared for +2772*****01" in result.output
    phone.run([(None, "Continue"), ("2", "Choose a 4 or 5 digit PIN")])
    result = CliRunner().invoke(main, ["reset-pin", "0820009999"], env=env)
    assert result.exit_code == 1 and "no person" in result.output


def test_an_internal_failure_is_a_short_translated_end(platform, client, monkeypatch, caplog):
    Phone(client, CONSUMER).run([(None, "Kerbside"), ("5", "language"), ("2", "Ulimi")])

    def explode(*args, **kwargs):
        raise RuntimeError(f"database fell over for {CONSUMER}")

    monkeypatch.setattr("channels.ussd.africastalking.converse", explode)
    with caplog.at_level(logging.ERROR):
        response = Phone(client, CONSUMER).post("")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == (
        "END Uxolo, kukhona okungahambanga kahle. Sicela ushayele futhi."
    )
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "ussd hop failed" in logged and CONSUMER not in logged
    assert all(r.exc_info is None for r in caplog.records)


def _with_token(platform):
    guarded = Platform(
        platform.settings.replace(at_webhook_token="s3cret-token"),
        platform.engine,
        platform.redis,
        platform.clock,
    )
    app = create_app(guarded)
    app.testing = True
    return app.test_client()


def test_the_webhook_token_is_required_when_set(platform):
    client = _with_token(platform)
    assert Phone(client, CONSUMER).post("").status_code == 403
    assert Phone(client, CONSUMER, token="wrong").post("").status_code == 403
    assert client.post("/webhooks/africastalking/ussd/events", data={}).status_code == 403
    response = Phone(client, CONSUMER, token="s3cret-token").post("")
    assert response.status_code == 200 and response.get_data(as_text=True).startswith("CON ")


def test_end_of_session_notifications_are_recorded_once(platform, client):
    event = {
        "sessionId": "ATUid_ended_1",
        "serviceCode": "*120*5372#",
        "networkCode": "62120",
        "phoneNumber": "+27820000001",
        "status": "Success",
        "cost": "ZAR 0.2000",
        "durationInSeconds": "42",
        "hopsCount": "6",
        "input": "1*1",
        "lastAppResponse": "END Booked!",
        "errorMessage": "",
        "date": "2026-11-25 10:01:02.123",
    }
    for _ in range(2):
        response = client.post("/webhooks/africastalking/ussd/events", data=event)
        assert response.status_code == 200
    with platform.engine.connect() as conn:
        rows = conn.execute(
            text("select status, duration_seconds, cost, phone, raw from ussd_session_events")
        ).all()
    assert len(rows) == 1
    status, duration, cost, phone, raw = rows[0]
    assert (status, duration, cost, phone) == ("Success", 42, "ZAR 0.2000", "+27820000001")
    assert "phoneNumber" not in raw and raw["hopsCount"] == "6"


def test_a_gateway_retry_of_the_latest_hop_gets_the_same_answer(platform, at_confirm):
    text_now = "*".join(at_confirm.inputs)
    shown = at_confirm.post(text_now).get_data(as_text=True)
    assert shown.startswith("CON Full valet") and "1. Confirm" in shown
    booked = at_confirm.send("1")
    assert booked.startswith("END Booked! Ref ")
    retried = at_confirm.post("*".join(at_confirm.inputs)).get_data(as_text=True)
    assert retried == booked
    with platform.engine.connect() as conn:
        assert conn.execute(text("select count(*) from bookings")).scalar() == 1


def test_another_number_cannot_continue_someone_elses_session(platform, client, at_confirm):
    before = _snapshot(platform)
    intruder = Phone(client, "+27829999999")
    text_so_far = "*".join(at_confirm.inputs) + "*1"
    screen = intruder.post(text_so_far, session=at_confirm.session).get_data(as_text=True)
    assert screen.startswith("CON Your session ended. Start again:\nKerbside")
    counts, _, bookings = _snapshot(platform)
    assert bookings == before[2] and counts["bookings"] == before[0]["bookings"]


@pytest.mark.parametrize(
    "form",
    [
        {"sessionId": "s1", "phoneNumber": "not a number", "text": ""},
        {"sessionId": "", "phoneNumber": CONSUMER, "text": ""},
        {},
    ],
    ids=["bad phone", "no session", "empty form"],
)
def test_junk_requests_get_a_short_end_never_an_error_page(platform, client, form):
    response = client.post("/webhooks/africastalking/ussd", data=form)
    assert response.status_code == 200 and response.mimetype == "text/plain"
    assert response.get_data(as_text=True) == "END Sorry, something went wrong. Please dial again."
    assert seed.table_counts(platform)["people"] == 0


def test_a_star_inside_a_typed_name_is_one_input(platform, client):
    seed.catalogue(platform)
    seed.operator(platform, 1)
    Phone(client, CONSUMER).run(
        [
            (None, "Kerbside"),
            ("1", "Choose"),
            ("1", "suburb"),
            ("Sand*ton", "Choose your area:\n1. Sandton, Johannesburg"),
        ]
    )


def test_the_same_first_hop_twice_at_once_gets_one_session_and_two_menus(platform, app):
    import threading

    for attempt in range(5):
        replies: list[str] = []
        barrier = threading.Barrier(2)

        def hop(attempt=attempt, replies=replies, barrier=barrier):
            client = app.test_client()
            barrier.wait()
            form = {"sessionId": f"twice-{attempt}", "phoneNumber": CONSUMER, "text": ""}
            replies.append(client.post("/webhooks/africastalking/ussd", data=form).get_data(True))

        threads = [threading.Thread(target=hop) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(replies) == 2 and all(r.startswith("CON Kerbside") for r in replies), replies
    assert seed.table_counts(platform)["conversation_sessions"] == 5


def test_the_session_keeps_the_full_input_history(platform, at_confirm):
    at_confirm.post("1").get_data(as_text=True)  # an older hop replayed: fresh menu
    with platform.engine.connect() as conn:
        history, state, language = conn.execute(
            text("select history, state, language from conversation_sessions")
        ).one()
    assert history == ["1", "1", "Sandton", "2", "1", "(restart)"]
    assert (state, language) == ("c.menu", "en")
