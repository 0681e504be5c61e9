"""Build the configured SMS gateways (primary first, then the optional fallback).

Real providers are wrapped in a Redis token bucket (`SMS_RATE_PER_SECOND` per provider, shared by
every relay process) when a Redis client is given; the console gateway is not limited.
"""

from __future__ import annotations

from collections.abc import Callable

import redis
from sqlalchemy.orm import Session

from core.outbox.ports import SmsGateway
from core.settings import ConfigError, Settings

from .console import ConsoleGateway
from .ratelimit import RateLimitedGateway, TokenBucket


def build_gateway(
    name: str,
    settings: Settings,
    session_factory: Callable[[], Session],
    client: redis.Redis | None = None,
) -> SmsGateway:
    gateway: SmsGateway
    if name == "console":
        return ConsoleGateway(session_factory)
    if name == "twilio":
        from .twilio import TwilioGateway

        gateway = TwilioGateway(settings)
    elif name == "africastalking":
        from .africastalking import AfricasTalkingGateway

        gateway = AfricasTalkingGateway(settings)
    else:
        raise ConfigError(f"SMS_PROVIDER: provider {name!r} is not available in this build")
    if client is not None and settings.sms_rate_per_second > 0:
        bucket = TokenBucket(client, f"sms:rate:{name}", settings.sms_rate_per_second)
        return RateLimitedGateway(gateway, bucket)
    return gateway


def build_gateways(
    settings: Settings,
    session_factory: Callable[[], Session],
    client: redis.Redis | None = None,
) -> list[SmsGateway]:
    names = [settings.sms_provider]
    if settings.sms_fallback_provider:
        names.append(settings.sms_fallback_provider)
    return [build_gateway(name, settings, session_factory, client) for name in names]
