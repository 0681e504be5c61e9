"""SMS keyword parsing: a table of what people type and what it means."""

import pytest

from channels.sms.keywords import Keyword, parse


@pytest.mark.parametrize(
    "text, expected",
    [
        ("YES K7Q4", Keyword("yes", ref="K7Q4", words=2)),
        ("  yes   k7q4  ", Keyword("yes", ref="K7Q4", words=2)),
        ("Yes.", Keyword("yes", words=1)),
        ("yebo", Keyword("yes", words=1)),
        ("Ja K7Q4", Keyword("yes", ref="K7Q4", words=2)),
        ("cha K7Q4", Keyword("no", ref="K7Q4", words=2)),
        ("NEE", Keyword("no", words=1)),
        ("OTW K7Q4 15", Keyword("otw", ref="K7Q4", number=15, words=3)),
        ("otw k7q4 20min", Keyword("otw", ref="K7Q4", number=20, words=3)),
        ("on my way K7Q4", Keyword("otw", ref="K7Q4", words=2)),
        ("OMW K7Q4", Keyword("otw", ref="K7Q4", words=2)),
        ("arived K7Q4", Keyword("arrived", ref="K7Q4", words=2)),  # typo
        ("ARRIVDE K7Q4", Keyword("arrived", ref="K7Q4", words=2)),  # swapped letters
        ("doen k7q4", Keyword("done", ref="K7Q4", words=2)),
        ("klaar K7Q4", Keyword("done", ref="K7Q4", words=2)),
        ("ON", Keyword("on", words=1)),
        ("off", Keyword("off", words=1)),
        ("CAP 3", Keyword("cap", number=3, words=2)),
        ("jobs", Keyword("jobs", words=1)),
        ("Earnings", Keyword("earn", words=1)),
        ("payout", Keyword("payout", words=1)),
        ("help", Keyword("help", words=1)),
        ("?", Keyword("help", words=1)),
        ("HULP", Keyword("help", words=1)),
        ("book", Keyword("book", words=1)),
        ("Bhukha", Keyword("book", words=1)),
        ("statsu", Keyword("status", words=1)),
        ("CANCEL K7Q4", Keyword("cancel", ref="K7Q4", words=2)),
        ("cancle k7q4", Keyword("cancel", ref="K7Q4", words=2)),
        ("CANCEL", Keyword("stop", words=1)),
        ("points", Keyword("points", words=1)),
        ("REDEEM", Keyword("redeem", words=1)),
        ("rate K7Q4 5", Keyword("rate", ref="K7Q4", number=5, words=3)),
        ("RATE 4 K7Q4", Keyword("rate", ref="K7Q4", number=4, words=3)),
        ("lang zu", Keyword("lang", language="zu", words=2)),
        ("TAAL afrikaans", Keyword("lang", language="af", words=2)),
        ("LANG", Keyword("lang", words=1)),
        ("STOP", Keyword("stop", words=1)),
        ("stop.", Keyword("stop", words=1)),
        ("Stop all", Keyword("stop", words=1)),
        ("unsubscribe", Keyword("stop", words=1)),
        ("QUIT", Keyword("stop", words=1)),
        ("end", Keyword("stop", words=1)),
        ("opt out", Keyword("stop", words=1)),
        ("START", Keyword("start", words=1)),
        ("unstop", Keyword("start", words=1)),
    ],
)
def test_keywords(text, expected):
    assert parse(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "   ", "hello there", "SHOP", "STPO", "STAR", "0N", "Sandton", "\x00\x01\x02", "1"],
)
def test_not_keywords(text):
    """Opt-out words and ON/OFF never match by typo; chit-chat is unknown."""
    assert parse(text).name == "unknown"


def test_refs_use_only_the_booking_alphabet():
    assert parse("YES K0Q4").ref is None  # 0 is not in the alphabet
    assert parse("YES 3479").ref == "3479"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("YES 1234", Keyword("yes", unknown_ref="1234", words=2)),
        ("no 1234", Keyword("no", unknown_ref="1234", words=2)),
        ("YES K0Q4", Keyword("yes", unknown_ref="K0Q4", words=2)),
        ("Y 12", Keyword("yes", unknown_ref="12", words=2)),  # YES takes no number
        ("OTW 1234 10", Keyword("otw", unknown_ref="1234", number=10, words=3)),
        ("DONE 1234", Keyword("done", unknown_ref="1234", words=2)),
        ("CANCEL 1234", Keyword("cancel", unknown_ref="1234", words=2)),  # not an opt-out
        ("RATE 1234 5", Keyword("rate", unknown_ref="1234", number=5, words=3)),
        ("yes please", Keyword("yes", words=2)),  # courtesy is not a ref
        ("YES PLEASE K7Q4", Keyword("yes", ref="K7Q4", words=3)),
        ("OTW 10 MIN K7Q4", Keyword("otw", ref="K7Q4", number=10, words=4)),
        ("CAP 1234", Keyword("cap", words=2)),  # only booking keywords carry a ref
    ],
)
def test_a_word_where_the_ref_goes_that_cannot_be_one_is_kept(text, expected):
    """Trial defect 4: "YES 1234" must not read as a bare YES (which takes the only offer)."""
    assert parse(text) == expected


def test_the_parser_and_the_generator_share_one_alphabet():
    from core.booking.refs import new_ref

    for _ in range(200):
        ref = new_ref()
        assert parse(f"YES {ref}").ref == ref
