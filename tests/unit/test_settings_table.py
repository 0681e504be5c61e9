# ruff: noqa: E501 - the table below keeps one variable per line, however long
"""Every variable in the README's configuration table is validated at start-up (trial defect 8).

The README table is parsed here, so a variable documented without a line in CASES fails
`test_every_documented_variable_has_a_case`, and one read by core/settings.py without a README
row fails `test_every_variable_read_is_documented`. Adding a setting is one line in CASES:

    "NAME": Case("good value", what_the_setting_holds, bad=("refused", ...)),

`bad=()` is only for opaque text (secrets, user names), and says so with `opaque=True`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from core.settings import ConfigError, Settings

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
A_FILE = str(README)  # a regular file: nothing can be made under it
SID = "AC" + "0123456789abcdef" * 2
TWILIO = {"SMS_PROVIDER": "twilio", "TWILIO_ACCOUNT_SID": SID, "TWILIO_AUTH_TOKEN": "t" * 32}
SECRET = "s" * 32


@dataclass(frozen=True)
class Case:
    good: str  # a value that is accepted...
    becomes: Any  # ...and what the setting then holds
    bad: tuple[str, ...] = ()  # each refused with one line that names the variable
    read: Callable[[Settings], Any] | None = None  # default: the attribute named like the variable
    env: Mapping[str, str] = field(default_factory=dict)  # what else the case needs set
    opaque: bool = False  # any non-empty text is valid (a secret, a user name)


def cost(provider: str) -> Callable[[Settings], Any]:
    return lambda s: s.sms_cost_cents[provider]


CASES: dict[str, Case] = {
    "DATABASE_URL": Case("postgres://u@db/k", "postgresql+psycopg://u@db/k", bad=("mysql://r@db/k", "nope")),
    "REDIS_URL": Case("redis://db:6379/1", "redis://db:6379/1", bad=("localhost:6379", "redis:/x")),
    "KERBSIDE_VAR_DIR": Case("/tmp/kerbside-var-test", Path("/tmp/kerbside-var-test"), bad=(A_FILE, A_FILE + "/var"), read=lambda s: s.var_dir),
    "SECRET_KEY": Case(SECRET, SECRET, bad=("short",)),
    "PUBLIC_BASE_URL": Case("https://k.example/", "https://k.example", bad=("nope", "ftp://k.example", "https://", "https://k.example/?a=1")),
    "DEFAULT_REGION": Case("za", "ZA", bad=("XX", "South Africa")),
    "TIMEZONE": Case("Europe/London", "Europe/London", bad=("Mars/Olympus",)),
    "SMS_PROVIDER": Case("Twilio", "twilio", bad=("pigeon",), env={**TWILIO, "SECRET_KEY": SECRET}),
    "SMS_FALLBACK_PROVIDER": Case("twilio", "twilio", bad=("pigeon",), env={**TWILIO, "SMS_PROVIDER": "console", "SECRET_KEY": SECRET}),
    "TWILIO_ACCOUNT_SID": Case(SID, SID, bad=("AC12", "SK" + SID[2:])),
    "TWILIO_AUTH_TOKEN": Case("token", "token", opaque=True),
    "TWILIO_FROM_NUMBER": Case("082 555 0000", "+27825550000", bad=("12", "not a number!", "+27 82 5")),
    "TWILIO_API_BASE_URL": Case("http://127.0.0.1:9", "http://127.0.0.1:9", bad=("nope",)),
    "AT_USERNAME": Case("kerbside", "kerbside", opaque=True),
    "AT_API_KEY": Case("key", "key", opaque=True),
    "AT_SENDER_ID": Case("KERBSIDE", "KERBSIDE", bad=("KERBSIDE-WASH-CO", "a/b")),
    "AT_API_BASE_URL": Case("https://at.example/v1", "https://at.example/v1", bad=("at.example",)),
    "AT_WEBHOOK_TOKEN": Case("tok-EN_1.~", "tok-EN_1.~", bad=("has space", "a&b=c")),
    "STRIPE_SECRET_KEY": Case("sk_test_abc", "sk_test_abc", bad=("pk_test_abc", "nope")),
    "STRIPE_WEBHOOK_SECRET": Case("whsec_abc", "whsec_abc", bad=("abc",)),
    "STRIPE_API_BASE_URL": Case("http://localhost:8420", "http://localhost:8420", bad=("localhost:8420",)),
    "PAYMENT_PROVIDER": Case("Paystack", "paystack", bad=("payfast", "card"), env={"PAYSTACK_SECRET_KEY": "sk_test_abc"}),
    "PAYSTACK_SECRET_KEY": Case("sk_live_abc123", "sk_live_abc123", bad=("pk_test_abc", "sk_abc")),
    "PAYSTACK_API_BASE_URL": Case("http://127.0.0.1:9/", "http://127.0.0.1:9", bad=("api.paystack.co",)),
    "PAYMENT_HOLD_MINUTES": Case("30", 30, bad=("0", "1441", "soon")),
    "SMS_RATE_PER_SECOND": Case("2.5", 2.5, bad=("0", "-1", "fast", "nan", "inf")),
    "SMS_SEND_CONCURRENCY": Case("4", 4, bad=("0", "17", "many")),
    "SMS_COST_TWILIO_CENTS": Case("70", 70, bad=("-1", "0.65", "x"), read=cost("twilio")),
    "SMS_COST_AFRICASTALKING_CENTS": Case("0", 0, bad=("-1", "x"), read=cost("africastalking")),
    "SMS_SENDER_NUMBERS": Case("+27825550000, 0825550001", ("+27825550000", "+27825550001"), bad=("+27825550000,not a number!",)),
    "INBOUND_PER_MINUTE": Case("3", 3, bad=("0", "many")),
    "SMS_SESSION_IDLE_SECONDS": Case("600", 600, bad=("0", "half an hour")),
    "LOG_LEVEL": Case("debug", "DEBUG", bad=("loud", "5")),
    "LOG_FORMAT": Case("TEXT", False, bad=("xml",), read=lambda s: s.log_json),
    "OFFER_TIMEOUT_SECONDS": Case("60", 60, bad=("0", "two minutes")),
    "OFFER_MAX_ATTEMPTS": Case("3", 3, bad=("0", "1.5")),
    "DECLINE_COOLOFF_SECONDS": Case("0", 0, bad=("-5", "x")),
    "FREE_CANCEL_MINUTES": Case("0", 0, bad=("-1", "an hour")),
    "CANCEL_FEE_CENTS": Case("2500", 2500, bad=("50.00", "-1")),
    "BOOKING_HORIZON_DAYS": Case("7", 7, bad=("0", "3650")),
    "MAX_OPEN_BOOKINGS": Case("5", 5, bad=("-1", "three")),
    "BOOKING_ATTEMPTS_PER_HOUR": Case("0", 0, bad=("-1", "lots")),
    "SUPPORT_NUMBER": Case("010 500 0000", "+27105000000", bad=("12", "support")),
    "COMMISSION_PERCENT": Case("0", 0, bad=("150", "100", "-1", "15%")),
    "USSD_SERVICE_CODE": Case("*120*1#", "*120*1#", bad=("120", "*120*5372", "*12a#")),
    "DISPATCH_RADIUS_KM": Case("10.5", 10.5, bad=("0", "far", "5000")),
    "PROMETHEUS_MULTIPROC_DIR": Case("/tmp", "/tmp", bad=(A_FILE, "/nonexistent/metrics"), read=lambda s: s.metrics_dir),
}  # fmt: skip


def documented_variables() -> list[str]:
    """The variable names in the first column of the README's configuration table."""
    section = README.read_text().split("\n## Configuration", 1)[1].split("\n## ", 1)[0]
    names: list[str] = []
    for line in section.splitlines():
        cells = line.split("|")
        if line.startswith("|") and len(cells) > 2:
            names += re.findall(r"`([A-Z][A-Z0-9_]+)`", cells[1])
    return names


