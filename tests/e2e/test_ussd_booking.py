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
            ("rosebank", "1. Rosebank, Johannesburg\n2. Rosebank, Cape Town"),
            ("1", "Save Rosebank for next time?"),
            ("1", "Place saved.\nWhen?"),
            ("1", "CON Full valet at Rosebank\nToday 10:30\nR159 (Cash)\n1. Confirm"),
            ("1", "END Booked! Ref "),
        ]
    )
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
    """A notice above the first page of a list ("Please reply with a number shown." in isiZulu,
    above tomorrow's times) must not make an option unreachable: the pages list every number
    once, in order, and the first number of page 2 is accepted there (trial defect 5)."""
    seed.catalogue(platform)
    seed.operator(platform, 1)
    seed.consumer(platform, 1, language="zu")
    phone = Phone(client, "+27820000001")
    phone.run(
        [(None, "Kerbside"), ("1", "Khetha insizakalo"), ("1", "Thayipha")]
        + [("Sandton", "Sandton"), ("2", "Nini?"), ("3", "Kusasa, R159")]
    )
    first = phone.send("77")
    assert (
        first.startswith("CON Sicela uphendule ngenombolo ekhonjisiwe.\nKusasa") and "98 " in first
    )
    pages = [first]
    while "98 " in pages[-1]:
        pages.append(phone.send("98"))
        assert len(pages[-1]) <= 182 and "0 Emuva 00 Imenyu" in pages[-1]
    numbers = [n for page in pages for n in _numbers(page)]
    assert numbers == list(range(1, 22)), pages  # 07:00 to 17:00, every half hour
    for _ in pages[2:]:  # back to page 2, then take its first option
        phone.send("0")
    second = _numbers(pages[1])[0]
    assert phone.send(str(second)).startswith("CON Full valet e-Sandton\nKusasa")


# Wednesday 25/11, 10:00 in Johannesburg (tests/conftest.py); the operator works 07:00-19:00 and
# a full valet takes two hours, so the day's first slot is 10:30 and its last 17:00.
MENU = "CON Kerbside\n1. Book a service"
SERVICES = (
    "CON Choose a service:\n1. Full valet from R120\n2. Exterior wash from R60\n0 Back 00 Menu"
)
DAYS = (
    "When?\n1. ASAP (Today 10:30) R159\n2. Today\n3. Tomorrow\n4. Friday\n5. Saturday\n"
    "6. Sunday\n7. Monday\n8. Tuesday\n9. Other date\n0 Back 00 Menu"
)
TODAY_AM = "CON Today, R159. Time?\n1. 10:30\n2. 11:00\n3. 11:30\n98 More 0 Back 00 Menu"
CONFIRM = "CON Full valet at Sandton\n{time}\nR159 (Cash)\n1. Confirm\n0 Back 00 Menu"


def _transcript(phone: Phone, steps: list[tuple[str | None, str]]) -> list[str]:
    """(input, the whole screen) pairs; a screen ending in "..." is checked as a prefix."""
    screens = []
    for value, expected in steps:
        screen = phone.dial() if value is None else phone.send(value)
        if expected.endswith("..."):
            assert screen.startswith(expected[:-3]), f"after {value!r}:\n{screen}"
        else:
            assert screen == expected, f"after {value!r}:\n{screen}\n--- expected:\n{expected}"
        assert len(screen) <= 182
        screens.append(screen)
    return screens


NEW_CONSUMER = [  # 6 inputs: the suburb has one match, so no area pick; cash is the only method
    (None, MENU + "..."),
    ("1", SERVICES),
    ("1", "CON Type your suburb or area name:\n0 Back 00 Menu"),
    ("Sandton", "CON Save Sandton for next time?\n1. Yes\n2. No\n0 Back 00 Menu"),
    ("1", "CON Place saved.\n" + DAYS),
    ("1", CONFIRM.format(time="Today 10:30")),
    ("1", "END Booked! Ref ..."),
]
RETURNING_CONSUMER = [  # 6 inputs, choosing the day and then the time
    (None, MENU + "..."),
    ("1", SERVICES),
    ("1", "CON Where?\n1. Sandton\n2. Another place\n0 Back 00 Menu"),
    ("1", "CON " + DAYS),
    ("2", TODAY_AM),
    ("3", CONFIRM.format(time="Today 11:30")),
    ("1", "END Booked! Ref ..."),
]


