"""SMS settings read from the environment."""

from core.settings import Settings


def test_sms_cost_and_session_settings():
    settings = Settings.from_env(
        {"SMS_COST_TWILIO_CENTS": "80", "SMS_COST_AFRICASTALKING_CENTS": "19",
         "SMS_SESSION_IDLE_SECONDS": "600", "SMS_RATE_PER_SECOND": "2.5"}
    )  # fmt: skip
    assert dict(settings.sms_cost_cents) == {"console": 0, "twilio": 80, "africastalking": 19}
    assert settings.sms_session_idle_seconds == 600
    assert settings.sms_rate_per_second == 2.5


def test_sms_defaults():
    settings = Settings.from_env({})
    assert dict(settings.sms_cost_cents) == {"console": 0, "twilio": 65, "africastalking": 25}
    assert settings.sms_session_idle_seconds == 1800
