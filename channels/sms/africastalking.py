"""Africa's Talking SMS gateway (SmsGateway port) through the official `africastalking` SDK.

`AT_API_BASE_URL` (e.g. `https://api.africastalking.com`) replaces the SDK service's `_baseUrl`
(the SDK appends `/version1`), which is how tests point it at a local server.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

import requests
from africastalking.Service import AfricasTalkingException
from africastalking.SMS import SMSService

from core.outbox.model import MessageStatus
from core.outbox.ports import Accepted, GatewayError
from core.settings import Settings

from .unreachable import unreachable

# Delivery-report status -> ours. Success, Rejected, Failed and Expired are final.
AT_STATUS: dict[str, MessageStatus] = {
    "Sent": MessageStatus.SENT,
    "Submitted": MessageStatus.SENT,
    "Buffered": MessageStatus.SENT,
    "Success": MessageStatus.DELIVERED,
    "Rejected": MessageStatus.FAILED,
    "Failed": MessageStatus.UNDELIVERED,
    "Expired": MessageStatus.UNDELIVERED,
}

# Per-recipient send statuses (statusCode in the send response).
ACCEPTED_CODES = frozenset({100, 101, 102})  # Processed, Sent, Queued
OPTED_OUT_STATUS = "UserInBlackList"
TRANSIENT_CODES = frozenset(
    {405, 500, 501}
)  # InsufficientBalance, InternalServerError, GatewayError
OPTED_OUT_FAILURES = frozenset({"UserInBlacklist", "UserInBlackList"})  # DLR failureReason


class AfricasTalkingGateway:
    name = "africastalking"

    def __init__(self, settings: Settings, timeout: float = 10.0) -> None:
        if not settings.at_api_key:
            raise GatewayError("africastalking api key is not set", permanent=True)
        self.service = SMSService(settings.at_username, settings.at_api_key)
        if settings.at_api_base_url:
            self.service._baseUrl = settings.at_api_base_url.rstrip("/") + "/version1"
        self._sender = settings.at_sender_id
        self._timeout = (3.05, timeout)

    def send(self, to: str, body: str, idempotency_key: str) -> Accepted:
        try:
            response: Any = self.service.send(
                body, [to], sender_id=self._sender, timeout=self._timeout
            )
        except AfricasTalkingException as err:
            raise GatewayError(f"africastalking refused: {str(err)[:200]}", code="http") from None
        except requests.RequestException as err:
            raise unreachable("africastalking", err) from None
        except ValueError as err:  # the SDK validates the number before sending
            raise GatewayError(str(err)[:200], code="invalid_number", permanent=True) from None
        if isinstance(response, str):  # the SDK returns text unless the type is exactly JSON
            with contextlib.suppress(ValueError):
                response = json.loads(response)
        try:
            recipient = response["SMSMessageData"]["Recipients"][0]
            code, status = int(recipient["statusCode"]), str(recipient["status"])
        except (TypeError, KeyError, IndexError, ValueError):
            message = str(response)[:200] if response else "empty response"
            raise GatewayError(f"africastalking: {message}", code="bad_response") from None
        if code in ACCEPTED_CODES:
            return Accepted(provider_message_id=str(recipient["messageId"]), status="queued")
        raise GatewayError(
            f"africastalking {code} {status}",
            code=status,
            permanent=code not in TRANSIENT_CODES,
            opted_out=status == OPTED_OUT_STATUS,
        )
