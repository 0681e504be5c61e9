"""The engine's two entry points: `converse` commits its hop, `converse_in` leaves that to the
caller, and `start=` begins a session at a named state of the dialog graph."""

import pytest
from sqlalchemy import func, select

from core.booking.model import Booking
from core.conversation.engine import converse, converse_in
from core.conversation.model import ConversationSession
from core.inbound.model import InboundRequest
from tests.booking_helpers import catalogue, operator, table_counts

PHONE = "+27825550777"
KEY = "sms:+27825550777"
# From "Choose a service": Full valet, area Sandton, first match, second slot, then through
# price, payment and confirm (as tests/e2e/test_sms_flow.py books over SMS).
TO_CONFIRMED = ["1", "Sandton", "2", "1", "1"]  # service, place, no save, ASAP, confirm


def _session_row(platform):
    with platform.session_factory() as session:
        return session.scalar(
            select(ConversationSession).where(ConversationSession.session_key == KEY)
        )


def test_converse_in_leaves_commit_and_rollback_to_the_caller(platform):
    catalogue(platform)
    operator(platform, 1)
    before = table_counts(platform)
    uow = platform.uow()
    with uow:
        uow.session.add(InboundRequest(provider="test-sms", provider_ref="r1", response_status=200,
                                       response_type="text/plain", response_body=""))  # fmt: skip
        prompt = converse_in(uow, PHONE, "sms", KEY, "", start="c.book.service")
        for text in TO_CONFIRMED:
            prompt = converse_in(uow, PHONE, "sms", KEY, text)
        assert prompt.text_key == "book.done" and prompt.final
        # Everything is there, in the caller's transaction, which is still open.
        assert uow.session.in_transaction()
        assert uow.session.scalar(select(func.count()).select_from(Booking)) == 1
        assert uow.session.scalar(select(func.count()).select_from(InboundRequest)) == 1
        # Not committed: another connection sees nothing of it.
        assert _session_row(platform) is None
        assert table_counts(platform) == before
        # leaving the block without commit() rolls back
    assert table_counts(platform) == before  # no session, person, booking, outbox row


def test_converse_in_is_kept_when_the_caller_commits(platform):
    uow = platform.uow()
    with uow:
        converse_in(uow, PHONE, "sms", KEY, "", start="c.book.service")
        assert _session_row(platform) is None
        uow.commit()
    row = _session_row(platform)
    assert row is not None and row.state == "c.book.service"


def test_converse_commits_its_own_hop(platform):
    prompt = converse(platform.uow(), PHONE, "sms", KEY, "")
    assert prompt.text_key == "menu.consumer"
    row = _session_row(platform)
    assert row is not None and row.state == "c.menu" and row.hops == 1


def test_start_begins_at_the_named_state_with_the_menu_behind_it(platform):
    catalogue(platform)
    uow = platform.uow()
    with uow:
        prompt = converse_in(uow, PHONE, "sms", KEY, "", start="c.book.service")
        uow.commit()
    assert prompt.text_key == "book.service"
    assert [o.key for o in prompt.navigation] == ["0", "00"]  # back, menu
    row = _session_row(platform)
    assert (row.state, row.stack, row.data.get("home")) == ("c.book.service", ["c.menu"], "c.menu")
    with uow:
        back = converse_in(uow, PHONE, "sms", KEY, "0")
        uow.commit()
    assert back.text_key == "menu.consumer"


def test_start_discards_an_open_session_and_begins_again(platform):
    catalogue(platform)
    uow = platform.uow()
    with uow:
        converse_in(uow, PHONE, "sms", KEY, "", start="c.book.service")
        converse_in(uow, PHONE, "sms", KEY, "1")  # a service chosen: now "Where?"
        uow.commit()
    assert _session_row(platform).data.get("service")
    with uow:
        prompt = converse_in(uow, PHONE, "sms", KEY, "", start="c.book.service")
        uow.commit()
    row = _session_row(platform)
    assert prompt.text_key == "book.service" and prompt.notice_key is None
    assert row.state == "c.book.service" and "service" not in row.data and row.hops == 1


def test_start_at_a_pin_protected_state_still_asks_the_pin(platform):
    catalogue(platform)
    operator(platform, 1)  # operator and consumer: the PIN is asked after the role choice
    uow = platform.uow()
    with uow:
        prompt = converse_in(uow, "+27720000001", "sms", "sms:op", "", start="o.menu")
        uow.commit()
    assert prompt.text_key == "role.text"
    with uow:
        prompt = converse_in(uow, "+27720000001", "sms", "sms:op", "2")  # I am an operator
        uow.commit()
    assert prompt.text_key in ("pin.new", "pin.enter")


def test_an_unknown_start_state_raises_and_writes_nothing(platform):
    before = table_counts(platform)
    uow = platform.uow()
    with uow:
        with pytest.raises(ValueError, match="no.such.state"):
            converse_in(uow, PHONE, "sms", KEY, "", start="no.such.state")
        uow.commit()
    assert table_counts(platform) == before
