"""Transcripts of the consumer dialogs over the Africa's Talking USSD webhook."""

from datetime import timedelta

from sqlalchemy import text

from tests import booking_helpers as seed
from tests.e2e.ussd_phone import Phone

CONSUMER = "+27820000001"
OPERATOR = "+27720000001"


def _book(phone: Phone, first_time: bool = True) -> str:
    steps = [(None, "1. Book a service"), ("1", "Choose a service")]
    if first_time:
        steps += [("1", "Type your suburb"), ("Sandton", "Save Sandton for next time?")]
        steps += [("1", "Place saved.\nWhen?\n1. ASAP")]
    else:
        steps += [("1", "1. Sandton"), ("1", "When?\n1. ASAP")]
    steps += [("1", "Full valet at Sandton\nToday"), ("1", "END Booked! Ref ")]
    return phone.run(steps)[-1].split("Ref ")[1][:4]


def _accept(client, ref: str) -> None:
    Phone(client, OPERATOR).run(
        [(None, "Continue as"), ("2", "Choose a"), ("12345", "again"), ("12345", "operator")]
        + [("2", "Offers"), ("1", ref), ("1", "Accept"), ("1", "is yours")]
    )


def _status(platform, ref):
    with platform.engine.connect() as conn:
        return conn.execute(
            text("select status, start_at from bookings where ref = :r"), {"r": ref}
        ).one()


def test_second_booking_uses_the_saved_place(platform, client):
    seed.catalogue(platform)
    seed.operator(platform, 1, concurrent=3)
    phone = Phone(client, CONSUMER)
    _book(phone)
    screens = phone.run(
        [(None, "Kerbside"), ("1", "Choose"), ("1", "Where?\n1. Sandton\n2. Another place")]
    )
    assert "0 Back" in screens[-1]
    assert _book(phone, first_time=False)


def test_unknown_area_and_no_slots_are_told_plainly(platform, client):
    seed.catalogue(platform)
    seed.operator(platform, 1)  # in Sandton; Cape Town has nobody
    Phone(client, CONSUMER).run(
        [
            (None, "Kerbside"),
            ("1", "Choose a service"),
            ("1", "Type your suburb"),
            ("Qwxzv", "No area matches Qwxzv.\nType your suburb"),
            ("Sea Point", "Save Sea Point"),
            ("2", "Sorry, we do not serve Sea Point yet.\n0 Back 00 Menu"),
            ("0", "Save Sea Point"),
        ]
    )


def test_my_bookings_cancel_states_the_fee_first(platform, client, clock):
    seed.catalogue(platform)
    seed.operator(platform, 1)
    phone = Phone(client, CONSUMER)
    phone.run([(None, "Kerbside"), ("2", "You have no active bookings.\n0 Back")])
    ref = _book(phone)
    _accept(client, ref)
    start = _status(platform, ref)[1]
    clock.set(start - timedelta(minutes=30))  # inside the free-cancellation window: a fee
    phone.run(
        [
            (None, "Kerbside"),
            ("2", f"1. {ref} "),
            ("1", "Operator: Operator 1"),
            ("1", f"Cancel {ref}? A fee of R50 applies."),
            ("1", f"END Booking {ref} is cancelled."),
        ]
    )
    assert _status(platform, ref)[0] == "cancelled"


def test_cancel_is_free_before_an_operator_accepts(platform, client):
    seed.catalogue(platform)
    seed.operator(platform, 1)
    phone = Phone(client, CONSUMER)
    ref = _book(phone)
    phone.run(
        [(None, "Kerbside"), ("2", ref), ("1", "Finding an operator")]
        + [("1", f"Cancel {ref}? It is free."), ("1", "is cancelled")]
    )


def test_reschedule_moves_the_booking(platform, client):
    seed.catalogue(platform)
    seed.operator(platform, 1)
    phone = Phone(client, CONSUMER)
    ref = _book(phone)
    before = _status(platform, ref)[1]
    phone.run(
        [(None, "Kerbside"), ("2", ref), ("1", "Change time"), ("2", f"New time for {ref}:")]
        + [("1", f"END Booking {ref} moved to")]
    )
    assert _status(platform, ref)[1] != before


