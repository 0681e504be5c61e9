"""My bookings: status, operator and ETA; cancel (fee stated first) or reschedule."""

from __future__ import annotations

from typing import Any

from ..commands import CancelBooking, RescheduleBooking
from ..display import PLACE_WIDTH, cut, money, reason, status, when
from ..machine import Choice, Screen, State, Step
from .booking import slot_choices


def _booking(ctx: Any) -> Any | None:
    ref = ctx.data.get("ref")
    return next((b for b in ctx.reads.bookings() if b.ref == ref), None)


def list_screen(ctx: Any) -> Screen:
    bookings = ctx.reads.bookings()
    if not bookings:
        return Screen("mine.none", kind="info")
    return Screen(
        "mine.text",
        choices=tuple(
            Choice(
                b.ref,
                "mine.option",
                {"ref": b.ref, "service": cut(b.service_name, 14), "time": when(b.start, ctx)},
            )
            for b in bookings
        ),
    )


def list_input(ctx: Any, ref: str) -> Step:
    return Step("c.mine.detail", data={"ref": ref})


def detail_screen(ctx: Any) -> Screen:
    b = _booking(ctx)
    if b is None:
        return Screen("mine.gone", kind="info")
    params = {
        "ref": b.ref,
        "service": cut(b.service_name),
        "time": when(b.start, ctx),
        "place": cut(b.place_name, PLACE_WIDTH),
        "status": status(b.status, ctx.language),
    }
    if b.operator_name:
        key = "mine.detail_eta" if b.eta_minutes is not None else "mine.detail_operator"
        params.update(operator=cut(b.operator_name, 16), eta=b.eta_minutes or 0)
    else:
        key = "mine.detail"
    return Screen(
        key,
        params,
        choices=(Choice("cancel", "mine.cancel"), Choice("reschedule", "mine.reschedule")),
    )


def detail_input(ctx: Any, value: str) -> Step:
    return Step("c.mine.cancel" if value == "cancel" else "c.mine.reschedule")


def cancel_screen(ctx: Any) -> Screen:
    ref = ctx.data["ref"]
    fee = ctx.reads.cancellation_fee(ref)
    if fee is None:
        return Screen("mine.gone", kind="info")
    key = "mine.cancel_fee" if fee > 0 else "mine.cancel_free"
    return Screen(key, {"ref": ref, "fee": money(fee)}, choices=(Choice("yes", "mine.cancel_yes"),))


def cancel_input(ctx: Any, value: str) -> Step:
    return Step(
        "c.mine.cancelled", commands=(CancelBooking(ctx.data["ref"]),), on_error="c.mine.failed"
    )


def reschedule_screen(ctx: Any) -> Screen:
    b = _booking(ctx)
    place = None
    if b is not None:
        saved = {p.name: p for p in ctx.reads.saved_places()}
        place = saved.get(b.place_name) or ctx.reads.area(b.place_name)
    if b is None or place is None:
        return Screen("mine.gone", kind="info")
    choices = slot_choices(ctx, b.service_code, place.lat, place.lon, b.operator_person_id)
    choices = [c for c in choices if not c.value.startswith(b.start.isoformat())]
    if not choices:
        return Screen("book.no_slots", {"place": cut(b.place_name, PLACE_WIDTH)}, kind="info")
    return Screen("mine.reschedule_when", {"ref": b.ref}, choices=tuple(choices))


def reschedule_input(ctx: Any, value: str) -> Step:
    start = value.split("|")[0]
    return Step(
        "c.mine.rescheduled",
        data={"start": start},
        commands=(RescheduleBooking(ctx.data["ref"], start),),
        on_error="c.mine.failed",
    )


def rescheduled_screen(ctx: Any) -> Screen:
    from datetime import datetime

    moment = datetime.fromisoformat(ctx.data["start"])
    return Screen(
        "mine.rescheduled", {"ref": ctx.data["ref"], "time": when(moment, ctx)}, kind="final"
    )


STATES = [
    State("c.mine", goes_to=("c.mine.detail",), screen=list_screen, on_input=list_input),
    State(
        "c.mine.detail",
        goes_to=("c.mine.cancel", "c.mine.reschedule"),
        screen=detail_screen,
        on_input=detail_input,
    ),
    State(
        "c.mine.cancel",
        goes_to=("c.mine.cancelled", "c.mine.failed"),
        screen=cancel_screen,
        on_input=cancel_input,
    ),
    State(
        "c.mine.cancelled",
        screen=lambda ctx: Screen("mine.cancelled", {"ref": ctx.data["ref"]}, kind="final"),
    ),
    State(
        "c.mine.reschedule",
        goes_to=("c.mine.rescheduled", "c.mine.failed"),
        screen=reschedule_screen,
        on_input=reschedule_input,
    ),
    State("c.mine.rescheduled", screen=rescheduled_screen),
    State(
        "c.mine.failed",
        screen=lambda ctx: Screen(
            "failed.text", {"reason": reason(ctx.data.get("error"), ctx.language)}, kind="info"
        ),
    ),
]
