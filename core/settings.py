"""The one place that reads the environment.

Every setting has a safe embedded default, so a fresh machine runs with none set. A bad value
raises `ConfigError` whose message is one line naming the setting; the CLI prints it and exits.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers

SMS_PROVIDERS = ("console", "twilio", "africastalking")
PAYMENT_PROVIDERS = ("none", "paystack", "stripe")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LOG_FORMATS = ("json", "text")
MIN_SECRET_LENGTH = 16
# (pattern, what it should look like) for settings whose shape is known
SHAPES: dict[str, tuple[str, str]] = {
    "TWILIO_ACCOUNT_SID": (r"AC[0-9a-fA-F]{32}", "AC followed by 32 hexadecimal digits"),
    "AT_WEBHOOK_TOKEN": (
        r"[A-Za-z0-9._~-]+",
        "only letters, digits and . _ ~ - (it goes in a URL)",
    ),
    "STRIPE_SECRET_KEY": (r"(sk|rk)_\w+", "a secret key, sk_... or rk_..."),
    "STRIPE_WEBHOOK_SECRET": (r"whsec_\S+", "a webhook signing secret, whsec_..."),
    "PAYSTACK_SECRET_KEY": (r"sk_(test|live)_\w+", "a secret key, sk_test_... or sk_live_..."),
    "USSD_SERVICE_CODE": (r"\*\d+(\*\d+)*#", "a service code such as *120*5372#"),
}
MAX_SEND_CONCURRENCY = 16  # the engine's pool is 10 + 20 overflow; a console send holds two


class ConfigError(Exception):
    """A setting is missing or malformed. `str(err)` is one line that names the setting."""


@dataclass(frozen=True)
class Settings:
    database_url: str | None = None  # None: start the embedded PostgreSQL under var_dir
    redis_url: str | None = None  # None: start the embedded Redis under var_dir
    var_dir: Path = Path("var")
    public_base_url: str = "http://127.0.0.1:8000"
    default_region: str = "ZA"
    timezone: str = "Africa/Johannesburg"
    log_level: str = "INFO"
    log_json: bool = True
    metrics_dir: str | None = None
    # Keys the digests kept of USSD inputs. Required with a real gateway; a development platform
    # gets one generated under var/ (kerbside.embedded.local_secret).
    secret_key: str | None = None  # PROMETHEUS_MULTIPROC_DIR: add up all gunicorn workers

    sms_provider: str = "console"
    sms_fallback_provider: str | None = None
    sms_rate_per_second: float = 30.0
    sms_send_concurrency: int = 8  # SMS sends in flight per relay process (a thread each)
    sms_cost_cents: Mapping[str, int] = field(
        default_factory=lambda: {"console": 0, "twilio": 65, "africastalking": 25}
    )
    sms_sender_numbers: tuple[str, ...] = ()
    inbound_per_minute: int = 10

    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = None
    twilio_from_number: str | None = None
    twilio_api_base_url: str | None = None  # tests and staging point the SDK elsewhere

    at_username: str = "sandbox"
    at_api_key: str | None = None
    at_sender_id: str | None = None
    at_api_base_url: str | None = None
    at_webhook_token: str | None = None

    stripe_secret_key: str | None = None
    stripe_webhook_secret: str | None = None
    stripe_api_base_url: str | None = None
    # Who takes card payments: none (cash only: a development platform needs no keys), paystack
    # or stripe. Cash is always there.
    payment_provider: str = "none"
    paystack_secret_key: str | None = None  # also the key Paystack signs its webhooks with
    paystack_api_base_url: str = "https://api.paystack.co"
    payment_hold_minutes: int = 15  # how long a card link holds the booking before it lapses

    ussd_service_code: str = "*120*5372#"
    ussd_session_idle_seconds: int = 180
    sms_session_idle_seconds: int = 1800

    offer_timeout_seconds: int = 120
    offer_max_attempts: int = 5
    decline_cooloff_seconds: int = 900
    dispatch_radius_km: float = 25.0
    dispatch_candidates: int = 20
    dispatch_weights: Mapping[str, float] = field(
        default_factory=lambda: {
            "distance": 0.40,
            "load": 0.20,
            "expertise": 0.20,
            "acceptance": 0.10,
            "fairness": 0.10,
        }
    )
    free_cancel_minutes: int = 60
    cancel_fee_cents: int = 5000
    booking_horizon_days: int = 30
    max_open_bookings: int = 3  # open unpaid bookings per consumer; 0 = no limit
    booking_attempts_per_hour: int = 10  # booking requests per number per hour; 0 = no limit
    commission_percent: int = 15  # platform commission on a job's price; operator gets the rest
    slot_minutes: int = 30  # the availability grid

    pin_max_attempts: int = 5
    pin_lock_minutes: int = 15
    # Whom an operator calls about a forgotten or locked PIN (E.164; shown in national format).
    support_number: str = "+27105005372"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def secret_bytes(self) -> bytes:
        if not self.secret_key:
            raise ConfigError("SECRET_KEY: not set")
        return self.secret_key.encode()

    @property
    def webhooks_may_be_unauthenticated(self) -> bool:
        """Only on a development platform (console SMS gateway, no real provider) may a webhook
        whose secret is unset be accepted; anywhere else it is refused (403)."""
        return self.sms_provider == "console" and self.sms_fallback_provider is None

    @property
    def embedded(self) -> bool:
        return self.database_url is None or self.redis_url is None

    def replace(self, **changes: Any) -> Settings:
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(changes)
        return Settings(**values)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        def number(
            name: str,
            default: float,
            kind: type = int,
            *,
            low: float = 0,
            high: float | None = None,
        ) -> Any:
            raw = get(name)
            if raw is None:
                return default
            try:
                value = kind(raw)
            except ValueError:
                what = "a whole number" if kind is int else "a number"
                raise ConfigError(f"{name}: expected {what}, got {raw!r}") from None
            if not math.isfinite(value) or value < low or (high is not None and value > high):
                if high is not None:
                    limits = f"between {low} and {high}"
                else:
                    limits = "not negative" if low == 0 else f"at least {low}"
                raise ConfigError(f"{name}: must be {limits}, got {raw!r}")
            return value

        def phone(name: str, default: str) -> str:
            from core.phones import is_valid_number

            raw = get(name)
            if raw is None:
                return default
            region = (get("DEFAULT_REGION") or "ZA").upper()
            valid = is_valid_number(raw, region)
            if valid is None:
                raise ConfigError(f"{name}: expected a phone number such as 010 500 5372")
            return valid

        def one_of(name: str, default: str, allowed: tuple[str, ...]) -> str:
            value = get(name) or default
            if value.upper() not in (choice.upper() for choice in allowed):
                raise ConfigError(
                    f"{name}: unknown value {value!r}; expected one of {', '.join(allowed)}"
                )
            return value

        def shaped(name: str) -> str | None:
            value = get(name)
            pattern, looks = SHAPES[name]
            if value is not None and not re.fullmatch(pattern, value):
                raise ConfigError(f"{name}: expected {looks}")
            return value

        def web_url(name: str) -> str | None:
            value = get(name)
            return None if value is None else check_web_url(name, value)

        def provider(name: str, default: str | None) -> str | None:
            value = (get(name) or default or "").lower() or None
            if value is not None and value not in SMS_PROVIDERS:
                raise ConfigError(
                    f"{name}: unknown provider {value!r}; "
                    f"expected one of {', '.join(SMS_PROVIDERS)}"
                )
            return value

        database_url = get("DATABASE_URL")
        if database_url is not None:
            database_url = normalise_database_url(database_url)
        redis_url = get("REDIS_URL")
        if redis_url is not None and not re.match(r"^(redis|rediss|unix)://", redis_url):
            raise ConfigError(
                "REDIS_URL: expected redis://host:port/db, rediss:// or unix:///path/to.socket"
            )
        tz_name = get("TIMEZONE") or "Africa/Johannesburg"
        try:
            ZoneInfo(tz_name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(f"TIMEZONE: unknown time zone {tz_name!r}") from None

        sms_provider = provider("SMS_PROVIDER", "console")
        fallback = provider("SMS_FALLBACK_PROVIDER", None)
        if fallback == sms_provider:
            fallback = None
        for chosen in (sms_provider, fallback):
            if chosen == "twilio" and not (get("TWILIO_ACCOUNT_SID") and get("TWILIO_AUTH_TOKEN")):
                raise ConfigError(
                    "TWILIO_ACCOUNT_SID: twilio is chosen as an SMS provider but "
                    "TWILIO_ACCOUNT_SID/TWILIO_AUTH_TOKEN are not set"
                )
            if chosen == "africastalking" and not get("AT_API_KEY"):
                raise ConfigError(
                    "AT_API_KEY: africastalking is chosen as an SMS provider "
                    "but AT_API_KEY is not set"
                )
            if chosen == "africastalking" and not get("AT_WEBHOOK_TOKEN"):
                raise ConfigError(
                    "AT_WEBHOOK_TOKEN: africastalking is chosen as an SMS provider; its callbacks "
                    "are unsigned, so set a secret token and put ?token=... in the callback URLs"
                )

        payment_provider = one_of("PAYMENT_PROVIDER", "none", PAYMENT_PROVIDERS).lower()
        needs = {
            "paystack": ("PAYSTACK_SECRET_KEY",),
            "stripe": ("STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"),
        }.get(payment_provider, ())
        for name in needs:
            if not get(name):
                raise ConfigError(
                    f"{name}: PAYMENT_PROVIDER is {payment_provider} but {name} is not set"
                )

        real_gateway = any(chosen not in (None, "console") for chosen in (sms_provider, fallback))
        if real_gateway and not get("SECRET_KEY"):
            raise ConfigError(
                "SECRET_KEY: a real SMS gateway is configured; set a long random secret "
                "(it keys the digests kept of USSD input, PINs included)"
            )
        secret_key = get("SECRET_KEY")
        if secret_key is not None and len(secret_key) < MIN_SECRET_LENGTH:
            raise ConfigError(
                f"SECRET_KEY: too short; use at least {MIN_SECRET_LENGTH} random characters"
            )
        region = (get("DEFAULT_REGION") or "ZA").upper()
        if not phonenumbers.country_code_for_region(region):
            raise ConfigError(f"DEFAULT_REGION: unknown region {region!r}; expected e.g. ZA")
        level = one_of("LOG_LEVEL", "INFO", LOG_LEVELS + ("WARN",)).upper()
        var_dir = Path(get("KERBSIDE_VAR_DIR") or "var")
        if database_url is None or redis_url is None or secret_key is None:
            check_dir_can_be_made("KERBSIDE_VAR_DIR", var_dir)
        metrics_dir = get("PROMETHEUS_MULTIPROC_DIR")
        if metrics_dir is not None and not Path(metrics_dir).is_dir():
            raise ConfigError(f"PROMETHEUS_MULTIPROC_DIR: {metrics_dir} is not a directory")
        send_concurrency = number("SMS_SEND_CONCURRENCY", 8)
        if not 1 <= send_concurrency <= MAX_SEND_CONCURRENCY:
            raise ConfigError(
                f"SMS_SEND_CONCURRENCY: expected 1 to {MAX_SEND_CONCURRENCY} (each send in "
                f"flight holds a database connection), got {send_concurrency}"
            )
        senders = tuple(
            sender_id("SMS_SENDER_NUMBERS", s.strip(), region)
            for s in (get("SMS_SENDER_NUMBERS") or "").split(",")
            if s.strip()
        )
        defaults = cls()
        return cls(
            database_url=database_url,
            redis_url=redis_url,
            var_dir=var_dir,
            public_base_url=web_url("PUBLIC_BASE_URL") or defaults.public_base_url,
            default_region=region,
            timezone=tz_name,
            log_level="WARNING" if level == "WARN" else level,
            log_json=one_of("LOG_FORMAT", "json", LOG_FORMATS).lower() == "json",
            metrics_dir=metrics_dir,
            secret_key=secret_key,
            sms_provider=sms_provider or "console",
            sms_fallback_provider=fallback,
            sms_rate_per_second=number("SMS_RATE_PER_SECOND", 30.0, float, low=0.1),
            sms_send_concurrency=send_concurrency,
            sms_sender_numbers=senders,
            inbound_per_minute=number("INBOUND_PER_MINUTE", 10, low=1),
            twilio_account_sid=shaped("TWILIO_ACCOUNT_SID"),
            twilio_auth_token=get("TWILIO_AUTH_TOKEN"),
            twilio_from_number=optional_sender_id("TWILIO_FROM_NUMBER", get, region),
            twilio_api_base_url=web_url("TWILIO_API_BASE_URL"),
            at_username=get("AT_USERNAME") or "sandbox",
            at_api_key=get("AT_API_KEY"),
            at_sender_id=optional_sender_id("AT_SENDER_ID", get, region),
            at_api_base_url=web_url("AT_API_BASE_URL"),
            at_webhook_token=shaped("AT_WEBHOOK_TOKEN"),
            stripe_secret_key=shaped("STRIPE_SECRET_KEY"),
            stripe_webhook_secret=shaped("STRIPE_WEBHOOK_SECRET"),
            stripe_api_base_url=web_url("STRIPE_API_BASE_URL"),
            payment_provider=payment_provider,
            paystack_secret_key=shaped("PAYSTACK_SECRET_KEY"),
            paystack_api_base_url=web_url("PAYSTACK_API_BASE_URL")
            or defaults.paystack_api_base_url,
            payment_hold_minutes=number("PAYMENT_HOLD_MINUTES", 15, low=1, high=1440),
            ussd_service_code=shaped("USSD_SERVICE_CODE") or defaults.ussd_service_code,
            offer_timeout_seconds=number("OFFER_TIMEOUT_SECONDS", 120, low=10),
            offer_max_attempts=number("OFFER_MAX_ATTEMPTS", 5, low=1),
            decline_cooloff_seconds=number("DECLINE_COOLOFF_SECONDS", 900),
            dispatch_radius_km=number("DISPATCH_RADIUS_KM", 25.0, float, low=0.1, high=500),
            free_cancel_minutes=number("FREE_CANCEL_MINUTES", 60),
            cancel_fee_cents=number("CANCEL_FEE_CENTS", 5000),
            booking_horizon_days=number("BOOKING_HORIZON_DAYS", 30, low=1, high=365),
            max_open_bookings=number("MAX_OPEN_BOOKINGS", 3),
            booking_attempts_per_hour=number("BOOKING_ATTEMPTS_PER_HOUR", 10),
            # 100% would leave the operator nothing for the job: surely a typo
            commission_percent=number("COMMISSION_PERCENT", 15, high=99),
            sms_session_idle_seconds=number("SMS_SESSION_IDLE_SECONDS", 1800, low=60),
            support_number=phone("SUPPORT_NUMBER", defaults.support_number),
            sms_cost_cents={
                "console": 0,
                "twilio": number("SMS_COST_TWILIO_CENTS", 65),
                "africastalking": number("SMS_COST_AFRICASTALKING_CENTS", 25),
            },
        )


SENDER_NAME = re.compile(r"(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}|\d{3,8}")


def sender_id(name: str, raw: str, region: str) -> str:
    """One of our own sender numbers: a phone number (kept in E.164, as inbound numbers are),
    a 3-8 digit short code, or an alphanumeric sender name of up to 11 characters."""
    from core.phones import InvalidPhoneError, to_e164

    compact = raw.replace(" ", "")
    if compact.startswith("+") or (compact.isdigit() and len(compact) > 8):
        try:
            return to_e164(raw, region)
        except InvalidPhoneError:
            pass
    elif SENDER_NAME.fullmatch(raw):
        return raw
    raise ConfigError(
        f"{name}: expected a phone number (+27...), a 3-8 digit short code or a sender name "
        "of up to 11 letters and digits"
    )


def optional_sender_id(name: str, get: Any, region: str) -> str | None:
    raw = get(name)
    return None if raw is None else sender_id(name, raw, region)


def check_web_url(name: str, url: str) -> str:
    """An http(s) URL with a host and no query: the base that paths are appended to."""
    parts = urlsplit(url)
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        parts = parts._replace(netloc="")
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
        raise ConfigError(
            f"{name}: expected http(s)://host[:port][/path] with no query, got {mask_url(url)!r}"
        )
    return url.rstrip("/")


def check_dir_can_be_made(name: str, path: Path) -> None:
    """Refuse a directory that cannot exist or be written, before anything tries to use it."""
    existing = path
    while not existing.exists() and existing.parent != existing:
        existing = existing.parent
    if not existing.is_dir():
        raise ConfigError(f"{name}: {path} cannot be a directory ({existing} is a file)")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ConfigError(f"{name}: cannot write to {existing} (permission denied)")


def normalise_database_url(url: str) -> str:
    """Accept postgres://, postgresql:// and postgresql+psycopg://; always use psycopg 3."""
    match = re.match(r"^(postgres|postgresql)(\+[a-z0-9]+)?://(.*)$", url)
    if not match or not match.group(3):
        raise ConfigError(
            "DATABASE_URL: expected postgresql://user@host:port/dbname "
            f"(PostgreSQL is the only engine), got {mask_url(url)!r}"
        )
    return f"postgresql+psycopg://{match.group(3)}"


def mask_url(url: str) -> str:
    """Hide a password in a URL so that it can be shown in an error."""
    return re.sub(r"(://[^:/@]+:)[^@]*@", r"\1***@", url)
