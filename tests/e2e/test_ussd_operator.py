"""Transcripts of the operator dialogs: PIN, online/offline, jobs, prices, capacity, earnings,
payouts and bank details, customers."""

from sqlalchemy import text

from tests import booking_helpers as seed
from tests.e2e.test_ussd_consumer import CONSUMER, OPERATOR, _book
from tests.e2e.ussd_phone import Phone

PIN = "40721"


def _login(phone: Phone, first_time: bool = False) -> list:
    steps = [(None, "Continue as:\n1. Customer\n2. Operator"), ("2", "PIN")]
    if first_time:
        steps += [(PIN, "Type the same PIN again"), (PIN, "Kerbside operator")]
    else:
        steps += [(PIN, "Kerbside operator")]
    return steps


def _scalar(platform, sql, **params):
    with platform.engine.connect() as conn:
        return conn.execute(text(sql), params).scalar()


def test_pin_is_set_once_then_asked(platform, client):
    seed.catalogue(platform)
    seed.operator(platform, 1)
    phone = Phone(client, OPERATOR)
    phone.run(
        [
            (None, "Continue as"),
            ("2", "Choose a 4 or 5 digit PIN"),
            ("12", "A PIN is 4 or 5 digits.\nChoose"),
            ("1234", "Type the same PIN again"),
            ("9999", "The PINs did not match.\nChoose"),
            (PIN, "again"),
            (PIN, "Kerbside operator: online\n1. Go offline"),
        ]
    )
    stored = _scalar(platform, "select pin_hash from people where phone = :p", p=OPERATOR)
    assert stored.startswith("scrypt$") and PIN not in stored
    history = _scalar(platform, "select history::text from conversation_sessions")
    assert PIN not in history and "1234" not in history
    phone.run([(None, "Continue as"), ("2", "Enter your PIN:"), ("00000", "Wrong PIN.\nEnter")])
    phone.run(_login(phone))


def test_online_offline_and_capacity(platform, client):
    seed.catalogue(platform)
    seed.operator(platform, 1, online=False)
    phone = Phone(client, OPERATOR)
    phone.run(
        _login(phone, first_time=True)
        + [
            ("1", "You are online.\nKerbside operator: online\n1. Go offline"),
            ("1", "You are offline.\nKerbside operator: offline\n1. Go online"),
            ("4", "Capacity and hours:\n1. Jobs at once, per day\n2. Working hours"),
            ("1", "How many jobs can you take at once?"),
            ("x", "Type a number from 1 to 20."),
            ("3", "Most jobs per day?"),
            ("6", "Saved.\nKerbside operator"),
        ]
    )
    online, concurrent, daily = None, None, None
    with platform.engine.connect() as conn:
        online, concurrent, daily = conn.execute(
            text("select online, concurrent_capacity, daily_capacity from operators")
        ).one()
    assert (online, concurrent, daily) == (False, 3, 6)


def test_offer_decline_then_accept_and_work_the_job(platform, client):
    seed.catalogue(platform)
    seed.operator(platform, 1)
    ref = _book(Phone(client, CONSUMER))
    phone = Phone(client, OPERATOR)
    phone.run(
        _login(phone, first_time=True)
        + [
            ("2", "1. Offers (1)\n2. Upcoming jobs (0)"),
            ("1", f"1. {ref} "),
            ("1", "Earn R"),
            ("2", f"You declined {ref}."),
            ("0", "That job is no longer open to you."),
        ]
    )
    assert _scalar(platform, "select operator_id from bookings") is None


def test_accepting_an_offer_that_closed_meanwhile_says_sorry(platform, client):
    from core.booking import service

    seed.catalogue(platform)
    seed.operator(platform, 1)
    ref = _book(Phone(client, CONSUMER))
    phone = Phone(client, OPERATOR)
    phone.run(_login(phone, first_time=True) + [("2", "Offers (1)"), ("1", ref), ("1", "Earn R")])
    uow = platform.uow()
    with uow:
        consumer_id = _scalar(platform, "select consumer_id from bookings")
        service.cancel_booking(uow, consumer_id, ref)
        uow.commit()
    phone.run([("1", "Sorry: ")])
    assert _scalar(platform, "select status from bookings") == "cancelled"


def test_work_a_job_through_to_done_and_earnings(platform, client):
    seed.catalogue(platform)
    seed.operator(platform, 1)
    ref = _book(Phone(client, CONSUMER))
    phone = Phone(client, OPERATOR)
    phone.run(
        _login(phone, first_time=True)
        + [
            ("2", "Offers (1)"),
            ("1", ref),
            ("1", "Accept"),
            ("1", f"Job {ref} is yours"),
            ("00", "Kerbside operator"),
            ("2", "Upcoming jobs (1)"),
            ("2", f"1. {ref} "),
            ("1", f"{ref} Full valet"),
            ("1", "Minutes until you arrive?"),
            ("abc", "Type minutes, 1 to 240."),
            ("15", "Updated.\n"),
        ]
    )
    consumer = Phone(client, CONSUMER)
    consumer.run([(None, "Kerbside"), ("2", ref), ("1", "On the way\nOperator 1, ETA 15 min")])
    phone.run(
        [
            ("2", "Updated."),
            ("3", "Done"),
        ]
    )
    assert _scalar(platform, "select status from bookings") == "completed"
    assert _scalar(platform, "select eta_minutes from bookings") == 15
    phone.run(
        _login(phone)
        + [("5", "Earnings\nToday: R"), ("0", "operator"), ("7", "Recent customers:\nCustomer")]
    )


