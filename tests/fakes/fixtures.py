"""Fixtures for SMS tests: fake provider servers and a platform wired to them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from kerbside.bootstrap import Platform

from .providers import FakeAfricasTalking, FakeTwilio

TWILIO_SID = "AC" + "1" * 32
TWILIO_TOKEN = "twilio-auth-token"
TWILIO_FROM = "+27870000001"
AT_KEY = "at-api-key"
AT_TOKEN = "at-webhook-token"
AT_SENDER = "KERBSIDE"


@pytest.fixture
def fake_twilio() -> Iterator[FakeTwilio]:
    with FakeTwilio(TWILIO_SID, TWILIO_TOKEN) as fake:
        yield fake  # type: ignore[misc]


@pytest.fixture
def fake_at() -> Iterator[FakeAfricasTalking]:
    with FakeAfricasTalking("kerbside", AT_KEY) as fake:
        yield fake  # type: ignore[misc]


def provider_settings(
    platform: Platform, fake_twilio: FakeTwilio, fake_at: FakeAfricasTalking, **changes: Any
) -> Any:
    values: dict[str, Any] = {
        "public_base_url": "https://kerbside.example",
        "sms_provider": "twilio",
        "sms_fallback_provider": "africastalking",
        "twilio_account_sid": TWILIO_SID,
        "twilio_auth_token": TWILIO_TOKEN,
        "twilio_from_number": TWILIO_FROM,
        "twilio_api_base_url": fake_twilio.url,
        "at_username": "kerbside",
        "at_api_key": AT_KEY,
        "at_sender_id": AT_SENDER,
        "at_api_base_url": fake_at.url,
        "at_webhook_token": AT_TOKEN,
        "sms_rate_per_second": 0.0,
        "sms_sender_numbers": (TWILIO_FROM,),
    }
    values.update(changes)
    return platform.settings.replace(**values)


@pytest.fixture
def sms_platform(
    platform: Platform,
    fake_twilio: FakeTwilio,
    fake_at: FakeAfricasTalking,
) -> Platform:
    """The test platform with Twilio as primary and Africa's Talking as fallback, both fakes."""
    settings = provider_settings(platform, fake_twilio, fake_at)
    return Platform(settings, platform.engine, platform.redis, platform.clock)