def test_a_new_consumer_books_in_six_inputs_and_a_returning_one_in_six(platform, client):
    """Trial defect 16: the counts (inputs after the dial) are pinned by the transcripts."""
    seed.catalogue(platform)
    seed.operator(platform, 1, concurrent=3)
    phone = Phone(client, "+27820000001")
    _transcript(phone, NEW_CONSUMER)
    assert len(phone.inputs) == 6
    _transcript(phone, RETURNING_CONSUMER)
    assert len(phone.inputs) == 6
    with platform.engine.connect() as conn:
        starts = conn.execute(text("select start_at from bookings order by id")).scalars().all()
    local = [s.astimezone(platform.settings.tz).strftime("%d/%m %H:%M") for s in starts]
    assert local == ["25/11 10:30", "25/11 11:30"]


def test_a_new_consumer_picks_a_later_day_by_date_in_eight_inputs(platform, client):
    """Trial defect 15: any day inside the 30-day horizon, the afternoon on page 2; bad, past and
    too-far dates are refused with a short re-prompt that keeps the place."""
    seed.catalogue(platform)
    seed.operator(platform, 1)
    phone = Phone(client, "+27820000001")
    date = "CON Type the date as DD/MM, e.g. 02/12:\n0 Back 00 Menu"
    _transcript(
        phone,
        [
            (None, MENU + "..."),
            ("1", SERVICES),
            ("1", "CON Type your suburb or area name:\n0 Back 00 Menu"),
            ("Sandton", "CON Save Sandton for next time?\n1. Yes\n2. No\n0 Back 00 Menu"),
            ("2", "CON " + DAYS),
            ("9", date),
            ("31/02", "CON Type a date like 05/12.\n" + date[4:]),
            ("24/11", "CON That date has passed.\n" + date[4:]),
            ("26/12", "CON Book at most 30 days ahead.\n" + date[4:]),
            (
                "18/12",
                "CON Friday 18/12, R159. Time?\n1. 07:00\n2. 07:30\n3. 08:00\n4. 08:30\n"
                "5. 09:00\n6. 09:30\n7. 10:00\n8. 10:30\n9. 11:00\n10. 11:30\n"
                "98 More 0 Back 00 Menu",
            ),  # fmt: skip
            ("98", "CON Friday 18/12, R159. Time?\n11. 12:00\n12. 12:30\n..."),
            ("14", CONFIRM.format(time="18/12 13:30")),
            ("1", "END Booked! Ref ..."),
        ],
    )
    typed = [i for i in phone.inputs if i not in ("31/02", "24/11", "26/12", "98")]
    assert len(typed) == 8


def test_a_day_with_no_free_time_says_so_and_offers_the_days_again(platform, client):
    from datetime import date

    from core.booking import operators as ops

    seed.catalogue(platform)
    operator_id = seed.operator(platform, 1)
    uow = platform.uow()
    with uow:  # closed on Friday 27/11 and on 04/12
        ops.set_hours_exception(uow, operator_id, date(2026, 11, 27), None, None)
        ops.set_hours_exception(uow, operator_id, date(2026, 12, 4), None, None)
        uow.commit()
    phone = Phone(client, "+27820000001")
    phone.run(
        [(None, "Kerbside"), ("1", "Choose"), ("1", "suburb"), ("Sandton", "Save"), ("2", "When?")]
    )
    _transcript(
        phone,
        [
            ("4", "CON Nothing is free on Friday 27/11. Pick another day.\nWhen?..."),
            ("98", "CON When?\n..."),
            ("9", "CON Type the date as DD/MM, e.g. 02/12:\n0 Back 00 Menu"),
            ("4/12", "CON Nothing is free on Friday 04/12. Type another date.\n..."),
            ("0", "CON When?..."),
            ("3", "CON Tomorrow, R159. Time?\n1. 07:00\n..."),
        ],
    )


def test_the_payment_screen_appears_only_when_there_is_a_choice(platform, client, monkeypatch):
    """Cash alone skips "Pay how?" (above); with two methods the screen comes back, between the
    time and the summary, and the summary shows the method chosen (trial defect 16)."""
    from core.conversation.dialogs import booking

    monkeypatch.setattr(booking, "payment_methods", lambda ctx: ["cash", "card"])
    seed.catalogue(platform)
    seed.operator(platform, 1)
    phone = Phone(client, "+27820000001")
    phone.run([(None, "Kerbside"), ("1", "Choose"), ("1", "suburb"), ("Sandton", "Save")])
    _transcript(
        phone,
        [
            ("2", "CON " + DAYS),
            ("1", "CON Pay R159 how?\n1. Cash\n2. Card on file\n0 Back 00 Menu"),
            ("2", CONFIRM.format(time="Today 10:30").replace("Cash", "Card on file")),
            ("0", "CON Pay R159 how?..."),
        ],
    )