def test_service_price_in_and_out_of_band(platform, client):
    seed.catalogue(platform)
    seed.operator(platform, 1)
    phone = Phone(client, OPERATOR)
    phone.run(
        _login(phone, first_time=True)
        + [
            ("3", "My services:\n1. Full valet R159"),
            ("1", "Full valet: now R159, allowed R120 to R600"),
            ("1.5", "Type whole rands"),
            ("9000", "Sorry: that price is outside the allowed range."),
            ("0", "Full valet: now R159"),
            ("180", "Saved.\nMy services:\n1. Full valet R180"),
        ]
    )


def test_payouts_ask_the_pin_again_and_store_bank_details_masked(platform, client):
    seed.catalogue(platform)
    seed.operator(platform, 1)
    phone = Phone(client, OPERATOR)
    phone.run(
        _login(phone, first_time=True)
        + [
            ("6", "Enter your PIN:"),
            ("11111", "Wrong PIN."),
            (PIN, "Earned this month: R0\nNo bank details yet."),
            ("1", "Bank name:"),
            ("Capitec", "Account number"),
            ("1234 5678 9012", "Saved.\nEarned this month: R0\nBank: Capitec ****9012"),
        ]
    )
    assert _scalar(platform, "select account_masked from operator_bank_details") == "****9012"
    history = _scalar(platform, "select history::text from conversation_sessions")
    assert "5678" not in history and PIN not in history


def test_language_and_help_from_the_operator_menu(platform, client):
    seed.catalogue(platform)
    seed.operator(platform, 1)
    phone = Phone(client, OPERATOR)
    phone.run(
        _login(phone, first_time=True)
        + [
            ("9", "Go online for offers"),
            ("00", "Kerbside operator"),
            ("8", "Choose your language"),
            ("2", "Ulimi lugciniwe.\nKerbside opharetha"),
        ]
    )


def test_operator_only_person_goes_straight_to_the_pin(platform, client):
    seed.catalogue(platform)
    seed.operator(platform, 1)
    with platform.engine.begin() as conn:
        conn.execute(text("update people set is_consumer = false"))
    Phone(client, OPERATOR).run([(None, "Choose a 4 or 5 digit PIN")])


def test_working_hours_for_saturday(platform, client):
    seed.catalogue(platform)
    seed.operator(platform, 1)
    phone = Phone(client, OPERATOR)
    phone.run(
        _login(phone, first_time=True)
        + [
            ("4", "Capacity and hours"),
            ("2", "Set hours for:\n1. Monday to Friday\n2. Saturday\n3. Sunday"),
            ("2", "Start time, e.g. 0700 (X = closed):"),
            ("25", "Type a time like 0730."),
            ("0830", "End time"),
            ("8", "End must be after start."),
            ("13:30", "Saved.\nKerbside operator"),
        ]
    )
    with platform.engine.connect() as conn:
        rows = conn.execute(
            text("select weekday, opens::text, closes::text from working_hours where weekday = 5")
        ).all()
    assert rows == [(5, "08:30:00", "13:30:00")]


def test_a_new_operator_sees_plain_empty_screens(platform, client):
    seed.catalogue(platform)
    seed.operator(platform, 1, services=())
    phone = Phone(client, OPERATOR)
    phone.run(
        _login(phone, first_time=True)
        + [
            ("2", "1. Offers (0)\n2. Upcoming jobs (0)"),
            ("1", "No offers right now."),
            ("0", "Jobs:"),
            ("2", "No jobs in the next 7 days."),
            ("00", "Kerbside operator"),
            ("3", "You offer no services yet."),
            ("0", "Kerbside operator"),
            ("5", "Earnings\nToday: R0 (0 jobs)\nThis week: R0\nThis month: R0"),
            ("0", "Kerbside operator"),
            ("7", "No customers yet."),
        ]
    )


def test_an_operator_browsing_as_customer_is_not_asked_to_become_one(platform, client):
    seed.catalogue(platform)
    seed.operator(platform, 1)
    screen = Phone(client, OPERATOR).run([(None, "Continue as"), ("1", "6. Help")])[-1]
    assert "Become an operator" not in screen


def test_closing_sundays(platform, client):
    seed.catalogue(platform)
    seed.operator(platform, 1)
    phone = Phone(client, OPERATOR)
    phone.run(
        _login(phone, first_time=True)
        + [("4", "Capacity"), ("2", "Set hours"), ("3", "X = closed"), ("x", "Saved.")]
    )
    with platform.engine.connect() as conn:
        sundays = conn.execute(text("select count(*) from working_hours where weekday = 6"))
        assert sundays.scalar() == 0


def test_every_page_of_the_operator_menu_after_the_first_has_back_and_menu(platform, client):
    """isiZulu makes the operator menu two pages; page 2 carries `0 Back 00 Menu` and both work
    (trial defect 11)."""
    seed.catalogue(platform)
    seed.operator(platform, 1)
    phone = Phone(client, OPERATOR)
    phone.run(_login(phone, first_time=True) + [("8", "Choose your language"), ("2", "Ulimi")])
    first = phone.run([(None, "Kerbside."), ("2", "PIN"), (PIN, "Kerbside opharetha")])[-1]
    assert "98 Okunye" in first and "0 Emuva" not in first
    second = phone.send("98")
    assert len(second) <= 182 and second.endswith("0 Emuva 00 Imenyu"), second
    assert phone.send("0") == first
    phone.send("98")
    assert phone.send("00") == first
