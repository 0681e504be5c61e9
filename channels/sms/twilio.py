"""Twilio SMS gateway (SmsGateway port) through the official `twilio` SDK.

`TWILIO_API_BASE_URL` redirects the SDK (tests and staging point it at a local server speaking
Twilio's API): the SDK builds every URL from `client.api.base_url`.
"""

from __future__ import annotations

import logging

import requests
import requests.adapters
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from core.outbox.model import MessageStatus
from core.outbox.ports import Accepted, GatewayError
from core.settings import Settings

from .unreachable import unreachable

logging.getLogger("twilio.http_client").setLevel(logging.WARNING)  # it logs every request

STATUS_CALLBACK_PATH = "/webhooks/twilio/status"

# Twilio MessageStatus -> our status. "sending" is still inside Twilio, so it counts as queued.
TWILIO_STATUS: dict[str, MessageStatus] = {
    "accepted": MessageStatus.QUEUED,
    "scheduled": MessageStatus.QUEUED,
    "queued": MessageStatus.QUEUED,
    "sending": MessageStatus.QUEUED,
    "sent": MessageStatus.SENT,
    "delivered": MessageStatus.DELIVERED,
    "read": MessageStatus.DELIVERED,
    "receiving": MessageStatus.QUEUED,
    "received": MessageStatus.DELIVERED,
    "undelivered": MessageStatus.UNDELIVERED,
    "failed": MessageStatus.FAILED,
    "canceled": MessageStatus.FAILED,
}

OPTED_OUT_CODES = frozenset({21610})  # "Attempt to send to unsubscribed recipient"
# Errors another try cannot fix: bad or unreachable number, not permitted, blocked content.
PERMANENT_CODES = frozenset({21211, 21212, 21408, 21612, 21614, 21617, 21635, 30003, 30005, 30006})


def _pooled_http_client(settings: Settings, timeout: float) -> TwilioHttpClient:
    """One keep-alive connection per concurrent send (the SDK's default pool holds cpu+4), and
    proxies and CA bundle resolved from the environment once: requests otherwise re-reads the
    whole environment and ~/.netrc on every message, a third of a send's CPU."""
    base = settings.twilio_api_base_url or "https://api.twilio.com"
    probe = requests.Session()
    resolved = probe.merge_environment_settings(base, {}, None, None, None)
    probe.close()
    client = TwilioHttpClient(timeout=timeout, proxy=resolved["proxies"] or None)
    assert client.session is not None
    client.session.trust_env = False
    client.session.verify = resolved["verify"]
    adapter = requests.adapters.HTTPAdapter(pool_maxsize=max(settings.sms_send_concurrency, 4))
    client.session.mount("https://", adapter)
    client.session.mount("http://", adapter)
    return client


class TwilioGateway:
    name = "twilio"

    def __init__(self, settings: Settings, timeout: float = 10.0) -> None:
        if not (settings.twilio_account_sid and settings.twilio_auth_token):
            raise GatewayError("twilio credentials are not set", permanent=True)
        self._from = settings.twilio_from_number
        self._callback = settings.public_base_url + STATUS_CALLBACK_PATH
        self.client = Client(
            settings.twilio_account_sid,
            settings.twilio_auth_token,
            http_client=_pooled_http_client(settings, timeout),
        )
        if settings.twilio_api_base_url:
            self.client.api.base_url = settings.twilio_api_base_url.rstrip("/")

    def send(self, to: str, body: str, idempotency_key: str) -> Accepted:
        """Twilio takes no idempotency key for sends; the relay's lease narrows duplicates."""
        try:
            message = self.client.messages.create(
                to=to, from_=self._from, body=body, status_callback=self._callback
            )
        except TwilioRestException as err:
            code = err.code if isinstance(err.code, int) else None
            raise GatewayError(
                f"twilio {err.status} {code}: {err.msg}"[:300],
                code=str(code or err.status),
                permanent=(code in PERMANENT_CODES)
                or (400 <= err.status < 500 and err.status != 429),
                opted_out=code in OPTED_OUT_CODES,
            ) from None
        except requests.RequestException as err:
            raise unreachable("twilio", err) from None
        status = TWILIO_STATUS.get(message.status or "queued", MessageStatus.QUEUED)
        if status in (MessageStatus.FAILED, MessageStatus.UNDELIVERED):
            status = MessageStatus.QUEUED  # a final status comes with the status callback
        return Accepted(provider_message_id=str(message.sid), status=str(status))
