"""The shared secret on Africa's Talking callbacks (architecture.md 10).

Africa's Talking signs nothing, so the callback URLs carry `?token=<AT_WEBHOOK_TOKEN>`. When the
setting is set, a callback without the right token is refused with 403; USSD and SMS both use
this."""

from __future__ import annotations

import hmac

from flask import Request

from core.settings import Settings


def token_ok(settings: Settings, request: Request) -> bool:
    expected = settings.at_webhook_token
    if not expected:
        return settings.webhooks_may_be_unauthenticated
    given = request.args.get("token", "")
    return hmac.compare_digest(given.encode(), expected.encode())
