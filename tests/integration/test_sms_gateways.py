"""Outbound SMS through the official SDKs to local fake provider servers."""

from sqlalchemy import select

from channels.sms.ratelimit import TokenBucket
from core.accounts.model import Person
from core.notify.service import send_sms
from core.outbox.model import OutboxMessage, Purpose
from kerbside.bootstrap import Platform
from tests.fakes.fixtures import AT_SENDER, TWILIO_FROM, provider_settings
from tests.fakes.providers import FakeAfricasTalking, FakeTwilio
from workers.jobs import deliver_outbox

CONSUMER = "+27825550101"


def _queue(platform, text="Booking K7Q4 confirmed", key="m-1", to=CONSUMER, **kw):
    uow = platform.uow()
    with uow:
        message_id = send_sms(uow, to, "generic", {"text": text}, key=key, **kw)
        uow.commit()
    return message_id


def _message(platform, message_id):
    with platform.session_factory() as session:
        return session.get(OutboxMessage, message_id)


def test_twilio_primary_delivers_and_records_everything(sms_platform, fake_twilio, fake_at):
    message_id = _queue(sms_platform)
    assert deliver_outbox(sms_platform) == 1
    [got] = fake_twilio.received
    assert (got.to, got.body, got.sender) == (CONSUMER, "Booking K7Q4 confirmed", TWILIO_FROM)
    assert got.fields["StatusCallback"] == "https://kerbside.example/webhooks/twilio/status"
    message = _message(sms_platform, message_id)
    assert (message.provider, message.provider_message_id, message.status) == (
        "twilio",
        got.message_id,
        "queued",
    )
    assert (message.encoding, message.segments, message.cost_cents) == ("GSM-7", 1, 65)
    assert fake_at.received == []


def test_africastalking_primary_with_cost_per_segment(platform, fake_twilio, fake_at):
    settings = provider_settings(
        platform, fake_twilio, fake_at, sms_provider="africastalking", sms_fallback_provider=None
    )
    at_platform = Platform(settings, platform.engine, platform.redis, platform.clock)
    message_id = _queue(at_platform, text="Hlala kahle " * 20)  # 240 chars: two segments
    assert deliver_outbox(at_platform) == 1
    [got] = fake_at.received
    assert (got.to, got.sender, got.fields["username"]) == (CONSUMER, AT_SENDER, "kerbside")
    message = _message(at_platform, message_id)
    assert (message.provider, message.provider_message_id) == ("africastalking", got.message_id)
    assert (message.encoding, message.segments, message.cost_cents) == ("GSM-7", 2, 50)


def test_unicode_body_is_measured_as_ucs2(sms_platform, fake_twilio):
    message_id = _queue(sms_platform, text="Sê vir hom ons kom môre")
    deliver_outbox(sms_platform)
    message = _message(sms_platform, message_id)
    assert (message.encoding, message.segments) == ("UCS-2", 1)
    assert fake_twilio.received[0].body == "Sê vir hom ons kom môre"


def test_primary_down_fails_over_once_to_the_fallback(sms_platform, fake_twilio, fake_at):
    fake_twilio.fail_with(*FakeTwilio.server_error())
    message_id = _queue(sms_platform)
    assert deliver_outbox(sms_platform) == 1
    assert fake_twilio.received == [] and len(fake_at.received) == 1
    message = _message(sms_platform, message_id)
    assert (message.provider, message.fallback_used, message.cost_cents) == (
        "africastalking",
        True,
        25,
    )
    assert "twilio: twilio 503" in message.last_error


def test_both_down_is_retried_later_then_fails_visibly(sms_platform, fake_twilio, fake_at, clock):
    fake_twilio.fail_with(*FakeTwilio.server_error(), times=10)
    fake_at.fail_with(500, FakeAfricasTalking.recipient_error(500, "InternalServerError"), times=10)
    message_id = _queue(sms_platform)
    for _ in range(5):
        assert deliver_outbox(sms_platform) == 0
        clock.advance(minutes=20)
    message = _message(sms_platform, message_id)
    assert (message.status, message.attempts) == ("failed", 5)
    assert (
        "twilio: twilio 503" in message.last_error and "InternalServerError" in message.last_error
    )


def test_invalid_number_is_a_permanent_failure_at_once(sms_platform, fake_twilio, fake_at):
    fake_twilio.fail_with(400, {"code": 21211, "message": "Invalid 'To' Phone Number"})
    fake_at.fail_with(201, FakeAfricasTalking.recipient_error(403, "InvalidPhoneNumber"))
    message_id = _queue(sms_platform)
    assert deliver_outbox(sms_platform) == 0
    message = _message(sms_platform, message_id)
    assert (message.status, message.attempts) == ("failed", 1)


def test_twilio_21610_marks_the_person_opted_out(sms_platform, fake_twilio, fake_at):
    uow = sms_platform.uow()
    with uow:
        uow.add(Person(phone=CONSUMER))
        uow.commit()
    fake_twilio.opt_out(CONSUMER)
    message_id = _queue(sms_platform)
    assert deliver_outbox(sms_platform) == 0
    assert fake_at.received == []  # an opted-out person is not tried on the fallback
    message = _message(sms_platform, message_id)
    assert (message.status, message.error_code) == ("failed", "21610")
    with sms_platform.session_factory() as session:
        assert session.scalar(select(Person).where(Person.phone == CONSUMER)).opted_out


