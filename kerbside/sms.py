"""`kerbside sms`: a phone texting a running platform from the terminal.

The message goes in through the platform's own inbound webhook, shaped and authenticated as the
configured provider would send it: Twilio's form fields and `X-Twilio-Signature` (computed over
`PUBLIC_BASE_URL` + path, as Twilio signs the URL it was given) when `SMS_PROVIDER` is twilio or
console; Africa's Talking's form fields and `?token=` when it is africastalking. The replies are
read back from the outbox, where the webhook wrote them in its own transaction.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlencode

from twilio.request_validator import RequestValidator

from core.settings import Settings

TWILIO_PATH = "/webhooks/twilio/sms"
AT_PATH = "/webhooks/africastalking/sms"
# Who the message is addressed to when no sender number is configured (a development platform).
CONSOLE_NUMBER = "+27000000000"
AT_SHORTCODE = "40404"


@dataclass(frozen=True)
class WebhookRequest:
    path: str  # with its query string, if any
    form: dict[str, str]
    headers: dict[str, str] = field(default_factory=dict)


def inbound_request(settings: Settings, sender: str, text: str) -> WebhookRequest:
    """The request the configured provider would make for an SMS from `sender` (E.164)."""
    if settings.sms_provider == "africastalking":
        return _africastalking(settings, sender, text)
    return _twilio(settings, sender, text)


def _twilio(settings: Settings, sender: str, text: str) -> WebhookRequest:
    sid = "SM" + uuid.uuid4().hex
    form = {
        "MessageSid": sid,
        "SmsSid": sid,
        "AccountSid": settings.twilio_account_sid or "AC" + "0" * 32,
        "From": sender,
        "To": settings.twilio_from_number or CONSOLE_NUMBER,
        "Body": text,
        "NumMedia": "0",
        "NumSegments": "1",
        "ApiVersion": "2010-04-01",
    }
    headers = {}
    if settings.twilio_auth_token:
        url = settings.public_base_url + TWILIO_PATH
        signature = RequestValidator(settings.twilio_auth_token).compute_signature(url, form)
        headers["X-Twilio-Signature"] = signature
    return WebhookRequest(TWILIO_PATH, form, headers)


def _africastalking(settings: Settings, sender: str, text: str) -> WebhookRequest:
    path = AT_PATH
    if settings.at_webhook_token:
        path += "?" + urlencode({"token": settings.at_webhook_token})
    form = {
        "from": sender,
        "to": settings.at_sender_id or AT_SHORTCODE,
        "text": text,
        "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "id": str(uuid.uuid4()),
        "linkId": "",
    }
    return WebhookRequest(path, form)


def wait_for_replies(
    read_after: Callable[[], list[str]],
    wait_seconds: float,
    settle_seconds: float = 0.3,
    poll_seconds: float = 0.2,
) -> list[str]:
    """Poll until something arrives (then once more, for anything written just after) or until
    `wait_seconds` pass. `read_after` returns the texts sent since the message, oldest first."""
    deadline = time.monotonic() + wait_seconds
    while True:
        replies = read_after()
        if replies:
            time.sleep(settle_seconds)
            return read_after()
        if time.monotonic() >= deadline:
            return []
        time.sleep(poll_seconds)
