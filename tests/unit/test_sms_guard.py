"""Pure parts of the inbound guards: auto-responder texts and junk detection."""

import pytest

from channels.sms.guard import InboundGuard
from channels.sms.inbound import is_junk


@pytest.mark.parametrize(
    "body",
    [
        "Auto-reply: I am away until 3 December",
        "AUTOMATIC REPLY: out of office",
        "I'm driving right now, I will call you back",
        "This is an automated message, do not reply",
        "Outomatiese antwoord: ek is nie op kantoor nie",
    ],
)
def test_auto_responders_are_recognised(body):
    assert InboundGuard.looks_automatic(body)


@pytest.mark.parametrize("body", ["YES K7Q4", "Please reply soon", "BOOK", "I am at the gate"])
def test_people_are_not_mistaken_for_robots(body):
    assert not InboundGuard.looks_automatic(body)


@pytest.mark.parametrize(
    "body, junk",
    [("HELP", False), ("Sê dankie \U0001f600\nline two\t", False), ("\x00\x01", True),
     ("YES \x1b[0m", True), ("\ud800", True)],
)  # fmt: skip
def test_junk(body, junk):
    assert is_junk(body) is junk