def variables_read() -> set[str]:
    """Every environment variable core/settings.py reads (the names passed to its readers)."""
    source = (ROOT / "core" / "settings.py").read_text()
    return set(re.findall(r'[a-z_]\(\s*"([A-Z][A-Z0-9_]+)"\s*[,)]', source))


def test_every_documented_variable_has_a_case():
    documented = documented_variables()
    assert len(documented) > 30, "the README configuration table was not found"
    missing = [name for name in documented if name not in CASES]
    assert missing == [], f"add a line to CASES for {missing}"
    assert sorted(CASES) == sorted(set(documented)), "CASES has variables the README lacks"


def test_every_variable_read_is_documented():
    assert variables_read() - set(documented_variables()) == set()


def _read(name: str, settings: Settings) -> Any:
    case = CASES[name]
    return case.read(settings) if case.read else getattr(settings, name.lower())


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_good_value_is_accepted(name):
    case = CASES[name]
    settings = Settings.from_env({**case.env, name: case.good})
    assert _read(name, settings) == case.becomes


@pytest.mark.parametrize(
    "name, value", [(name, value) for name in sorted(CASES) for value in CASES[name].bad]
)
def test_a_bad_value_stops_start_up_with_one_line_naming_it(name, value):
    with pytest.raises(ConfigError) as caught:
        Settings.from_env({**CASES[name].env, name: value})
    message = str(caught.value)
    assert message.startswith(f"{name}: "), message
    assert "\n" not in message and len(message) < 200, message


@pytest.mark.parametrize("name", sorted(CASES))
def test_only_opaque_text_has_no_bad_value(name):
    case = CASES[name]
    assert bool(case.bad) != case.opaque, f"{name}: give bad values, or mark it opaque"
