"""What an operator sees: the week's accepted jobs on USSD and by SMS `JOBS` (day and time in
Johannesburg, fitted to the screen or segment), the tries left after a wrong PIN, and the
support number to call when the PIN is forgotten or locked."""

from datetime import UTC, datetime

from core.booking import service as bookings
from core.outbox.encoding import is_gsm7
from kerbside.app import create_app
from tests import booking_helpers as seed
from tests.e2e.sms_support import Phones, twilio_sms
from tests.e2e.test_ussd_consumer import OPERATOR
from tests.e2e.ussd_phone import Phone

PIN = "40721"
# The clock starts on Wednesday 25 November 2026, 10:00 in Johannesburg (08:00 UTC).
WEEK = [
    datetime(2026, 11, 25, 12, 0, tzinfo=UTC),  # today 14:00
    datetime(2026, 11, 26, 7, 0, tzinfo=UTC),  # tomorrow 09:00
    datetime(2026, 11, 27, 9, 0, tzinfo=UTC),  # Fri 11:00
    datetime(2026, 11, 28, 6, 0, tzinfo=UTC),  # Sat 08:00
    datetime(2026, 11, 29, 13, 30, tzinfo=UTC),  # Sun 15:30
    datetime(2026, 11, 30, 5, 30, tzinfo=UTC),  # Mon 07:30
    datetime(2026, 12, 1, 14, 0, tzinfo=UTC),  # Tue 16:00
]
LATER = datetime(2026, 12, 2, 7, 0, tzinfo=UTC)  # next Wednesday: beyond the 7 days
SHOWN = ["Today 14:00", "Tomorrow 09:00", "Fri 11:00", "Sat 08:00", "Sun 15:30", "Mon 07:30",
         "Tue 16:00"]  # fmt: skip


def _accepted_jobs(platform, starts, cancel_last=False):
    """Accepted jobs for operator 1 at `starts`, in order; returns their refs."""
    seed.catalogue(platform)
    op = seed.operator(platform, 1, daily=8)
    refs = []
    for n, start in enumerate(starts):
        # One customer per job: a consumer may hold only MAX_OPEN_BOOKINGS open bookings.
        customer = seed.consumer(platform, n + 1)
        uow = platform.uow()
        with uow:
            key = f"week-{n}"
            view = bookings.request_booking(
                uow, customer, "full_valet", *seed.SANDTON, "Sandton", start, idempotency_key=key
            )
            bookings.accept_offer(uow, op, view.ref)
            uow.commit()
        refs.append(view.ref)
    if cancel_last:
        uow = platform.uow()
        with uow:
            bookings.cancel_booking(uow, customer, refs[-1])
            uow.commit()
    return refs


def _operator_menu(client):
    phone = Phone(client, OPERATOR)
    phone.run([(None, "Continue"), ("2", "Choose"), (PIN, "again"), (PIN, "Kerbside operator")])
    return phone


def test_ussd_jobs_lists_the_next_seven_days_with_day_and_time(platform, client):
    refs = _accepted_jobs(platform, [*WEEK, LATER, WEEK[1].replace(hour=11)], cancel_last=True)
    phone = _operator_menu(client)
    phone.run([("2", "1. Offers (0)\n2. Upcoming jobs (7)")])
    screens = [phone.send("2")]
    while "98 More" in screens[-1]:
        screens.append(phone.send("98"))
    assert len(screens) > 1 and all(len(s) <= 182 for s in screens)
    assert screens[0].startswith("CON Next 7 days:\n1. ")
    shown = "\n".join(screens)
    for n, (ref, when) in enumerate(zip(refs[:7], SHOWN, strict=True), 1):
        assert f"{n}. {ref} {when} Sandton" in shown
    assert refs[7] not in shown and refs[8] not in shown  # beyond the week; cancelled
    phone.run([("7", f"{refs[6]} Full valet\nSandton, ")])  # numbering runs across pages


def test_sms_jobs_shows_what_fits_and_how_many_more(sms_platform, fake_twilio, fake_at):
    refs = _accepted_jobs(sms_platform, [*WEEK, LATER])
    client = create_app(sms_platform).test_client()
    phones = Phones(sms_platform, fake_twilio, fake_at)
    phones.new(OPERATOR)
    twilio_sms(client, OPERATOR, "JOBS")
    [reply] = phones.new(OPERATOR)
    assert len(reply) <= 160 and is_gsm7(reply), reply
    assert reply.startswith(f"Jobs, next 7 days (7): {refs[0]} Today 14:00 Sandton; {refs[1]} ")
    listed = [ref for ref in refs if ref in reply]
    assert refs[7] not in reply and 2 <= len(listed) < 7
    assert reply.endswith(f" +{7 - len(listed)} more"), reply


def test_sms_jobs_with_nothing_this_week_says_so(sms_platform, fake_twilio, fake_at):
    _accepted_jobs(sms_platform, [LATER])
    client = create_app(sms_platform).test_client()
    phones = Phones(sms_platform, fake_twilio, fake_at)
    phones.new(OPERATOR)
    twilio_sms(client, OPERATOR, "JOBS")
    assert phones.new(OPERATOR) == ["No jobs in the next 7 days. Reply ON to get offers."]


def test_a_wrong_pin_says_how_many_tries_are_left(platform, client):
    seed.catalogue(platform)
    seed.operator(platform, 1)
    _operator_menu(client)
    phone = Phone(client, OPERATOR)
    phone.run(
        [
            (None, "Continue"),
            ("2", "CON Enter your PIN:"),
            ("11111", "CON Wrong PIN.\nEnter your PIN (4 tries left):"),
            ("11111", "CON Wrong PIN.\nEnter your PIN (3 tries left):"),
            (None, "Continue"),
            ("2", "CON Enter your PIN (3 tries left):"),  # a new session still says so
            ("11111", "(2 tries left)"),
            ("11111", "CON Wrong PIN.\nEnter your PIN (last try before it locks):"),
            (PIN, "Kerbside operator"),
        ]
    )
    phone.run([(None, "Continue"), ("2", "CON Enter your PIN:")])  # the count starts again


def test_forgot_and_locked_pin_screens_name_the_support_number(platform, client):
    seed.catalogue(platform)
    seed.operator(platform, 1)
    phone = _operator_menu(client)
    phone.run([("9", "Forgot your PIN? Call 010 500 5372.")])
    phone.run([(None, "Continue"), ("2", "Enter your PIN")] + [("11111", "PIN")] * 4)
    phone.run([("11111", "END Your PIN is locked after too many wrong tries. Try again after "
                         "10:15 or call 010 500 5372.")])  # fmt: skip
