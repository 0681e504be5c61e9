"""Book a service: service -> where -> when (booking_when.py) -> [pay how] -> confirm.

Hops are few because real networks drop a USSD session after about 180 s: a suburb with one
match is taken without a pick, the payment screen appears only when more than one method
applies, and the price, place, time and payment are confirmed on one screen."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..commands import RequestBooking, SavePlace
from ..display import PLACE_WIDTH, cut, money, reason, when
from ..machine import Choice, Reject, Screen, State, Step
from ..texts import render_text
from .booking_when import STATES as WHEN_STATES

MAX_SAVED = 5
SLOTS = 8  # a new time for a booking: the assigned operator's next eight slots


def service_screen(ctx: Any) -> Screen:
    services = ctx.reads.services()
    if not services:
        return Screen("book.no_services", kind="info")
    return Screen(
        "book.service",
        choices=tuple(
            Choice(
                s.code,
                "book.service_option",
                {"name": cut(s.name), "price": money(s.min_price_cents)},
            )
            for s in services
        ),
    )


def service_input(ctx: Any, code: str) -> Step:
    names = {s.code: s.name for s in ctx.reads.services()}
    # `chosen_at` tells this booking attempt from a later one in the same session (an SMS session
    # lives as long as the number texts), so a new booking for the same time is not taken for a
    # retry of the old one by the idempotency key below.
    data = {
        "service": code,
        "service_name": names.get(code, code),
        "chosen_at": ctx.now().isoformat(),
    }
    return Step("c.book.where", data=data)


def where_route(ctx: Any) -> Step:
    return Step("c.book.place" if ctx.reads.saved_places() else "c.book.area")


def place_screen(ctx: Any) -> Screen:
    places = ctx.reads.saved_places()
    choices = [
        Choice(f"saved:{p.name}", "book.place_option", {"name": cut(p.name, PLACE_WIDTH)})
        for p in places
    ]
    choices.append(Choice("new", "book.place_other"))
    return Screen("book.where", choices=tuple(choices))


def place_input(ctx: Any, value: str) -> Step:
    chosen = next((p for p in ctx.reads.saved_places() if f"saved:{p.name}" == value), None)
    if chosen is not None:
        return Step("c.book.when", data={"place": [chosen.name, chosen.lat, chosen.lon]})
    return Step("c.book.area")


def area_input(ctx: Any, raw: str) -> Step | Reject:
    query = raw.strip()
    if len(query) < 2 or query.isdigit():
        return Reject("notice.area_short")
    areas = ctx.reads.areas(query, limit=5)
    if not areas:
        return Reject("notice.no_area", {"query": cut(query, 20)})
    if len(areas) == 1:  # one match: nothing to pick
        return _place_chosen(ctx, areas[0].name, areas[0].lat, areas[0].lon)
    matches = [[a.name, a.city, a.lat, a.lon] for a in areas]
    return Step("c.book.area_pick", data={"matches": matches})


def area_pick_screen(ctx: Any) -> Screen:
    return Screen(
        "book.area_pick",
        choices=tuple(
            Choice(
                str(i), "book.area_option", {"name": cut(m[0], PLACE_WIDTH), "city": cut(m[1], 14)}
            )
            for i, m in enumerate(ctx.data.get("matches", []))
        ),
    )


def area_pick_input(ctx: Any, value: str) -> Step:
    name, _city, lat, lon = ctx.data["matches"][int(value)]
    return _place_chosen(ctx, name, lat, lon)


def _place_chosen(ctx: Any, name: str, lat: float, lon: float) -> Step:
    """A gazetteer area: offer to save it (when not saved and fewer than MAX_SAVED are)."""
    saved = ctx.reads.saved_places()
    offer_save = len(saved) < MAX_SAVED and all(p.name != name for p in saved)
    return Step("c.book.save" if offer_save else "c.book.when", data={"place": [name, lat, lon]})


def save_screen(ctx: Any) -> Screen:
    name = ctx.data["place"][0]
    return Screen(
        "book.save",
        {"place": cut(name, PLACE_WIDTH)},
        choices=(Choice("yes", "word.yes"), Choice("no", "word.no")),
    )


def save_input(ctx: Any, value: str) -> Step:
    if value != "yes":
        return Step("c.book.when")
    name, lat, lon = ctx.data["place"]
    return Step("c.book.when", commands=(SavePlace(name, lat, lon),), notice="notice.place_saved")


def slot_choices(
    ctx: Any, service: str, lat: float, lon: float, operator_id: Any = None
) -> list[Choice]:
    """The earliest slot (labelled ASAP) then the next slots today and tomorrow, each start once:
    the choices for moving a booking (`mine.py`).

    One `find_slots` call (day None = the earliest slots over today and tomorrow) keeps this
    screen inside the hop budget."""
    seen: set[str] = set()
    choices: list[Choice] = []
    for slot in ctx.reads.slots(service, lat, lon, None, operator_id=operator_id, limit=SLOTS):
        start = slot.start.isoformat()
        if start in seen:
            continue
        seen.add(start)
        value = f"{start}|{slot.price_cents}|{slot.operator_id or ''}"
        label = "book.asap" if not choices else "book.slot"
        params = {"time": when(slot.start, ctx), "price": money(slot.price_cents)}
        choices.append(Choice(value, label, params))
    return choices


def _summary(ctx: Any) -> dict[str, str]:
    return {
        "service": cut(ctx.data["service_name"]),
        "place": cut(ctx.data["place"][0], PLACE_WIDTH),
        "time": when(datetime.fromisoformat(ctx.data["start"]), ctx),
        "price": money(ctx.data["price"]),
    }


PAYMENT_LABELS = {
    "cash": "pay.cash",
    "card": "pay.card",
    "card_link": "pay.card_link",
    "saved_card": "pay.saved_card",
    "subscription": "pay.subscription",
}
METHOD_WORDS = {  # on the summary
    **PAYMENT_LABELS,
    "card_link": "pay.card_link_method",
    "saved_card": "pay.saved_card_method",
}
CARD_LINK = "card_link"
SAVED = "saved_card"


def payment_methods(ctx: Any) -> list[str]:
    """Cash always; with a card provider the card link, and first the saved card (one tap,
    `saved_card:<id>:<last4>`) when there is one (PW7)."""
    if ctx.settings.payment_provider == "none":
        return ["cash"]
    card = ctx.reads.saved_card()
    saved = [f"{SAVED}:{card[0]}:{card[1]}"] if card else []
    return [*saved, "cash", CARD_LINK]


def _method(value: str) -> tuple[str, dict[str, str]]:
    """A method's label key and its params (the saved card's last four digits)."""
    kind, _, rest = value.partition(":")
    return kind, ({"last4": rest.partition(":")[2]} if kind == SAVED else {})


def payment_route(ctx: Any) -> Step:
    """Ask how to pay only when there is a choice."""
    methods = payment_methods(ctx)
    if len(methods) == 1:
        return Step("c.book.confirm", data={"payment": methods[0]})
    return Step("c.book.pay")


def pay_screen(ctx: Any) -> Screen:
    return Screen(
        "book.pay",
        {"price": money(ctx.data["price"])},
        choices=tuple(
            Choice(m, PAYMENT_LABELS[kind], {**params, "price": money(ctx.data["price"])})
            for m in payment_methods(ctx)
            for kind, params in [_method(m)]
        ),
    )


def pay_input(ctx: Any, value: str) -> Step:
    return Step("c.book.confirm", data={"payment": value})


def confirm_screen(ctx: Any) -> Screen:
    kind, params = _method(ctx.data.get("payment", "cash"))
    return Screen(
        "book.confirm",
        {**_summary(ctx), "method": render_text(METHOD_WORDS[kind], ctx.language, params)},
        choices=(Choice("confirm", "word.confirm"),),
    )


def confirm_input(ctx: Any, value: str) -> Step:
    name, lat, lon = ctx.data["place"]
    kind, _, rest = ctx.data.get("payment", "cash").partition(":")
    command = RequestBooking(
        service_code=ctx.data["service"],
        lat=lat,
        lon=lon,
        place_name=name,
        start=ctx.data["start"],
        payment_method=kind,
        card_id=int(rest.partition(":")[0]) if kind == SAVED else None,
        idempotency_key=(
            f"{ctx.channel}:{ctx.session_key}:{ctx.data.get('chosen_at', '')}:{ctx.data['start']}"
        ),
    )
    return Step("c.book.done", commands=(command,), on_error="c.book.failed")


def done_screen(ctx: Any) -> Screen:
    if ctx.data.get("payment") == CARD_LINK:
        params = {
            "ref": ctx.data.get("ref", "?"),
            "price": money(ctx.data["price"]),
            "mins": str(ctx.settings.payment_hold_minutes),
        }
        return Screen("book.done_link", params, kind="final")
    return Screen("book.done", {"ref": ctx.data.get("ref", "?")}, kind="final")


def failed_screen(ctx: Any) -> Screen:
    return Screen(
        "book.failed",
        {"reason": reason(ctx.data.get("error"), ctx.language)},
        choices=(Choice("again", "book.pick_again"),),
    )


STATES = [
    State(
        "c.book.service", goes_to=("c.book.where",), screen=service_screen, on_input=service_input
    ),
    State("c.book.where", goes_to=("c.book.place", "c.book.area"), route=where_route),
    State(
        "c.book.place",
        goes_to=("c.book.when", "c.book.area"),
        screen=place_screen,
        on_input=place_input,
    ),
    State(
        "c.book.area",
        goes_to=("c.book.area_pick", "c.book.save", "c.book.when"),
        screen=lambda ctx: Screen("book.area", kind="text"),
        on_input=area_input,
    ),
    State(
        "c.book.area_pick",
        goes_to=("c.book.save", "c.book.when"),
        screen=area_pick_screen,
        on_input=area_pick_input,
    ),
    State("c.book.save", goes_to=("c.book.when",), screen=save_screen, on_input=save_input),
    *WHEN_STATES,
    State("c.book.payment", goes_to=("c.book.confirm", "c.book.pay"), route=payment_route),
    State("c.book.pay", goes_to=("c.book.confirm",), screen=pay_screen, on_input=pay_input),
    State(
        "c.book.confirm",
        goes_to=("c.book.done", "c.book.failed"),
        screen=confirm_screen,
        on_input=confirm_input,
    ),
    State("c.book.done", screen=done_screen),
    State(
        "c.book.failed",
        goes_to=("c.book.when",),
        screen=failed_screen,
        on_input=lambda ctx, v: Step("c.book.when"),
    ),
]
