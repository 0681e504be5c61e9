"""Build the configured SMS gateways (primary first, then the optional fallback)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from core.outbox.ports import SmsGateway
from core.settings import ConfigError, Settings

from .console import ConsoleGateway


def build_gateway(
    name: str, settings: Settings, session_factory: Callable[[], Session]
) -> SmsGateway:
    if name == "console":
        return ConsoleGateway(session_factory)
    raise ConfigError(f"SMS_PROVIDER: provider {name!r} is not available in this build")


def build_gateways(settings: Settings, session_factory: Callable[[], Session]) -> list[SmsGateway]:
    names = [settings.sms_provider]
    if settings.sms_fallback_provider:
        names.append(settings.sms_fallback_provider)
    return [build_gateway(name, settings, session_factory) for name in names]
