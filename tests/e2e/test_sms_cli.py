"""`kerbside sms`: a terminal texts a live platform through its own webhook, as the configured
provider would, and prints the replies the outbox holds for that number."""

import pytest
from click.testing import CliRunner

from core.outbox.queries import recent_messages
from kerbside.app import create_app
from kerbside.bootstrap import Platform
from kerbside.cli import main
from tests import booking_helpers as seed
from tests.e2e.live import serve
from tests.fakes.fixtures import (
    AT_KEY,
    AT_SENDER,
    AT_TOKEN,
    TWILIO_FROM,
    TWILIO_SID,
    TWILIO_TOKEN,
    provider_settings,
)

OPERATOR = "+27720000001"  # seed.operator(platform, 1)


def _live(platform: Platform, settings):
    app = create_app(Platform(settings, platform.engine, platform.redis, platform.clock))
    return serve(app)


def _sms(*args: str):
    return CliRunner().invoke(main, ["sms", *args])


def _bodies(platform: Platform, phone: str) -> list[str]:
    return [m.body for m in reversed(recent_messages(platform.uow(), to=phone))]


def test_console_platform_gets_a_twilio_shaped_message_and_the_reply_is_printed(platform, app):
    seed.catalogue(platform)
    seed.operator(platform, 1)
    with serve(app) as url:
        result = _sms("--from", "0720000001", "--url", url, "OFF")
    assert result.exit_code == 0, result.output
    [reply] = _bodies(platform, OPERATOR)
    assert reply.startswith("You are OFF")
    assert result.stdout == reply + "\n"


def test_twilio_platform_gets_a_signed_request(platform, fake_twilio, fake_at, monkeypatch):
    settings = provider_settings(platform, fake_twilio, fake_at, sms_fallback_provider=None)
    monkeypatch.setenv("SMS_PROVIDER", "twilio")
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", TWILIO_SID)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", TWILIO_TOKEN)
    monkeypatch.setenv("TWILIO_FROM_NUMBER", TWILIO_FROM)
    monkeypatch.setenv("PUBLIC_BASE_URL", settings.public_base_url)
    monkeypatch.setenv("SECRET_KEY", "s" * 32)
    seed.catalogue(platform)
    seed.operator(platform, 1)
    with _live(platform, settings) as url:
        result = _sms("--from", OPERATOR, "--url", url, "HELP")
        assert result.exit_code == 0, result.output
        assert result.stdout.strip() == _bodies(platform, OPERATOR)[-1]
        assert "ON" in result.stdout
        # A different token signs differently: the platform refuses it and says so in one line.
        monkeypatch.setenv("TWILIO_AUTH_TOKEN", "another-token")
        refused = _sms("--from", OPERATOR, "--url", url, "HELP")
    assert refused.exit_code == 1
    assert refused.stderr.strip() == (
        "kerbside: the platform answered HTTP 403: forbidden: bad or missing X-Twilio-Signature"
    )
    assert len(_bodies(platform, OPERATOR)) == 1


def test_africastalking_platform_gets_its_form_fields_and_token(
    platform, fake_twilio, fake_at, monkeypatch
):
    settings = provider_settings(
        platform, fake_twilio, fake_at, sms_provider="africastalking", sms_fallback_provider=None
    )
    monkeypatch.setenv("SMS_PROVIDER", "africastalking")
    monkeypatch.setenv("AT_API_KEY", AT_KEY)
    monkeypatch.setenv("AT_SENDER_ID", AT_SENDER)
    monkeypatch.setenv("AT_WEBHOOK_TOKEN", AT_TOKEN)
    monkeypatch.setenv("SECRET_KEY", "s" * 32)
    seed.catalogue(platform)
    seed.operator(platform, 1)
    with _live(platform, settings) as url:
        result = _sms("--from", "+27 72 000 0001", "--url", url, "off")
        assert result.exit_code == 0, result.output
        monkeypatch.setenv("AT_WEBHOOK_TOKEN", "wrong")
        refused = _sms("--from", OPERATOR, "--url", url, "ON")
    [reply] = _bodies(platform, OPERATOR)
    assert result.stdout == reply + "\n" and reply.startswith("You are OFF")
    assert refused.exit_code == 1
    assert "HTTP 403: forbidden: bad or missing token" in refused.stderr


@pytest.mark.parametrize("number", ["hello", "12345", "", "+2782555010299999"])
def test_a_bad_from_number_is_one_line_and_exit_2(number):
    result = _sms("--from", number, "--url", "http://127.0.0.1:9", "YES")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("kerbside: --from: not a phone number")


def test_unreachable_platform_is_one_line_and_exit_1(platform):
    result = _sms("--from", "0825550102", "--url", "http://127.0.0.1:9", "STATUS")
    assert result.exit_code == 1
    assert result.stderr.startswith("kerbside: cannot reach http://127.0.0.1:9/webhooks/twilio/sms")
    assert result.stderr.count("\n") == 1


def test_no_reply_is_said_on_stderr(platform, app):
    # A number of our own never gets an answer (loop guard), so nothing comes back.
    platform.settings = platform.settings.replace(sms_sender_numbers=("+27820000099",))
    with serve(app) as url:
        result = _sms("--from", "+27820000099", "--url", url, "--wait", "0.5", "HELP")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr.endswith("\nkerbside: no reply within 0.5 s\n")  # after the log line
