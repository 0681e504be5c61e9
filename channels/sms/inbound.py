"""One inbound SMS, from any provider: idempotency, guards, keyword or dialog, reply.

Everything happens in ONE transaction: the idempotency claim (provider, provider id; the core's
inbound service, core/inbound/service.py), the core operation and the reply written to the
outbox. A retried webhook finds the record and gets the
stored answer; nothing runs twice. Replies always go through the outbox (tracked, rate-limited,
failover), never inline in the webhook answer (docs/decisions.md).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace

from channels.outage import DATABASE_DOWN
from core.accounts.consent import find_person
from core.db import UnitOfWork
from core.errors import DomainError
from core.inbound.service import StoredAnswer, claim
from core.inbound.text import has_control_characters, storable
from core.notify.service import send_sms
from core.phones import InvalidPhoneError, mask, to_e164

from . import dialog
from .commands import OPERATOR_KEYWORDS, Reply, Sender, handle_keyword, help_reply, refusal
from .guard import InboundGuard
from .keywords import Keyword, parse

log = logging.getLogger(__name__)

MAX_BODY = 1600  # Twilio's limit; anything longer is not read
DIALOG_INTERRUPTS = frozenset({"stop", "start", "book"})
PROVIDER_OPT_OUT = {"STOP": "stop", "START": "start"}


@dataclass(frozen=True)
class InboundSms:
    provider: str  # "twilio" | "africastalking"
    provider_ref: str  # MessageSid / Africa's Talking id
    sender: str
    recipient: str
    body: str
    opt_out_type: str | None = None  # Twilio Advanced Opt-Out: "STOP" / "START" / "HELP"


StoredResponse = StoredAnswer  # the webhook answer a retry gets again (core/inbound/service.py)


@dataclass(frozen=True)
class Received:
    outcome: str  # what happened, for logs, metrics and tests
    response: StoredResponse
    duplicate: bool = False


is_junk = has_control_characters


def receive_sms(
    uow: UnitOfWork, guard: InboundGuard, message: InboundSms, response: StoredResponse
) -> Received:
    message = replace(message, provider_ref=storable(message.provider_ref))  # kept: no NUL
    with uow:
        stored = claim(uow, f"{message.provider}-sms", message.provider_ref, response)
        if stored is not None:
            return Received("duplicate", stored, duplicate=True)
        outcome = _process(uow, guard, message)
        uow.commit()
    log.info("sms from %s via %s: %s", mask(message.sender), message.provider, outcome)
    return Received(outcome, response)


def _process(uow: UnitOfWork, guard: InboundGuard, message: InboundSms) -> str:
    try:
        phone = to_e164(message.sender, uow.settings.default_region)
    except InvalidPhoneError:
        return "bad_sender"  # nobody to answer (alphanumeric sender ids, junk)
    if guard.is_own_number(phone):
        return "own_number"
    now = uow.now()
    body = message.body or ""
    keyword = UNREADABLE if len(body) > MAX_BODY or is_junk(body) else parse(body)
    if message.opt_out_type in PROVIDER_OPT_OUT:  # the provider already acted on its own words
        keyword = Keyword(PROVIDER_OPT_OUT[message.opt_out_type])
    # STOP and START are always acted on (WASPA): no flood or auto-reply guard holds them back.
    if keyword.name not in OPT_WORDS:
        if guard.over_rate(phone, now):
            return "throttled"
        if guard.looks_automatic(body):
            return "auto_reply"
    person = find_person(uow, phone)
    sender = Sender(phone, person)
    key = f"sms-reply:{message.provider}:{message.provider_ref}"[:200]

    def reply(template: str, params: dict[str, object] | None = None) -> None:
        send_sms(uow, sender.person or phone, template, params or {}, key=key)

    def reply_text(text: str) -> None:
        send_sms(uow, sender.person or phone, "generic", {"text": text}, key=key)

    if len(body) > MAX_BODY:
        reply("sms.too_long")
        return "too_long"
    savepoint = uow.session.begin_nested()
    try:
        outcome = _dispatch(uow, guard, sender, keyword, body, reply, reply_text)
        savepoint.commit()
        return outcome
    except Exception as err:  # noqa: BLE001 - a phone never gets a stack trace
        if isinstance(err, DATABASE_DOWN):
            raise  # nothing can be answered or recorded: the webhook says 503, the provider retries
        savepoint.rollback()
        sender.person = find_person(uow, phone)  # whatever the savepoint created is gone
        if isinstance(err, DomainError):
            answer = refusal(uow, sender, keyword, err)
            reply(answer.template, answer.params)
            return f"refused:{err.code}"
        # The class only: a database error's text would carry the message itself.
        log.error("inbound sms from %s failed: %s", mask(phone), type(err).__name__)
        reply("sms.error.internal")
        return "error"


UNREADABLE = Keyword("unknown")
OPT_WORDS = frozenset({"stop", "start"})


def _interrupts_dialog(sender: Sender, keyword: Keyword) -> bool:
    """While a dialog waits, text goes to it ("yes" may answer its question), except STOP,
    START, BOOK, keywords with a booking ref, and an operator's job keywords (a bare YES must
    reach the offer, not a menu)."""
    return (
        keyword.name in DIALOG_INTERRUPTS
        or keyword.ref is not None
        or (sender.is_operator and keyword.name in OPERATOR_KEYWORDS)
    )


def _dispatch(
    uow: UnitOfWork,
    guard: InboundGuard,
    sender: Sender,
    keyword: Keyword,
    body: str,
    reply: Callable[..., None],
    reply_text: Callable[[str], None],
) -> str:
    """Route one message: the booking dialog, a keyword, or the HELP text."""
    phone = sender.phone
    if keyword.name == "book":
        reply_text(dialog.start_booking(uow, phone))
        return "dialog_started"
    if not _interrupts_dialog(sender, keyword) and dialog.dialog_open(uow, phone):
        reply_text(dialog.continue_dialog(uow, phone, body.strip()))
        return "dialog"
    if keyword.name == "unknown":
        if not guard.may_send_help(phone, uow.now()):
            return "help_suppressed"  # loop guard: we already explained twice
        answer: Reply | None = help_reply(sender)
    else:
        answer = handle_keyword(uow, sender, keyword)
    if answer is not None:
        reply(answer.template, answer.params)
    return keyword.name
