"""Africa's Talking USSD: decode the callback, run one hop through the engine, reply CON/END.

Never an error page: a failure inside becomes a short translated `END` apology, logged without
a stack trace and with the phone masked; while the database is down, an `END` apology and one
line naming the exception (channels/outage.py). Authenticated by `?token=`
(africastalking_auth)."""

from __future__ import annotations

import logging
from functools import partial

from flask import Blueprint, Response, request
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from channels.africastalking_auth import token_ok
from channels.outage import DATABASE_DOWN, answer_outages, log_outage
from channels.platform import PlatformPort
from core.accounts.model import Person
from core.conversation.engine import converse, failure_prompt, warm_up
from core.inbound.text import storable
from core.phones import InvalidPhoneError, mask, to_e164

from .model import UssdSessionEvent
from .render import render

log = logging.getLogger(__name__)


def _reply(text: str) -> Response:
    return Response(text, status=200, mimetype="text/plain")


def _language_of(platform: PlatformPort, phone: str) -> str:
    try:
        with platform.session_factory() as session:
            return session.scalar(select(Person.language).where(Person.phone == phone)) or "en"
    except Exception:  # noqa: BLE001 - the apology must go out whatever failed
        return "en"


def ussd_hop(platform: PlatformPort) -> Response:
    if not token_ok(platform.settings, request):
        return Response("forbidden", status=403, mimetype="text/plain")
    form = request.form
    session_id = (form.get("sessionId") or "")[:120]
    text = form.get("text") or ""
    try:
        phone = to_e164(form.get("phoneNumber") or "", platform.settings.default_region)
    except InvalidPhoneError:
        log.warning("ussd hop without a valid phone number")
        return _reply(render(failure_prompt()))
    if not session_id:
        return _reply(render(failure_prompt()))
    try:
        prompt = converse(platform.uow(), phone, "ussd", session_id, text)
    except DATABASE_DOWN as err:  # no language to look up either: the apology in English
        log_outage("ussd hop", err)
        return _reply(render(failure_prompt()))
    except Exception as err:  # noqa: BLE001 - never an error page to a phone
        log.error("ussd hop failed for %s: %s", mask(phone), type(err).__name__)
        return _reply(render(failure_prompt(_language_of(platform, phone))))
    return _reply(render(prompt))


def ussd_event(platform: PlatformPort) -> Response:
    if not token_ok(platform.settings, request):
        return Response("forbidden", status=403, mimetype="text/plain")
    form = {storable(k): storable(v) for k, v in request.form.items()}  # stored: no NUL
    session_id = (form.get("sessionId") or "")[:120]
    if not session_id:
        return _reply("ignored")
    try:
        phone: str | None = to_e164(form.get("phoneNumber") or "", platform.settings.default_region)
    except InvalidPhoneError:
        phone = None
    duration = form.get("durationInSeconds") or ""
    values = {
        "session_key": session_id,
        "phone": phone,
        "status": (form.get("status") or "unknown")[:32],
        "duration_seconds": int(duration) if duration.isdigit() else None,
        "cost": (form.get("cost") or None),
        "error_message": form.get("errorMessage") or None,
        "raw": {k: v for k, v in form.items() if k != "phoneNumber"},
    }
    with platform.session_factory() as session:
        session.execute(
            insert(UssdSessionEvent)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["session_key"])
        )
        session.commit()
    return _reply("ok")


ROUTES = (
    ("/webhooks/africastalking/ussd", ussd_hop),
    ("/webhooks/africastalking/ussd/events", ussd_event),
)


def blueprint(platform: PlatformPort) -> Blueprint:
    """The USSD callbacks of one platform (each view gets it as its first argument)."""
    ussd = Blueprint("ussd", __name__)
    ussd.record_once(lambda _state: warm_up())
    answer_outages(ussd)  # the session-end notification: a plain 503, the gateway may retry
    for rule, view in ROUTES:
        ussd.add_url_rule(rule, view.__name__, partial(view, platform), methods=["POST"])
    return ussd
