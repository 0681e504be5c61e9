"""A consumer books over USSD from an empty `text` to `END` with a reference; the operator's
offer is in the outbox; the operator accepts over USSD; "My bookings" shows the operator."""

from sqlalchemy import text

from tests import booking_helpers as seed
from tests.e2e.ussd_phone import Phone


def _offers_in_outbox(platform):
    with platform.engine.connect() as conn:
        return conn.execute(
            text("select recipient, template, body from outbox where template = 'booking.offer'")
        ).all()


def test_book_accept_and_see_the_operator(platform, client):
    seed.catalogue(platform)
    operator_id = seed.operator(platform, 1)
    consumer = Phone(client, "+27820000001")
    screens = consumer.run(
        [
            (None, "CON Kerbside\n1. Book a service"),
            ("1", "Choose a service"),
            ("1", "Type your suburb"),
            ("sandton", "1. Sandton, Johannesburg"),
            ("1", "Save Sandton for next time?"),
            ("1", "Place saved.\nWhen?"),
            ("1", "Price: R"),
            ("1", "Pay R"),
            ("1", "Confirm"),
            ("1", "END Booked! Ref "),
        ]
    )
    assert "Points: 0" in screens[6]
    ref = screens[-1].split("Ref ")[1][:4]
    offers = _offers_in_outbox(platform)
    assert offers and offers[0][0] == "+27720000001" and ref in offers[0][2]

    operator = Phone(client, "+27720000001")
    operator.run(
        [
            (None, "Continue as:"),
            ("2", "Choose a 4 or 5 digit PIN"),
            ("40721", "Type the same PIN again"),
            ("40721", "Kerbside operator\n1. Go online"),
            ("3", "Offers (1)"),
            ("1", f"1. {ref} "),
            ("1", f"{ref} Full valet"),
            ("1", f"Job {ref} is yours"),
        ]
    )
    with platform.engine.connect() as conn:
        status, who = conn.execute(
            text("select status, operator_id from bookings where ref = :r"), {"r": ref}
        ).one()
    assert (status, who) == ("accepted", operator_id)

    consumer.run(
        [
            (None, "1. Book a service"),
            ("2", f"1. {ref} Full valet"),
            ("1", "Operator: Operator 1"),
        ]
    )
