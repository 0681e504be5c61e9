"""Helpers for SMS end-to-end tests: signed provider requests in, messages out via the fakes."""

from __future__ import annotations

import itertools
from typing import Any

from twilio.request_validator import RequestValidator

from tests.fakes.fixtures import AT_TOKEN, TWILIO_FROM, TWILIO_SID, TWILIO_TOKEN
from workers.jobs import deliver_outbox

PUBLIC = "https://kerbside.example"
_sids = itertools.count(1)


def twilio_sign(path: str, params: dict[str, str], token: str = TWILIO_TOKEN) -> str:
    return RequestValidator(token).compute_signature(PUBLIC + path, params)


def twilio_post(client: Any, path: str, params: dict[str, str], signature: str | None = None):
    headers = {"X-Twilio-Signature": signature if signature is not None
               else twilio_sign(path, params)}  # fmt: skip
    return client.post(path, data=params, headers=headers)


def twilio_sms(client: Any, sender: str, body: str, sid: str | None = None):
    params = {
        "MessageSid": sid or f"SM{next(_sids):032x}",
        "AccountSid": TWILIO_SID,
        "From": sender,
        "To": TWILIO_FROM,
        "Body": body,
        "NumMedia": "0",
        "NumSegments": "1",
    }
    return twilio_post(client, "/webhooks/twilio/sms", params)


def at_sms(
    client: Any, sender: str, text: str, message_id: str | None = None, token: str | None = AT_TOKEN
):
    query = f"?token={token}" if token is not None else ""
    return client.post(
        "/webhooks/africastalking/sms" + query,
        data={
            "from": sender,
            "to": "40404",
            "text": text,
            "date": "2026-11-25 10:00:00",
            "id": message_id or f"at-{next(_sids)}",
            "linkId": "",
        },
    )


class Phones:
    """Relays the outbox to the fake providers and reads what each phone received."""

    def __init__(self, platform: Any, *fakes: Any) -> None:
        self.platform, self.fakes = platform, fakes
        self.seen: dict[str, int] = {}

    def relay(self) -> int:
        return deliver_outbox(self.platform)

    def inbox(self, phone: str) -> list[str]:
        self.relay()
        return [r.body for fake in self.fakes for r in fake.received if r.to == phone]

    def new(self, phone: str) -> list[str]:
        """Messages this phone received since the last call."""
        messages = self.inbox(phone)
        start = self.seen.get(phone, 0)
        self.seen[phone] = len(messages)
        return messages[start:]
