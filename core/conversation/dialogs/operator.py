"""The operator menu (after the PIN): online/offline and jobs (offers to accept or decline,
today's jobs to mark on the way, arrived, done). The rest of the menu is in operator_account."""

from __future__ import annotations

from typing import Any

from ..commands import JobAction, SetOnline
from ..display import PLACE_WIDTH, clock_time, cut, day_time, money, reason, status, when
from ..machine import Choice, Reject, Screen, State, Step
from .operator_account import STATES as ACCOUNT_STATES
from .operator_account import text_screen

MENU = (
    ("online", "o.menu", "omenu.online"),
    ("offline", "o.menu", "omenu.offline"),
    ("jobs", "o.jobs", "omenu.jobs"),
    ("services", "o.services", "omenu.services"),
    ("capacity", "o.capacity", "omenu.capacity_hours"),
    ("earnings", "o.earnings", "omenu.earnings"),
    ("payouts", "o.payout_pin", "omenu.payouts"),
    ("history", "o.history", "omenu.history"),
    ("language", "language", "menu.language"),
    ("help", "help", "menu.help"),
)


def menu_screen(ctx: Any) -> Screen:
    """The first entry toggles: "Go offline" when online, "Go online" otherwise."""
    online = ctx.reads.operator_online()
    skip = "online" if online else "offline"
    return Screen(
        "omenu.text_online" if online else "omenu.text_offline",
        choices=tuple(Choice(v, label) for v, _, label in MENU if v != skip),
    )


def menu_input(ctx: Any, value: str) -> Step:
    if value in ("online", "offline"):
        online = value == "online"
        notice = "notice.online" if online else "notice.offline"
        return Step("o.menu", commands=(SetOnline(online),), notice=notice, on_error="o.failed")
    return Step(dict((v, t) for v, t, _ in MENU)[value])


def jobs_screen(ctx: Any) -> Screen:
    offers, jobs = ctx.reads.offers(), ctx.reads.upcoming_jobs()
    return Screen(
        "jobs.text",
        choices=(
            Choice("offers", "jobs.offers", {"count": len(offers)}),
            Choice("today", "jobs.upcoming", {"count": len(jobs)}),
        ),
    )


def offers_screen(ctx: Any) -> Screen:
    offers = ctx.reads.offers()
    if not offers:
        return Screen("jobs.no_offers", kind="info")
    return Screen(
        "jobs.offers_text",
        choices=tuple(
            Choice(
                o.ref,
                "jobs.offer_option",
                {
                    "ref": o.ref,
                    "service": cut(o.service_name, 12),
                    "time": clock_time(o.start, ctx),
                    "earn": money(o.earn_cents),
                },
            )
            for o in offers
        ),
    )


def _offer(ctx: Any) -> Any | None:
    return next((o for o in ctx.reads.offers() if o.ref == ctx.data.get("job")), None)


def offer_screen(ctx: Any) -> Screen:
    o = _offer(ctx)
    if o is None:
        return Screen("jobs.offer_gone", kind="info")
    params = {
        "ref": o.ref,
        "service": cut(o.service_name),
        "place": cut(o.place_name, PLACE_WIDTH),
        "time": when(o.start, ctx),
        "km": f"{o.distance_km:.1f}",
        "earn": money(o.earn_cents),
        "expires": clock_time(o.expires_at, ctx),
    }
    return Screen(
        "jobs.offer",
        params,
        choices=(Choice("accept", "jobs.accept"), Choice("decline", "jobs.decline")),
    )


def offer_input(ctx: Any, value: str) -> Step:
    ref = ctx.data["job"]
    target = "o.offer.accepted" if value == "accept" else "o.offer.declined"
    return Step(target, commands=(JobAction(value, ref),), on_error="o.failed")


def today_screen(ctx: Any) -> Screen:
    """The accepted jobs of the week ahead (the engine pages them), day and time each."""
    jobs = ctx.reads.upcoming_jobs()
    if not jobs:
        return Screen("jobs.no_upcoming", kind="info")
    tz, now = ctx.settings.tz, ctx.now()
    return Screen(
        "jobs.upcoming_text",
        choices=tuple(
            Choice(
                j.ref,
                "jobs.job_option",
                {
                    "ref": j.ref,
                    "time": day_time(j.start, now, tz, ctx.language),
                    "place": cut(j.place_name, 14),
                },
            )
            for j in jobs
        ),
    )


def job_screen(ctx: Any) -> Screen:
    ref = ctx.data.get("job")
    jobs = [*ctx.reads.upcoming_jobs(), *ctx.reads.jobs()]  # today's: one just marked done
    job = next((j for j in jobs if j.ref == ref), None)
    if job is None:
        return Screen("jobs.offer_gone", kind="info")
    return Screen(
        "jobs.job",
        {
            "ref": job.ref,
            "service": cut(job.service_name),
            "place": cut(job.place_name, PLACE_WIDTH),
            "time": when(job.start, ctx),
            "status": status(job.status, ctx.language),
        },
        choices=(
            Choice("en_route", "jobs.en_route"),
            Choice("arrived", "jobs.arrived"),
            Choice("done", "jobs.done"),
        ),
    )


def job_input(ctx: Any, value: str) -> Step:
    if value == "en_route":
        return Step("o.job.eta")
    return Step(
        "o.job",
        commands=(JobAction(value, ctx.data["job"]),),
        notice="notice.updated",
        on_error="o.failed",
    )


def eta_input(ctx: Any, raw: str) -> Step | Reject:
    if not raw.isdigit() or not 1 <= int(raw) <= 240:
        return Reject("notice.minutes")
    return Step(
        "o.job",
        commands=(JobAction("en_route", ctx.data["job"], int(raw)),),
        notice="notice.updated",
        on_error="o.failed",
    )


STATES = [
    State(
        "o.menu",
        goes_to=("o.menu", "o.failed", *{t for _, t, _ in MENU}),
        screen=menu_screen,
        on_input=menu_input,
        main_menu=True,
        pin_protected=True,
    ),
    State(
        "o.jobs",
        goes_to=("o.offers", "o.today"),
        screen=jobs_screen,
        on_input=lambda ctx, v: Step("o.offers" if v == "offers" else "o.today"),
    ),
    State(
        "o.offers",
        goes_to=("o.offer",),
        screen=offers_screen,
        on_input=lambda ctx, v: Step("o.offer", data={"job": v}),
    ),
    State(
        "o.offer",
        goes_to=("o.offer.accepted", "o.offer.declined", "o.failed"),
        screen=offer_screen,
        on_input=offer_input,
    ),
    State(
        "o.offer.accepted",
        screen=lambda ctx: Screen("jobs.accepted", {"ref": ctx.data["job"]}, kind="info"),
    ),
    State(
        "o.offer.declined",
        screen=lambda ctx: Screen("jobs.declined", {"ref": ctx.data["job"]}, kind="info"),
    ),
    State(
        "o.today",
        goes_to=("o.job",),
        screen=today_screen,
        on_input=lambda ctx, v: Step("o.job", data={"job": v}),
    ),
    State(
        "o.job", goes_to=("o.job", "o.job.eta", "o.failed"), screen=job_screen, on_input=job_input
    ),
    State(
        "o.job.eta",
        goes_to=("o.job", "o.failed"),
        screen=text_screen("jobs.eta"),
        on_input=eta_input,
    ),
    State(
        "o.failed",
        screen=lambda ctx: Screen(
            "failed.text", {"reason": reason(ctx.data.get("error"), ctx.language)}, kind="info"
        ),
    ),
]
STATES += ACCOUNT_STATES
