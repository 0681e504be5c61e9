"""SMS keywords -> core operations -> a reply (template and params), inside the caller's
transaction. Booking errors become short translated replies; nothing here commits.

Operator keywords call the booking service (core/booking); where the booking area already
sends the message the person needs (YES -> "JOB is yours", CANCEL -> "cancelled"), there is no
second reply.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from core.accounts.consent import opt_in, opt_out, remember_number
from core.accounts.model import Person
from core.booking import service as booking_service
from core.booking.views import OfferView
from core.conversation.display import cut, day_time
from core.db import UnitOfWork
from core.notify.booking_texts import rand
from core.ratings.service import rate_booking

from .keywords import Keyword
from .texts import more_word, state_word

log = logging.getLogger(__name__)

CAPACITY_MAX = 20
JOBS_LIST_BUDGET = 120  # characters of "K7Q4 Fri 14:00 Sandton; ... +2 more" in the JOBS reply
OFFER_WORDS = {"yes": "YES", "no": "NO"}  # keywords that answer an offer, as the reply spells them
ERROR_TEMPLATES = {"not_found", "offer_gone", "illegal_transition", "not_operator", "too_early"}


@dataclass(frozen=True)
class Reply:
    template: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class Sender:
    phone: str
    person: Person | None

    @property
    def is_operator(self) -> bool:
        return bool(self.person and self.person.is_operator)

    @property
    def language(self) -> str:
        return self.person.language if self.person else "en"


def help_reply(sender: Sender) -> Reply:
    return Reply("sms.help.operator" if sender.is_operator else "sms.help.consumer")


def handle_keyword(uow: UnitOfWork, sender: Sender, keyword: Keyword) -> Reply | None:
    """Run one keyword. Raises DomainError (booking, rating) for the caller to translate."""
    if keyword.name == "stop":
        opted_out = opt_out(uow, sender.phone)
        if opted_out.is_operator:
            _go_offline_quietly(uow, opted_out)
        return Reply("sms.stopped")
    if keyword.name == "start":
        opt_in(uow, sender.phone)
        return Reply("sms.started")
    if keyword.name == "lang":
        if keyword.language is None:
            return Reply("sms.lang.choose")
        speaker = sender.person = sender.person or remember_number(uow, sender.phone)
        speaker.language = keyword.language
        return Reply("sms.lang.set")
    if keyword.name == "help":
        return help_reply(sender)
    person = sender.person
    if person is None:  # a number we do not know: answer without creating anything
        return STRANGER_REPLIES.get(keyword.name) or help_reply(sender)
    if keyword.name in OPERATOR_KEYWORDS:
        if not person.is_operator:
            return help_reply(sender)
        return OPERATOR_KEYWORDS[keyword.name](uow, person, keyword)
    if keyword.name in CONSUMER_KEYWORDS:
        return CONSUMER_KEYWORDS[keyword.name](uow, person, keyword)
    return help_reply(sender)


def error_reply(code: str, ref: str | None) -> Reply:
    template = f"sms.error.{code}" if code in ERROR_TEMPLATES else "sms.error.other"
    return Reply(template, {"ref": ref or "-"})


def refusal(uow: UnitOfWork, sender: Sender, keyword: Keyword, err: Exception) -> Reply:
    """The reply to a keyword the core refused (its writes already rolled back)."""
    code = str(getattr(err, "code", "other"))
    if code == "offer_gone" and keyword.name in OFFER_WORDS and sender.person and keyword.ref:
        offers = booking_service.open_offers(uow, sender.person.id)
        if offers:  # "YES <ref>" for an offer that is not open: point at the ones that are
            return _no_such_offer(offers, keyword, keyword.ref)
    answer = error_reply(code, keyword.ref or keyword.unknown_ref)
    allowed_from = getattr(err, "allowed_from", None)
    if allowed_from is not None:
        answer.params["allowed"] = allowed_from.astimezone(uow.settings.tz).strftime(
            "%a %d %b %H:%M"
        )
    return answer


def _no_such_offer(offers: list[OfferView], keyword: Keyword, given: str) -> Reply:
    """No open offer has the ref the operator sent: name the open ones, accept nothing."""
    word = OFFER_WORDS[keyword.name]
    if not offers:
        return Reply("sms.offer.unknown_none", {"given": given})
    if len(offers) == 1:
        return Reply(
            "sms.offer.unknown_one", {"given": given, "ref": offers[0].ref, "keyword": word}
        )
    refs = " ".join(o.ref for o in offers[:5])
    return Reply("sms.offer.unknown_many", {"given": given, "refs": refs, "keyword": word})


def _go_offline_quietly(uow: UnitOfWork, person: Person) -> None:
    """An operator who opts out gets no new offers. STOP must succeed even if this cannot."""
    savepoint = uow.session.begin_nested()
    try:
        booking_service.set_online(uow, person.id, False)
        savepoint.commit()
    except Exception:  # noqa: BLE001 - the opt-out itself is what matters
        log.exception("could not take an opted-out operator offline")
        savepoint.rollback()


def _job_ref(keyword: Keyword, word: str) -> str | Reply:
    """The ref a job keyword names. A word that cannot be a ref matches no booking: it is
    answered as such, never taken for another job."""
    if keyword.ref is not None:
        return keyword.ref
    if keyword.unknown_ref is not None:
        return error_reply("not_found", keyword.unknown_ref)
    return Reply("sms.need_ref", {"keyword": word})


def _offer_ref(uow: UnitOfWork, person: Person, keyword: Keyword) -> str | Reply:
    """The offer a YES or NO answers: the one named, else the single open one."""
    if keyword.ref is not None:
        return keyword.ref
    offers = booking_service.open_offers(uow, person.id)
    if keyword.unknown_ref is not None:
        return _no_such_offer(offers, keyword, keyword.unknown_ref)
    if not offers:
        return Reply("sms.offer.none")
    if len(offers) > 1:
        refs = " ".join(o.ref for o in offers[:5])
        return Reply("sms.offer.pick", {"count": len(offers), "refs": refs})
    return offers[0].ref


def _accept(uow: UnitOfWork, person: Person, keyword: Keyword) -> Reply | None:
    ref = _offer_ref(uow, person, keyword)
    if isinstance(ref, Reply):
        return ref
    booking_service.accept_offer(uow, person.id, ref)
    return None  # the booking area sends "JOB <ref> is yours"


def _decline(uow: UnitOfWork, person: Person, keyword: Keyword) -> Reply | None:
    ref = _offer_ref(uow, person, keyword)
    if isinstance(ref, Reply):
        return ref
    view = booking_service.decline_offer(uow, person.id, ref)
    return Reply("sms.op.declined", {"ref": view.ref})


def _en_route(uow: UnitOfWork, person: Person, keyword: Keyword) -> Reply | None:
    ref = _job_ref(keyword, "OTW")
    if isinstance(ref, Reply):
        return ref
    view = booking_service.mark_en_route(uow, person.id, ref, keyword.number)
    return Reply("sms.op.en_route", {"ref": view.ref})


def _arrived(uow: UnitOfWork, person: Person, keyword: Keyword) -> Reply | None:
    ref = _job_ref(keyword, "ARRIVED")
    if isinstance(ref, Reply):
        return ref
    view = booking_service.mark_arrived(uow, person.id, ref)
    return Reply("sms.op.arrived", {"ref": view.ref})


def _done(uow: UnitOfWork, person: Person, keyword: Keyword) -> Reply | None:
    ref = _job_ref(keyword, "DONE")
    if isinstance(ref, Reply):
        return ref
    view = booking_service.complete_job(uow, person.id, ref)
    earnings = booking_service.operator_earnings(uow, person.id)
    return Reply(
        "sms.op.done",
        {"ref": view.ref, "today": rand(earnings.today_cents), "jobs": earnings.jobs_today},
    )


def _online(uow: UnitOfWork, person: Person, keyword: Keyword) -> Reply | None:
    booking_service.set_online(uow, person.id, True)
    return Reply("sms.op.online")


def _offline(uow: UnitOfWork, person: Person, keyword: Keyword) -> Reply | None:
    booking_service.set_online(uow, person.id, False)
    return Reply("sms.op.offline")


def _capacity(uow: UnitOfWork, person: Person, keyword: Keyword) -> Reply | None:
    if keyword.number is None or not 1 <= keyword.number <= CAPACITY_MAX:
        return Reply("sms.op.cap_usage")
    booking_service.set_capacity(uow, person.id, keyword.number)
    return Reply("sms.op.capacity", {"count": keyword.number})


def _jobs(uow: UnitOfWork, person: Person, keyword: Keyword) -> Reply | None:
    """The accepted jobs of the week ahead, as many as fit one segment, then "+N more"."""
    jobs = booking_service.upcoming_jobs(uow, person.id)
    if not jobs:
        return Reply("sms.op.no_jobs")
    tz, now, lang = uow.settings.tz, uow.now(), person.language
    items = [f"{j.ref} {day_time(j.start, now, tz, lang)} {cut(j.place_name, 12)}" for j in jobs]
    return Reply("sms.op.jobs", {"count": len(jobs), "list": fit_list(items, lang)})


def fit_list(items: list[str], language: str, budget: int = JOBS_LIST_BUDGET) -> str:
    """'a; b; c +2 more' with as many items as fit in `budget` characters (at least one)."""
    for shown in range(len(items), 0, -1):
        rest = len(items) - shown
        more = f" {more_word(rest, language)}" if rest else ""
        text = "; ".join(items[:shown]) + more
        if len(text) <= budget or shown == 1:
            return text
    return ""


def _earnings(uow: UnitOfWork, person: Person, keyword: Keyword) -> Reply | None:
    e = booking_service.operator_earnings(uow, person.id)
    return Reply(
        "sms.op.earnings",
        {
            "today": rand(e.today_cents),
            "jobs": e.jobs_today,
            "week": rand(e.week_cents),
            "month": rand(e.month_cents),
        },
    )


def _payout(uow: UnitOfWork, person: Person, keyword: Keyword) -> Reply | None:
    e = booking_service.operator_earnings(uow, person.id)
    return Reply("sms.op.payout", {"month": rand(e.month_cents)})


def _status(uow: UnitOfWork, person: Person, keyword: Keyword) -> Reply | None:
    """Read only: a word that is not a ref ("where is my wash") shows the next booking."""
    bookings = booking_service.consumer_bookings(uow, person.id, active_only=True)
    if keyword.ref:
        bookings = [b for b in bookings if b.ref == keyword.ref]
    if not bookings:
        return Reply("sms.c.no_booking")
    b = min(bookings, key=lambda view: view.start)
    when = b.start.astimezone(uow.settings.tz).strftime("%a %d %b %H:%M")
    return Reply(
        "sms.c.status",
        {
            "ref": b.ref,
            "service": b.service_name[:18],
            "when": when,
            "state": state_word(b.status, person.language),
        },
    )


def _cancel(uow: UnitOfWork, person: Person, keyword: Keyword) -> Reply | None:
    ref = _job_ref(keyword, "CANCEL")
    if isinstance(ref, Reply):
        return ref
    booking_service.cancel_booking(uow, person.id, ref, reason="sms")
    return None  # the booking area confirms the cancellation (and any fee)


def _points(uow: UnitOfWork, person: Person, keyword: Keyword) -> Reply | None:
    return Reply("sms.c.points")  # loyalty is not built yet (docs/decisions.md)


def _rate(uow: UnitOfWork, person: Person, keyword: Keyword) -> Reply | None:
    if keyword.unknown_ref is not None:
        return error_reply("not_found", keyword.unknown_ref)
    if keyword.ref is None or keyword.number is None or not 1 <= keyword.number <= 5:
        return Reply("sms.c.rate_usage")
    views = booking_service.consumer_bookings(uow, person.id, active_only=False)
    booking = next((b for b in views if b.ref == keyword.ref), None)
    if booking is None:
        return error_reply("not_found", keyword.ref)
    if booking.status != "completed":
        return Reply("sms.c.rate_not_done", {"ref": booking.ref})
    rate_booking(
        uow,
        person.id,
        booking.id,
        booking.ref,
        keyword.number,
        operator_person_id=booking.operator_person_id,
    )
    return Reply("sms.c.rated", {"ref": booking.ref, "stars": keyword.number})


Handler = Callable[[UnitOfWork, Person, Keyword], "Reply | None"]

OPERATOR_KEYWORDS: dict[str, Handler] = {
    "yes": _accept,
    "no": _decline,
    "otw": _en_route,
    "arrived": _arrived,
    "done": _done,
    "on": _online,
    "off": _offline,
    "cap": _capacity,
    "jobs": _jobs,
    "earn": _earnings,
    "payout": _payout,
}
STRANGER_REPLIES = {
    "status": Reply("sms.c.no_booking"),
    "points": Reply("sms.c.points"),
    "redeem": Reply("sms.c.points"),
    "rate": Reply("sms.c.rate_usage"),
}
CONSUMER_KEYWORDS: dict[str, Handler] = {
    "status": _status,
    "cancel": _cancel,
    "points": _points,
    "redeem": _points,
    "rate": _rate,
}
