"""The PIN lock holds under attack: many USSD sessions guess one operator's PIN at the same
moment, each hop a real webhook request on its own database connection, and PostgreSQL lets at
most PIN_MAX_ATTEMPTS wrong guesses be compared before the lock, and none after it."""

import threading

import pytest
from sqlalchemy import text

from core.accounts import pin as pins
from tests import booking_helpers as seed
from tests.e2e.test_ussd_consumer import OPERATOR
from tests.e2e.ussd_phone import Phone

PIN = "40721"
GUESSES = 60


@pytest.fixture
def compared(monkeypatch):
    """Counts the PINs actually compared with the stored hash (the scrypt work)."""
    calls: list[str] = []
    original = pins.pin_matches

    def counting(pin, stored):
        calls.append(pin)
        return original(pin, stored)

    monkeypatch.setattr(pins, "pin_matches", counting)
    return calls


def _operator_with_pin(platform, client):
    seed.catalogue(platform)
    seed.operator(platform, 1)
    Phone(client, OPERATOR).run([(None, "Continue"), ("2", "Choose"), (PIN, "again"),
                                 (PIN, "Kerbside operator")])  # fmt: skip


def _guess_at_once(app, guesses):
    """One USSD session per guess, each brought to the PIN screen first; then every PIN hop is
    sent at the same moment from its own thread. Returns the screens, in guess order."""
    phones = []
    for _ in guesses:
        phone = Phone(app.test_client(), OPERATOR)
        phone.run([(None, "Continue"), ("2", "Enter your PIN")])
        phones.append(phone)
    barrier = threading.Barrier(len(guesses))
    screens: list[str] = [""] * len(guesses)

    def hop(i):
        barrier.wait()
        screens[i] = phones[i].send(guesses[i])

    threads = [threading.Thread(target=hop, args=(i,)) for i in range(len(guesses))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return screens


def _lock_state(platform):
    with platform.engine.connect() as conn:
        return conn.execute(
            text("select pin_failed_attempts, pin_locked_until from people where phone = :p"),
            {"p": OPERATOR},
        ).one()


def test_sixty_wrong_guesses_at_once_compare_at_most_five(platform, app, compared):
    client = app.test_client()
    _operator_with_pin(platform, client)
    compared.clear()
    most = platform.settings.pin_max_attempts

    screens = _guess_at_once(app, [f"{n:05d}" for n in range(GUESSES)])

    assert all(s.startswith(("CON", "END")) for s in screens), screens
    wrong = [s for s in screens if "Wrong PIN" in s]
    locked = [s for s in screens if s.startswith("END Your PIN is locked")]
    assert len(wrong) == most - 1 and len(locked) == GUESSES - (most - 1)
    assert len(compared) == most
    failed, until = _lock_state(platform)
    assert until is not None and failed == 0
    # The lock holds for the owner too, until it runs out.
    Phone(client, OPERATOR).run([(None, "Continue"), ("2", "END Your PIN is locked")])


def test_the_right_pin_among_wrong_ones_is_never_accepted_once_locked(platform, app, compared):
    """59 wrong guesses and the right PIN at once. Whatever order the database serialises them
    in, at most four wrong ones come before the right one and at most five after it; the last
    five wrong ones lock the PIN, so the account ends locked and the right PIN, if it came after
    the lock, was refused without being compared."""
    _operator_with_pin(platform, app.test_client())
    compared.clear()
    most = platform.settings.pin_max_attempts
    guesses = [f"{n:05d}" for n in range(GUESSES - 1)]
    guesses.insert(GUESSES // 2, PIN)

    screens = _guess_at_once(app, guesses)

    accepted = [s for s in screens if "Kerbside operator" in s]
    wrong = [s for s in screens if "Wrong PIN" in s]
    assert len(accepted) <= 1
    assert len(wrong) <= (most - 1) * (1 + len(accepted))
    assert len(compared) <= most * (1 + len(accepted)) + len(accepted)
    failed, until = _lock_state(platform)
    assert until is not None, "the PIN must end locked: at least 55 wrong guesses came after"
    if not accepted:
        assert PIN not in compared  # refused as locked, never compared
