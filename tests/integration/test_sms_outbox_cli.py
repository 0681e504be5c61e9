"""`kerbside outbox`: lists messages with provider, status, encoding, segments and cost."""

import json

from click.testing import CliRunner

from core.notify.service import send_sms
from kerbside.cli import main
from tests.fakes.providers import FakeAfricasTalking
from workers.jobs import deliver_outbox


def _send(platform, to, text, key):
    uow = platform.uow()
    with uow:
        send_sms(uow, to, "generic", {"text": text}, key=key)
        uow.commit()


def test_outbox_lists_filters_and_prints_json(sms_platform, fake_twilio, fake_at, monkeypatch):
    _send(sms_platform, "+27825550001", "Booking K7Q4 confirmed", "a")
    _send(sms_platform, "+27825550002", "Sê dankie", "b")
    fake_twilio.fail_with(400, {"code": 21211, "message": "Invalid 'To' Phone Number"})
    fake_at.fail_with(201, FakeAfricasTalking.recipient_error(403, "InvalidPhoneNumber"))
    # The fakes fail the *next* send: one at a time, so that the first message meets it.
    monkeypatch.setattr(sms_platform.deliverers["sms"], "concurrency", 1)
    deliver_outbox(sms_platform)
    monkeypatch.setenv("DATABASE_URL", sms_platform.settings.database_url)
    monkeypatch.setenv("REDIS_URL", sms_platform.settings.redis_url)
    runner = CliRunner()

    lines = runner.invoke(main, ["outbox"]).output.strip().splitlines()
    assert len(lines) == 2
    assert "+27825550002 [queued via twilio] Sê dankie (UCS-2 x1, R0.65)" in lines[0]
    assert "+27825550001 [failed via -] Booking K7Q4 confirmed (GSM-7 x1, R0.00) ! " in lines[1]
    assert "twilio: twilio 400 21211" in lines[1] and "InvalidPhoneNumber" in lines[1]

    result = runner.invoke(main, ["outbox", "--to", "082 555 0002", "--json"])
    [row] = [json.loads(line) for line in result.output.strip().splitlines()]
    assert row["recipient"] == "+27825550002" and row["provider"] == "twilio"
    assert (row["encoding"], row["segments"], row["cost_cents"]) == ("UCS-2", 1, 65)
    assert row["provider_message_id"].startswith("SM") and row["status"] == "queued"

    result = runner.invoke(main, ["outbox", "--status", "failed", "--json"])
    [failed] = [json.loads(x) for x in result.output.splitlines()]
    assert (failed["recipient"], failed["error_code"]) == ("+27825550001", "InvalidPhoneNumber")
    result = runner.invoke(main, ["outbox", "--to", "not a number"])
    assert result.exit_code == 2 and "not a phone number" in result.output
