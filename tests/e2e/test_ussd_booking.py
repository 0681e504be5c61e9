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
            ("40721", "Kerbside operator: online\n1. Go offline\n2. Jobs"),
            ("2", "Offers (1)"),
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


def _numbers(screen: str) -> list[int]:
    return [int(line.split(".")[0]) for line in screen.splitlines() if line.split(".")[0].isdigit()]


def test_every_option_is_reachable_when_a_notice_shares_the_first_page(platform, client):
    """ "Place saved." above the first page of a list must not make an option unreachable: the
    pages list every number once, in order, and the first number of page 2 is accepted there
    (trial defect 5)."""
    seed.catalogue(platform)
    seed.operator(platform, 1)
    phone = Phone(client, "+27820000001")
    first = phone.run(
        [(None, "Kerbside"), ("1", "Choose a service"), ("1", "Type your suburb")]
        + [("Sandton", "Sandton"), ("1", "Save Sandton"), ("1", "Place saved.\nWhen?")]
    )[-1]
    assert "98 " in first
    pages = [first]
    while "98 " in pages[-1]:
        pages.append(phone.send("98"))
        assert len(pages[-1]) <= 182
    numbers = [n for page in pages for n in _numbers(page)]
    assert numbers == list(range(1, len(numbers) + 1)), pages
    for _ in pages[2:]:  # back to page 2, then take its first option
        phone.send("0")
    assert "Please reply with a number" not in phone.send(str(_numbers(pages[1])[0]))
