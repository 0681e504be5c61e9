"""SMS webhooks: Twilio and Africa's Talking inbound messages and delivery reports.

Thin: authenticate, parse, hand to `inbound.receive_sms` / `record_delivery_report`, answer.
Inbound messages are answered with an empty TwiML `<Response/>` (Twilio) or an empty 200
(Africa's Talking); the reply itself goes through the outbox. A bad or missing signature/token
gets 403 and changes nothing. While the database is down every webhook answers a plain 503
(channels/outage.py).
"""

from __future__ import annotations

import logging
from functools import partial

from flask import Blueprint, Flask, Response, request
from twilio.request_validator import RequestValidator

from channels.africastalking_auth import token_ok
from channels.outage import answer_outages, plain_text
from channels.platform import PlatformPort
from core.outbox.model import MessageStatus
from core.outbox.reports import record_delivery_report

from .africastalking import AT_STATUS, OPTED_OUT_FAILURES
from .guard import InboundGuard
from .inbound import InboundSms, StoredResponse, receive_sms
from .twilio import OPTED_OUT_CODES, TWILIO_STATUS

log = logging.getLogger(__name__)

EMPTY_TWIML = StoredResponse(200, "text/xml", '<?xml version="1.0" encoding="UTF-8"?><Response/>')
EMPTY_OK = StoredResponse(200, "text/plain", "")


def _answer(stored: StoredResponse) -> Response:
    return Response(stored.body, status=stored.status, content_type=stored.content_type)


def twilio_signature_ok(platform: PlatformPort) -> bool:
    token = platform.settings.twilio_auth_token
    if not token:
        return platform.settings.webhooks_may_be_unauthenticated
    url = platform.settings.public_base_url + request.path
    if request.query_string:
        url += "?" + request.query_string.decode("latin-1")
    signature = request.headers.get("X-Twilio-Signature", "")
    params = request.form.to_dict(flat=True)
    return bool(signature) and RequestValidator(token).validate(url, params, signature)


def _guard(platform: PlatformPort) -> InboundGuard:
    return InboundGuard(platform.counter, platform.settings)


def twilio_inbound(platform: PlatformPort) -> Response:
    if not twilio_signature_ok(platform):
        return plain_text(403, "forbidden: bad or missing X-Twilio-Signature")
    sid, sender = request.form.get("MessageSid"), request.form.get("From")
    if not sid or not sender:
        return plain_text(400, "missing MessageSid or From")
    message = InboundSms(
        "twilio",
        sid,
        sender,
        request.form.get("To", ""),
        request.form.get("Body", ""),
        opt_out_type=(request.form.get("OptOutType") or "").upper() or None,
    )
    return _answer(receive_sms(platform.uow(), _guard(platform), message, EMPTY_TWIML).response)


def twilio_status(platform: PlatformPort) -> Response:
    if not twilio_signature_ok(platform):
        return plain_text(403, "forbidden: bad or missing X-Twilio-Signature")
    sid, raw_status = request.form.get("MessageSid"), request.form.get("MessageStatus", "")
    if not sid:
        return plain_text(400, "missing MessageSid")
    status = TWILIO_STATUS.get(raw_status.lower())
    if status is None:
        return plain_text(200, f"ignored: unknown status {raw_status[:20]!r}")
    error = request.form.get("ErrorCode") or None
    opted_out = error is not None and error.isdigit() and int(error) in OPTED_OUT_CODES
    return _report(platform, "twilio", sid, status, error, opted_out)


def africastalking_inbound(platform: PlatformPort) -> Response:
    if not token_ok(platform.settings, request):
        return plain_text(403, "forbidden: bad or missing token")
    message_id, sender = request.form.get("id"), request.form.get("from")
    if not message_id or not sender:
        return plain_text(400, "missing id or from")
    message = InboundSms(
        "africastalking", message_id, sender, request.form.get("to", ""),
        request.form.get("text", ""),
    )  # fmt: skip
    return _answer(receive_sms(platform.uow(), _guard(platform), message, EMPTY_OK).response)


def africastalking_delivery(platform: PlatformPort) -> Response:
    if not token_ok(platform.settings, request):
        return plain_text(403, "forbidden: bad or missing token")
    message_id, raw_status = request.form.get("id"), request.form.get("status", "")
    if not message_id:
        return plain_text(400, "missing id")
    status = AT_STATUS.get(raw_status)
    if status is None:
        return plain_text(200, f"ignored: unknown status {raw_status[:20]!r}")
    reason = request.form.get("failureReason") or None
    return _report(
        platform, "africastalking", message_id, status, reason, reason in OPTED_OUT_FAILURES
    )


def _report(
    platform: PlatformPort,
    provider: str,
    provider_id: str,
    status: MessageStatus,
    error: str | None,
    opted_out: bool,
) -> Response:
    uow = platform.uow()
    with uow:
        outcome = record_delivery_report(
            uow, provider, provider_id, status, error_code=error, opted_out=opted_out
        )
        uow.commit()
    if outcome == "unknown":
        log.info("delivery report for an unknown %s message", provider)
        return plain_text(200, "ignored: unknown message")
    return plain_text(200, str(outcome))


ROUTES = (
    ("/webhooks/twilio/sms", twilio_inbound),
    ("/webhooks/twilio/status", twilio_status),
    ("/webhooks/africastalking/sms", africastalking_inbound),
    ("/webhooks/africastalking/sms/delivery", africastalking_delivery),
)


def blueprint(platform: PlatformPort) -> Blueprint:
    """The SMS webhooks of one platform (each view gets it as its first argument)."""
    sms = Blueprint("sms", __name__)
    answer_outages(sms)  # a plain 503 while the database is down: providers retry
    for rule, view in ROUTES:
        sms.add_url_rule(rule, view.__name__, partial(view, platform), methods=["POST"])
    return sms


def init_app(app: Flask, platform: PlatformPort) -> None:
    app.register_blueprint(blueprint(platform))
