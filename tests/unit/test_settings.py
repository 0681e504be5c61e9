import pytest

from core.settings import ConfigError, Settings


def test_defaults_need_no_environment():
    settings = Settings.from_env({})
    assert settings.database_url is None and settings.redis_url is None
    assert settings.embedded
    assert settings.sms_provider == "console"
    assert settings.timezone == "Africa/Johannesburg"
    assert settings.default_region == "ZA"


@pytest.mark.parametrize(
    "url, expected",
    [
        ("postgres://u:p@db:5432/k", "postgresql+psycopg://u:p@db:5432/k"),
        ("postgresql://u@db/k", "postgresql+psycopg://u@db/k"),
        ("postgresql+psycopg2://u@db/k", "postgresql+psycopg://u@db/k"),
    ],
)
def test_database_urls_always_use_psycopg3(url, expected):
    assert Settings.from_env({"DATABASE_URL": url}).database_url == expected


@pytest.mark.parametrize(
    "env, setting",
    [
        ({"DATABASE_URL": "mysql://root@localhost/k"}, "DATABASE_URL"),
        ({"DATABASE_URL": "not a url"}, "DATABASE_URL"),
        ({"REDIS_URL": "localhost:6379"}, "REDIS_URL"),
        ({"SMS_PROVIDER": "pigeon"}, "SMS_PROVIDER"),
        ({"SMS_FALLBACK_PROVIDER": "carrier-pigeon"}, "SMS_FALLBACK_PROVIDER"),
        ({"SMS_PROVIDER": "twilio"}, "TWILIO_ACCOUNT_SID"),
        ({"SMS_PROVIDER": "africastalking"}, "AT_API_KEY"),
        ({"SMS_PROVIDER": "africastalking", "AT_API_KEY": "k"}, "AT_WEBHOOK_TOKEN"),
        (
            {"SMS_PROVIDER": "twilio", "TWILIO_ACCOUNT_SID": "AC1", "TWILIO_AUTH_TOKEN": "t"},
            "SECRET_KEY",
        ),
        (  # a real fallback gateway needs the secret as much as a real primary one
            {
                "SMS_FALLBACK_PROVIDER": "twilio",
                "TWILIO_ACCOUNT_SID": "AC1",
                "TWILIO_AUTH_TOKEN": "t",
            },
            "SECRET_KEY",
        ),
        ({"TIMEZONE": "Mars/Olympus"}, "TIMEZONE"),
        ({"OFFER_TIMEOUT_SECONDS": "two minutes"}, "OFFER_TIMEOUT_SECONDS"),
    ],
)
def test_bad_configuration_names_the_setting_in_one_line(env, setting):
    with pytest.raises(ConfigError) as caught:
        Settings.from_env(env)
    message = str(caught.value)
    assert message.startswith(setting)
    assert "\n" not in message


def test_passwords_never_appear_in_errors():
    with pytest.raises(ConfigError) as caught:
        Settings.from_env({"DATABASE_URL": "mysql://admin:s3cret@db/k"})
    assert "s3cret" not in str(caught.value)
