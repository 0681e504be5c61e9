"""A fault inside a dialog command is a fault, not a refusal (architecture.md 13): a database error
raised by the core operation a USSD or SMS dialog command calls is logged once, with its type,
and the caller gets the apology; never the "Sorry: that time was just taken" refusal screen,
and nothing of the hop is kept."""

import logging

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError

from core.booking import service as bookings
from core.booking.events import BookingAccepted
from core.handlers import HANDLERS
from tests import booking_helpers as seed
from tests.e2e.sms_support import twilio_sms
from tests.e2e.ussd_phone import Phone

BOOK_TO_CONFIRM = [
    (None, "1. Book a service"),
    ("1", "Choose a service"),
    ("1", "Type your suburb"),
    ("sandton", "Save Sandton for next time?"),
    ("2", "When?"),
    ("1", "1. Confirm"),
]
APOLOGY = "END Sorry, something went wrong. Please dial again."


def _integrity_error() -> IntegrityError:
    return IntegrityError("insert into bookings ...", {}, Exception("duplicate key"))


def _operational_error() -> OperationalError:
    return OperationalError("select 1", {}, Exception("server closed the connection"))


@pytest.mark.parametrize("fault", [_integrity_error, _operational_error])
def test_database_error_in_booking_command_is_an_apology(
    platform, client, monkeypatch, caplog, fault
):
    seed.catalogue(platform)
    seed.operator(platform, 1)
    error = fault()
    assert isinstance(error.code, str)  # what made it pass for a refusal before

    def broken(*args, **kwargs):
        raise error

    monkeypatch.setattr(bookings, "request_booking", broken)
    phone = Phone(client, "+27820000001")
    phone.run(BOOK_TO_CONFIRM)
    caplog.clear()
    with caplog.at_level(logging.INFO):
        screen = phone.send("1")
    assert screen == APOLOGY
    assert "taken" not in screen and "did not work" not in screen
    faults = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(faults) == 1, [r.getMessage() for r in faults]
    assert type(error).__name__ in faults[0].getMessage()
    assert "+27820000001" not in faults[0].getMessage()
    with platform.engine.connect() as conn:
        assert conn.execute(text("select count(*) from bookings")).scalar_one() == 0
        assert conn.execute(text("select count(*) from outbox")).scalar_one() == 0


def _break_accept(monkeypatch):
    def broken(*args, **kwargs):
        raise _operational_error()

    monkeypatch.setattr(bookings, "accept_offer", broken)


def _break_accepted_handler(monkeypatch):
    """A handler of the acceptance fails after the notifications were written."""

    def broken(uow, event):
        raise _operational_error()

    monkeypatch.setitem(HANDLERS, BookingAccepted, (*HANDLERS[BookingAccepted], broken))


@pytest.mark.parametrize("fault", [_break_accept, _break_accepted_handler])
def test_database_error_in_operator_command_is_an_apology(
    platform, client, monkeypatch, caplog, fault
):
    """The same for an operator's job action (accepting an offer), whether the operation or one
    of its event's handlers fails: the acceptance is rolled back and nobody is told."""
    seed.catalogue(platform)
    seed.operator(platform, 1)
    consumer = seed.consumer(platform)
    uow = platform.uow()
    with uow:
        view = bookings.request_booking(
            uow, consumer, "full_valet", *seed.SANDTON, "Sandton", seed.TWO_PM, idempotency_key="k"
        )
        uow.commit()
    operator = Phone(client, "+27720000001")
    operator.run(
        [
            (None, "Continue as:"),
            ("2", "Choose a 4 or 5 digit PIN"),
            ("40721", "Type the same PIN again"),
            ("40721", "Kerbside operator: online"),
            ("2", "Offers (1)"),
            ("1", f"1. {view.ref} "),
            ("1", f"{view.ref} Full valet"),
        ]
    )
    fault(monkeypatch)
    caplog.clear()
    with caplog.at_level(logging.INFO):
        screen = operator.send("1")
    assert screen == APOLOGY
    faults = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(faults) == 1 and "OperationalError" in faults[0].getMessage()
    with platform.engine.connect() as conn:
        status = conn.execute(text("select status from bookings")).scalar_one()
        told = conn.execute(
            text("select count(*) from outbox where template in "
                 "('booking.confirmed', 'booking.assigned')")
        ).scalar_one()  # fmt: skip
    assert (status, told) == ("offered", 0)


def test_database_error_in_the_sms_booking_dialog_is_an_apology(sms_platform, monkeypatch, caplog):
    from kerbside.app import create_app

    seed.catalogue(sms_platform)
    seed.operator(sms_platform, 1)
    client = create_app(sms_platform).test_client()
    *steps, confirm = ["BOOK", "1", "Sandton", "2", "1", "1"]
    for step in steps:
        assert twilio_sms(client, "+27825550999", step).status_code == 200

    def broken(*args, **kwargs):
        raise _integrity_error()

    monkeypatch.setattr(bookings, "request_booking", broken)
    caplog.clear()
    with caplog.at_level(logging.INFO):
        twilio_sms(client, "+27825550999", confirm)
    faults = [r for r in caplog.records if r.levelno >= logging.WARNING]
    # Logged once, by its type only (no stack: a database error's text carries the message).
    assert len(faults) == 1 and faults[0].exc_info is None
    assert faults[0].getMessage().endswith(IntegrityError.__name__)
    with sms_platform.engine.connect() as conn:
        last = conn.execute(text("select template from outbox order by id desc limit 1")).scalar()
        booked = conn.execute(text("select count(*) from bookings")).scalar_one()
    assert (last, booked) == ("sms.error.internal", 0)
