"""Pure booking rules: templates fit one GSM-7 segment, refs, the state machine, occurrences."""

from datetime import date, time

import pytest

from core.booking.lifecycle import HAPPY_PATH, TERMINAL, TRANSITIONS, can_move
from core.booking.model import BookingSeries
from core.booking.recurring import occurrences
from core.booking.refs import REF_ALPHABET, looks_like_ref, new_ref, normalise_ref
from core.notify import booking_texts as messages
from core.notify.templates import LANGUAGES, render
from core.outbox.encoding import measure


@pytest.mark.parametrize("key", sorted(messages.TEMPLATES))
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_booking_template_fits_one_gsm7_segment(key, language):
    body = render(key, language, messages.LONGEST_PARAMS)
    encoded = measure(body)
    assert encoded.encoding == "GSM-7" and encoded.segments == 1, (len(body), body)


def test_money_and_truncation():
    assert messages.rand(13_500) == "R135" and messages.rand(13_515) == "R135.15"
    assert len(messages.short("Pietermaritzburg Central Business District", 22)) <= 22


def test_refs_avoid_look_alikes():
    assert not set("O0I1S5B8Z2") & set(REF_ALPHABET)
    refs = {new_ref() for _ in range(500)}
    assert all(looks_like_ref(r) for r in refs) and len(refs) > 450
    assert normalise_ref(" #k7q4 ") == "K7Q4" and not looks_like_ref("B0O1")


def test_state_machine_is_declared_and_closed():
    assert {"completed", "cancelled", "expired", "no_show"} == TERMINAL
    assert can_move("offered", "accepted") and not can_move("completed", "cancelled")
    assert not can_move("in_progress", "cancelled")
    for before, after in zip(HAPPY_PATH, HAPPY_PATH[1:], strict=False):
        assert after in TRANSITIONS[before]


def _series(frequency, first):
    return BookingSeries(frequency=frequency, first_day=first, local_time=time(9), skipped_days=[])


def test_occurrences_weekly_fortnightly_monthly():
    first = date(2026, 1, 31)
    assert list(occurrences(_series("weekly", first), date(2026, 1, 30), date(2026, 2, 14))) == [
        date(2026, 1, 31), date(2026, 2, 7), date(2026, 2, 14)]  # fmt: skip
    assert list(
        occurrences(_series("fortnightly", first), date(2026, 1, 31), date(2026, 3, 1))
    ) == [date(2026, 2, 14), date(2026, 2, 28)]
    assert list(occurrences(_series("monthly", first), date(2026, 1, 1), date(2026, 4, 30))) == [
        date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30)]  # fmt: skip