def test_points_subscription_help_and_operator_interest(platform, client):
    phone = Phone(client, CONSUMER)
    phone.run(
        [
            (None, "Kerbside"),
            ("3", "Points: 0\n1. History\n2. Redeem"),
            ("1", "No points yet."),
            ("0", "Points: 0"),
            ("2", "No points yet."),
            ("00", "1. Book a service"),
            ("4", "Subscriptions are not available yet"),
            ("00", "Kerbside"),
            ("6", "Dial *120*5372# to book"),
            ("0", "Kerbside"),
            ("7", "We will call you to register.\n1. Yes, call me"),
            ("1", "END Thank you."),
        ]
    )
    with platform.engine.connect() as conn:
        assert conn.execute(text("select count(*) from operator_applications")).scalar() == 1


def test_language_is_remembered_on_the_person(platform, client):
    phone = Phone(client, CONSUMER)
    phone.run(
        [
            (None, "Kerbside"),
            ("5", "Choose your language:\n1. English\n2. isiZulu\n3. Afrikaans"),
            ("2", "Ulimi lugciniwe.\nKerbside\n1. Bhuka insizakalo"),
            (None, "1. Bhuka insizakalo"),
            ("5", "Khetha ulimi"),
            ("3", "Taal gestoor.\nKerbside\n1. Bespreek 'n diens"),
            ("3", "Punte: 0"),
        ]
    )
    with platform.engine.connect() as conn:
        assert conn.execute(text("select language from people")).scalar() == "af"


def test_a_long_list_pages_with_98_and_0(platform, client):
    from core.booking import operators as ops

    uow = platform.uow()
    with uow:
        for n in range(12):
            ops.upsert_service(uow, f"svc{n}", f"Mobile detailing {n}", 60, 10_000, 20_000)
        uow.commit()
    phone = Phone(client, CONSUMER)
    first, second, back = phone.run(
        [(None, "Kerbside"), ("1", "1. Mobile"), ("98", "Mobile"), ("0", "1. Mobile")]
    )[1:]
    assert "98 More" in first and len(first) <= 182
    assert "1. Mobile" not in second and len(second) <= 182
    assert back == first


def test_a_slot_taken_meanwhile_offers_another_time(platform, client):
    from core.booking import operators as ops

    seed.catalogue(platform)
    operator_id = seed.operator(platform, 1)
    phone = Phone(client, CONSUMER)
    phone.run(
        [(None, "Kerbside"), ("1", "Choose"), ("1", "suburb"), ("Sandton", "Save")]
        + [("2", "When?"), ("2", "Today, R159. Time?"), ("1", "Confirm")]
    )
    uow = platform.uow()
    with uow:
        ops.set_online(uow, operator_id, False)
        uow.commit()
    phone.run(
        [
            ("1", "Sorry: that time was just taken.\n1. Pick another time"),
            ("1", "Nothing is free today or tomorrow. When?\n1. Friday"),
        ]
    )
    with platform.engine.connect() as conn:
        assert conn.execute(text("select count(*) from bookings")).scalar() == 0


def test_no_services_yet(platform, client):
    Phone(client, CONSUMER).run(
        [(None, "Kerbside"), ("1", "No services are available right now.\n0 Back 00 Menu")]
    )


def test_cancelling_a_booking_that_moved_on_says_sorry(platform, client):
    from core.booking import service

    seed.catalogue(platform)
    seed.operator(platform, 1)
    phone = Phone(client, CONSUMER)
    ref = _book(phone)
    phone.run([(None, "Kerbside"), ("2", ref), ("1", "Cancel"), ("1", f"Cancel {ref}?")])
    uow = platform.uow()
    with uow:
        consumer_id = uow.session.execute(text("select consumer_id from bookings")).scalar()
        service.cancel_booking(uow, consumer_id, ref)
        uow.commit()
    phone.run([("1", "Sorry: that step is not possible now.")])
