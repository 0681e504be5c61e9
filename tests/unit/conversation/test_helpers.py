"""Small pieces of the engine: the hop fingerprint, clocks, money, names, paging."""

from hypothesis import given, settings
from hypothesis import strategies as st

from channels.ussd.render import LIMIT, render
from core.accounts.pin import hash_pin, pin_matches
from core.conversation import engine
from core.conversation.dialogs import DIALOG
from core.conversation.dialogs.operator_account import parse_clock
from core.conversation.display import cut, money
from core.conversation.layout import next_page
from core.conversation.replay import fingerprint, input_after
from core.outbox.encoding import is_gsm7

from .fakes import LongReads
from .test_screens import _ctx

KEY = b"test secret key"


def test_input_after_accepts_only_one_more_input():
    first = fingerprint("", KEY)
    assert input_after(first, "1", KEY) == "1"
    assert input_after(first, "", KEY) is None
    two = fingerprint("1*2", KEY)
    assert input_after(two, "1*2*Sandton", KEY) == "Sandton"
    assert input_after(two, "1*2*", KEY) == ""  # an empty hop: the screen says so
    assert input_after(two, "1*2", KEY) is None  # the same text is a retry, handled before
    assert input_after(two, "1*3*4", KEY) is None  # not a continuation
    assert input_after(two, "2*1*4", KEY) is None  # reordered
    assert input_after(two, "1", KEY) is None  # an older hop


def test_fingerprint_keeps_no_input():
    kept = fingerprint("2*40721", KEY)
    assert "40721" not in kept and kept.startswith("7:")


def test_a_pin_cannot_be_found_by_hashing_every_pin_without_the_key():
    """Without the server's key, trying all 10^5 PINs against the stored digest finds nothing."""
    import hashlib

    kept = fingerprint("2*40721", KEY).split(":")[1]
    assert kept != hashlib.sha256(b"2*40721").hexdigest()
    assert kept != fingerprint("2*40721", b"another key").split(":")[1]


def test_parse_clock():
    assert [parse_clock(t) for t in ("0700", "7:30", "7", "18h00", "23:59")] == [
        "07:00", "07:30", "07:00", "18:00", "23:59",
    ]  # fmt: skip
    assert [parse_clock(t) for t in ("2400", "0760", "abc", "12345", "")] == [None] * 5


def test_money_and_cut():
    assert (money(15900), money(15950), money(5)) == ("R159", "R159.50", "R0.05")
    assert cut("Nomvuyiseko Mahlangu-Vilakazi", 12) == "Nomvuyiseko."
    assert cut("Caf\u00e9 \u2019Le Roux\u2019 `x`", 20) == "Cafe 'Le Roux' ?x?"


def test_pins_are_salted():
    a, b = hash_pin("40721"), hash_pin("40721")
    assert a != b and pin_matches("40721", a) and not pin_matches("40722", a)


NAMES = st.text(
    alphabet=st.characters(min_codepoint=32, max_codepoint=0x2FF), min_size=0, max_size=80
)


class RandomReads(LongReads):
    def __init__(self, name, place, count):
        super().__init__(count)
        self.name, self.place = name, place

    def services(self):
        return [
            s.__class__(s.code, self.name, 60, s.min_price_cents, s.max_price_cents)
            for s in super().services()
        ]

    def saved_places(self):
        return [p.__class__(self.place or "x", 0.0, 0.0) for p in super().saved_places()]


@settings(max_examples=30, deadline=None)
@given(name=NAMES, place=NAMES, count=st.integers(min_value=0, max_value=30))
def test_any_names_and_list_lengths_render_inside_one_screen(name, place, count):
    ctx = _ctx("zu")
    ctx.reads = RandomReads(name, place, count)
    ctx.data["service_name"] = name
    ctx.data["place"] = [place, 0.0, 0.0]
    states = ("c.book.service", "c.book.place", "c.book.when", "c.book.time", "c.book.confirm")
    for state in (*states, "c.mine", "o.offers"):
        trail = [0]
        while True:
            prompt, shown = engine._show(DIALOG, DIALOG[state], ctx, [], trail)
            text = render(prompt)
            assert len(text) <= LIMIT and is_gsm7(text), text
            if not shown["more"]:
                break
            trail = next_page(shown)


def test_parse_day_reads_dd_mm_inside_the_horizon():
    from datetime import date

    from core.conversation.dialogs.booking_when import parse_day

    today, last = date(2026, 12, 20), date(2027, 1, 19)
    assert parse_day("24/12", today, last) == date(2026, 12, 24)
    assert parse_day("5-1", today, last) == date(2027, 1, 5)  # after New Year: next year
    assert parse_day(" 05.01.27 ", today, last) == date(2027, 1, 5)
    assert parse_day("20/12", today, last) == today
    assert parse_day("19/12", today, last) == "notice.date_past"
    assert parse_day("20/01", today, last) == "notice.date_far"
    assert parse_day("24/12/2027", today, last) == "notice.date_far"
    for bad in ("31/11", "29/02", "32/01", "12", "tomorrow", "1/2/3/4", ""):
        assert parse_day(bad, today, last) == "notice.date_format", bad
