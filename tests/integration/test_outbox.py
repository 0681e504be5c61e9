"""The outbox: nothing leaves on rollback, everything committed leaves exactly once."""

import subprocess
import sys
import textwrap
from datetime import UTC, datetime

from sqlalchemy import func, select

from channels.sms.console import ConsoleInbox
from core.accounts.model import Person
from core.notify.service import send_sms
from core.outbox import relay
from core.outbox.model import OutboxMessage
from core.outbox.sms import SmsDeliverer
from tests.conftest import ROOT
from workers.jobs import deliver_outbox


def _inbox(platform):
    with platform.session_factory() as session:
        return session.execute(select(ConsoleInbox.recipient, ConsoleInbox.body)).all()


def test_rolled_back_change_sends_nothing(platform, uow):
    with uow:
        uow.add(Person(phone="+27825550001", name="Thandi"))
        uow.session.flush()
        send_sms(uow, "+27825550001", "generic", {"text": "Booking K7Q4 confirmed"}, key="t-1")
        uow.rollback()
    assert deliver_outbox(platform) == 0
    assert _inbox(platform) == []
    with platform.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Person)) == 0
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_same_key_queues_one_message(platform, uow):
    with uow:
        first = send_sms(uow, "+27825550001", "generic", {"text": "hi"}, key="same")
        second = send_sms(uow, "+27825550001", "generic", {"text": "hi"}, key="same")
        uow.commit()
    assert first is not None and second is None
    assert deliver_outbox(platform) == 1
    assert _inbox(platform) == [("+27825550001", "hi")]


def test_crash_after_commit_still_delivers_exactly_once(platform, clock):
    """A process commits a business change with its message and is killed before any relay runs;
    a later relay delivers it, and a relay run again (or a repeat hand-over) adds nothing."""
    script = textwrap.dedent(
        f"""
        import os, signal
        from core.settings import Settings
        from kerbside.bootstrap import bootstrap
        from core.accounts.model import Person
        from core.notify.service import send_sms
        settings = Settings.from_env().replace(database_url={platform.settings.database_url!r},
                                               redis_url={platform.settings.redis_url!r})
        p = bootstrap(settings)
        uow = p.uow()
        with uow:
            uow.add(Person(phone="+27825550002"))
            send_sms(uow, "+27825550002", "generic", {{"text": "Job K7Q4 is yours"}}, key="job-1")
            uow.commit()
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, timeout=60)
    assert result.returncode == -9
    with platform.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Person)) == 1
    assert _inbox(platform) == []

    clock.set(datetime.now(UTC))  # the killed process wrote with the real clock
    assert deliver_outbox(platform) == 1
    assert deliver_outbox(platform) == 0
    assert _inbox(platform) == [("+27825550002", "Job K7Q4 is yours")]


def test_relay_killed_after_claiming_is_picked_up_after_the_lease(platform, clock, uow):
    """A relay claims a message and dies before handing it over: once the lease runs out another
    relay delivers it, once."""
    with uow:
        send_sms(uow, "+27825550003", "generic", {"text": "On my way"}, key="otw-1")
        uow.commit()
    claimed = relay.claim_due(platform.uow(), limit=10)  # ...and this relay "dies" here
    assert len(claimed) == 1
    assert deliver_outbox(platform) == 0  # still leased
    clock.advance(seconds=relay.LEASE.total_seconds() + 1)
    assert deliver_outbox(platform) == 1
    clock.advance(minutes=10)
    assert deliver_outbox(platform) == 0
    assert _inbox(platform) == [("+27825550003", "On my way")]
    with platform.session_factory() as session:
        message = session.scalars(select(OutboxMessage)).one()
        assert (message.status, message.provider, message.attempts) == ("delivered", "console", 2)
        assert (message.encoding, message.segments) == ("GSM-7", 1)


def test_repeated_hand_over_is_stored_once_by_the_console_gateway(platform):
    gateway = platform.gateways[0]
    first = gateway.send("+27825550004", "hello", "key-1")
    second = gateway.send("+27825550004", "hello", "key-1")
    assert first.provider_message_id == second.provider_message_id
    assert len(_inbox(platform)) == 1


class _Gateway:
    """A gateway double at the port (the provider is outside the system): records hand-overs."""

    def __init__(self, name, error=None):
        self.name, self.error, self.sent = name, error, []

    def send(self, to, body, key):
        self.sent.append(key)
        if self.error is not None:
            raise self.error
        from core.outbox.ports import Accepted

        return Accepted(f"{self.name}-1")


def test_a_timeout_that_may_have_delivered_is_not_sent_again_on_the_fallback(platform, clock, uow):
    from core.outbox.ports import GatewayError

    with uow:
        message_id = send_sms(uow, "+27825550005", "generic", {"text": "OTW"}, key="t-5")
        uow.commit()
    primary = _Gateway("twilio", GatewayError("read timed out", code="network", maybe_sent=True))
    fallback = _Gateway("africastalking")
    assert relay.deliver_due(platform.uow(), {"sms": SmsDeliverer([primary, fallback])}) == 0
    assert fallback.sent == []  # a second copy could reach the phone
    with platform.session_factory() as session:
        message = session.get(OutboxMessage, message_id)
        assert (message.status, message.error_code) == ("pending", "network")
        assert message.next_attempt_at > clock.now()


def test_an_unexpected_gateway_failure_is_retried_and_does_not_stall_the_batch(platform, uow):
    with uow:
        send_sms(uow, "+27825550006", "generic", {"text": "first"}, key="u-1")
        send_sms(uow, "+27825550007", "generic", {"text": "second"}, key="u-2")
        uow.commit()
    broken = _Gateway("twilio", RuntimeError("SDK bug"))
    assert relay.deliver_due(platform.uow(), {"sms": SmsDeliverer([broken])}) == 0
    assert broken.sent == ["u-1", "u-2"]  # the first one's failure did not stop the second
    with platform.session_factory() as session:
        statuses = session.scalars(select(OutboxMessage.status).order_by(OutboxMessage.id)).all()
        assert statuses == ["pending", "pending"]