def test_at_user_in_blacklist_marks_the_person_opted_out(platform, fake_twilio, fake_at):
    settings = provider_settings(
        platform,
        fake_twilio,
        fake_at,
        sms_provider="africastalking",
        sms_fallback_provider="twilio",
    )
    at_platform = Platform(settings, platform.engine, platform.redis, platform.clock)
    uow = at_platform.uow()
    with uow:
        uow.add(Person(phone=CONSUMER))
        uow.commit()
    fake_at.opt_out(CONSUMER)
    message_id = _queue(at_platform)
    assert deliver_outbox(at_platform) == 0
    assert _message(at_platform, message_id).error_code == "UserInBlackList"
    assert fake_twilio.received == []
    with at_platform.session_factory() as session:
        assert session.scalar(select(Person).where(Person.phone == CONSUMER)).opted_out


def test_marketing_waits_for_marketing_hours(sms_platform, fake_twilio, clock):
    from datetime import UTC, datetime

    uow = sms_platform.uow()
    with uow:
        uow.add(Person(phone=CONSUMER, marketing_consent=True))
        uow.commit()
    clock.set(datetime(2026, 11, 29, 9, 0, tzinfo=UTC))  # a Sunday
    message_id = _queue(sms_platform, text="Double points this week", purpose=Purpose.MARKETING)
    assert deliver_outbox(sms_platform) == 0
    assert _message(sms_platform, message_id).status == "pending"
    clock.set(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))  # Monday 11:00 in Johannesburg
    assert deliver_outbox(sms_platform) == 1
    assert len(fake_twilio.received) == 1


def test_opted_out_person_gets_no_marketing_but_transactional(sms_platform, fake_twilio, clock):
    uow = sms_platform.uow()
    with uow:
        uow.add(Person(phone=CONSUMER, marketing_consent=True, opted_out_at=clock.now()))
        uow.commit()
    promo = _queue(sms_platform, text="Double points", key="p", purpose=Purpose.MARKETING)
    booking = _queue(sms_platform, text="Sipho is on the way to K7Q4", key="t")
    assert deliver_outbox(sms_platform) == 1
    assert _message(sms_platform, promo).status == "suppressed"
    assert [r.body for r in fake_twilio.received] == ["Sipho is on the way to K7Q4"]
    assert _message(sms_platform, booking).status == "queued"


class FakeTime:
    def __init__(self):
        self.now = 1000.0
        self.sent_at: list[float] = []

    def sleep(self, seconds):
        self.now += seconds


def test_token_bucket_spaces_sends_to_the_rate(platform):
    fake = FakeTime()
    bucket = TokenBucket(platform.redis, "sms:rate:test", 5, now=lambda: fake.now, sleep=fake.sleep)
    for _ in range(20):
        bucket.acquire()
        fake.sent_at.append(fake.now)
    assert fake.now - 1000.0 == __import__("pytest").approx(3.0)  # 5 at once, then one per 0.2 s
    for start in fake.sent_at:  # no one-second window holds more than burst + rate
        assert sum(1 for t in fake.sent_at if start <= t < start + 1.0) <= 10


def test_two_relays_share_one_bucket(platform):
    fake = FakeTime()
    first = TokenBucket(platform.redis, "sms:rate:x", 2, now=lambda: fake.now, sleep=lambda s: None)
    second = TokenBucket(
        platform.redis, "sms:rate:x", 2, now=lambda: fake.now, sleep=lambda s: None
    )
    waits = [first.acquire(), second.acquire(), first.acquire(), second.acquire()]
    assert waits == [0.0, 0.0, 0.5, 1.0]


def test_relay_respects_the_provider_rate_for_real(platform, fake_twilio, fake_at):
    import time

    settings = provider_settings(platform, fake_twilio, fake_at, sms_rate_per_second=40.0)
    limited = Platform(settings, platform.engine, platform.redis, platform.clock)
    for n in range(60):
        _queue(limited, key=f"r-{n}", text=f"message {n}")
    started = time.perf_counter()
    assert deliver_outbox(limited) == 60
    elapsed = time.perf_counter() - started
    assert len(fake_twilio.received) == 60
    assert elapsed >= (60 - 40) / 40 * 0.95  # 40 at once, 20 more at 40/s


def test_at_answer_with_a_charset_is_still_understood(platform, fake_twilio, fake_at):
    fake_at.content_type = "application/json; charset=utf-8"  # the SDK then returns text
    settings = provider_settings(
        platform, fake_twilio, fake_at, sms_provider="africastalking", sms_fallback_provider=None
    )
    at_platform = Platform(settings, platform.engine, platform.redis, platform.clock)
    message_id = _queue(at_platform)
    assert deliver_outbox(at_platform) == 1
    assert _message(at_platform, message_id).provider_message_id == fake_at.received[0].message_id


def test_without_redis_the_bucket_paces_locally():
    import redis as redis_lib
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    dead = redis_lib.Redis(host="127.0.0.1", port=1, retry=Retry(NoBackoff(), 0))
    fake = FakeTime()
    bucket = TokenBucket(dead, "sms:rate:dead", 4, now=lambda: fake.now, sleep=fake.sleep)
    assert [bucket.acquire() for _ in range(3)] == [0.25, 0.25, 0.25]
