"""The operator menu (after the PIN): online/offline, jobs, services and prices, capacity,
earnings, payouts and bank details (PIN asked again), customer history."""

from __future__ import annotations

from typing import Any

from core.accounts.pin import PIN_PATTERN

from ..commands import (
    JobAction,
    SaveBankDetails,
    SetCapacity,
    SetOnline,
    SetServicePrice,
    SetWorkingHours,
    VerifyPin,
)
from ..display import PLACE_WIDTH, clock_time, cut, money, reason, status, when
from ..machine import Choice, Reject, Screen, State, Step

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
    return Screen("omenu.text", choices=tuple(Choice(v, label) for v, _, label in MENU))


def menu_input(ctx: Any, value: str) -> Step:
    if value in ("online", "offline"):
        online = value == "online"
        notice = "notice.online" if online else "notice.offline"
        return Step("o.menu", commands=(SetOnline(online),), notice=notice, on_error="o.failed")
    return Step(dict((v, t) for v, t, _ in MENU)[value])


def jobs_screen(ctx: Any) -> Screen:
    offers, jobs = ctx.reads.offers(), ctx.reads.jobs()
    return Screen(
        "jobs.text",
        choices=(
            Choice("offers", "jobs.offers", {"count": len(offers)}),
            Choice("today", "jobs.today", {"count": len(jobs)}),
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
    jobs = ctx.reads.jobs()
    if not jobs:
        return Screen("jobs.no_jobs", kind="info")
    return Screen(
        "jobs.today_text",
        choices=tuple(
            Choice(
                j.ref,
                "jobs.job_option",
                {"ref": j.ref, "time": clock_time(j.start, ctx), "place": cut(j.place_name, 14)},
            )
            for j in jobs
        ),
    )


def job_screen(ctx: Any) -> Screen:
    job = next((j for j in ctx.reads.jobs() if j.ref == ctx.data.get("job")), None)
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


def services_screen(ctx: Any) -> Screen:
    services = ctx.reads.operator_services()
    if not services:
        return Screen("services.none", kind="info")
    return Screen(
        "services.text",
        choices=tuple(
            Choice(s.code, "services.option", {"name": cut(s.name), "price": money(s.price_cents)})
            for s in services
        ),
    )


def price_screen(ctx: Any) -> Screen:
    code = ctx.data.get("service")
    s = next((s for s in ctx.reads.operator_services() if s.code == code), None)
    if s is None:
        return Screen("services.none", kind="info")
    return Screen(
        "services.price",
        {
            "name": cut(s.name),
            "price": money(s.price_cents),
            "min": money(s.min_price_cents),
            "max": money(s.max_price_cents),
        },
        kind="text",
    )


def price_input(ctx: Any, raw: str) -> Step | Reject:
    if not raw.isdigit() or not 1 <= int(raw) <= 100000:
        return Reject("notice.rands")
    cents = int(raw) * 100
    return Step(
        "o.services",
        commands=(SetServicePrice(ctx.data["service"], cents),),
        notice="notice.saved",
        on_error="o.failed",
    )


DAY_GROUPS = {"weekdays": (0, 1, 2, 3, 4), "saturday": (5,), "sunday": (6,)}


def capacity_menu_screen(ctx: Any) -> Screen:
    return Screen(
        "capacity.text",
        choices=(Choice("jobs", "capacity.jobs"), Choice("hours", "capacity.hours")),
    )


def hours_screen(ctx: Any) -> Screen:
    return Screen(
        "hours.text", choices=tuple(Choice(group, f"hours.{group}") for group in DAY_GROUPS)
    )


def parse_clock(raw: str) -> str | None:
    """'0700', '07:00', '7:30', '7' -> 'HH:MM', or None."""
    digits = raw.replace(":", "").replace("h", "").replace(".", "").strip()
    if not digits.isdigit() or len(digits) > 4:
        return None
    hours, minutes = (int(digits), 0) if len(digits) <= 2 else (int(digits[:-2]), int(digits[-2:]))
    if hours > 23 or minutes > 59:
        return None
    return f"{hours:02d}:{minutes:02d}"


def hours_open_input(ctx: Any, raw: str) -> Step | Reject:
    opens = parse_clock(raw)
    if opens is None:
        return Reject("notice.clock")
    return Step("o.hours.close", data={"opens": opens})


def hours_close_input(ctx: Any, raw: str) -> Step | Reject:
    closes = parse_clock(raw)
    if closes is None:
        return Reject("notice.clock")
    if closes <= ctx.data["opens"]:
        return Reject("notice.clock_order")
    command = SetWorkingHours(DAY_GROUPS[ctx.data["days"]], ctx.data["opens"], closes)
    return Step("o.menu", commands=(command,), notice="notice.saved", on_error="o.failed")


def capacity_input(ctx: Any, raw: str) -> Step | Reject:
    if not raw.isdigit() or not 1 <= int(raw) <= 20:
        return Reject("notice.capacity")
    return Step("o.capacity.daily", data={"concurrent": int(raw)})


def daily_input(ctx: Any, raw: str) -> Step | Reject:
    if not raw.isdigit() or int(raw) > 100:
        return Reject("notice.daily")
    daily = int(raw) or None
    command = SetCapacity(int(ctx.data["concurrent"]), daily)
    return Step("o.menu", commands=(command,), notice="notice.saved", on_error="o.failed")


def earnings_screen(ctx: Any) -> Screen:
    e = ctx.reads.earnings()
    return Screen(
        "earnings.text",
        {
            "today": money(e.today_cents),
            "jobs": e.jobs_today,
            "week": money(e.week_cents),
            "month": money(e.month_cents),
        },
        kind="info",
    )


def payout_pin_input(ctx: Any, raw: str) -> Step | Reject:
    if not PIN_PATTERN.match(raw):
        return Reject("notice.pin_format")
    return Step("o.payouts", commands=(VerifyPin(raw),), on_error="o.payout_pin_check")


def payout_pin_check(ctx: Any) -> Step:
    if ctx.data.get("error") == "pin_locked":
        return Step("o.pin_locked")
    return Step("o.payout_pin", notice="notice.pin_wrong")


def payouts_screen(ctx: Any) -> Screen:
    e = ctx.reads.earnings()
    bank = ctx.reads.bank_details()
    key = "payouts.text" if bank else "payouts.no_bank"
    params = {"month": money(e.month_cents)}
    if bank:
        params.update(bank=cut(bank.bank_name, 16), account=bank.account_masked)
    return Screen(key, params, choices=(Choice("bank", "payouts.bank"),))


def bank_name_input(ctx: Any, raw: str) -> Step | Reject:
    if len(raw) < 2 or raw.isdigit():
        return Reject("notice.bank_name")
    return Step("o.bank.account", data={"bank": cut(raw, 40)})


def bank_account_input(ctx: Any, raw: str) -> Step | Reject:
    digits = raw.replace(" ", "")
    if not digits.isdigit() or not 6 <= len(digits) <= 16:
        return Reject("notice.account")
    command = SaveBankDetails(ctx.data["bank"], digits)
    return Step("o.payouts", data={"bank": None}, commands=(command,), notice="notice.saved")


def history_screen(ctx: Any) -> Screen:
    visits = ctx.reads.customer_history()
    if not visits:
        return Screen("history.none", kind="info")
    lines = tuple(
        Choice(
            "",
            "history.line",
            {
                "name": cut(v.customer_name, 12),
                "service": cut(v.service_name, 12),
                "date": v.when.astimezone(ctx.settings.tz).strftime("%d/%m"),
                "price": money(v.price_cents),
            },
        )
        for v in visits
    )
    return Screen("history.text", kind="info", lines=lines)


def _text(key: str) -> Any:
    return lambda ctx: Screen(key, kind="text")


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
    State("o.job.eta", goes_to=("o.job", "o.failed"), screen=_text("jobs.eta"), on_input=eta_input),
    State(
        "o.services",
        goes_to=("o.service.price",),
        screen=services_screen,
        on_input=lambda ctx, v: Step("o.service.price", data={"service": v}),
    ),
    State(
        "o.service.price",
        goes_to=("o.services", "o.failed"),
        screen=price_screen,
        on_input=price_input,
    ),
    State(
        "o.capacity",
        goes_to=("o.capacity.jobs", "o.hours"),
        screen=capacity_menu_screen,
        on_input=lambda ctx, v: Step("o.capacity.jobs" if v == "jobs" else "o.hours"),
    ),
    State(
        "o.capacity.jobs",
        goes_to=("o.capacity.daily",),
        screen=_text("capacity.concurrent"),
        on_input=capacity_input,
    ),
    State(
        "o.hours",
        goes_to=("o.hours.open",),
        screen=hours_screen,
        on_input=lambda ctx, v: Step("o.hours.open", data={"days": v}),
    ),
    State(
        "o.hours.open",
        goes_to=("o.hours.close",),
        screen=lambda ctx: Screen("hours.open", kind="text"),
        on_input=hours_open_input,
    ),
    State(
        "o.hours.close",
        goes_to=("o.menu", "o.failed"),
        screen=lambda ctx: Screen("hours.close", kind="text"),
        on_input=hours_close_input,
    ),
    State(
        "o.capacity.daily",
        goes_to=("o.menu", "o.failed"),
        screen=_text("capacity.daily"),
        on_input=daily_input,
    ),
    State("o.earnings", screen=earnings_screen),
    State(
        "o.payout_pin",
        goes_to=("o.payouts", "o.payout_pin_check"),
        screen=_text("pin.enter"),
        on_input=payout_pin_input,
        secret=True,
    ),
    State("o.payout_pin_check", goes_to=("o.pin_locked", "o.payout_pin"), route=payout_pin_check),
    State(
        "o.payouts",
        goes_to=("o.bank.name",),
        screen=payouts_screen,
        on_input=lambda ctx, v: Step("o.bank.name"),
    ),
    State(
        "o.bank.name",
        goes_to=("o.bank.account",),
        screen=_text("bank.name"),
        on_input=bank_name_input,
    ),
    State(
        "o.bank.account",
        goes_to=("o.payouts",),
        screen=_text("bank.account"),
        on_input=bank_account_input,
        secret=True,
    ),
    State("o.history", screen=history_screen),
    State(
        "o.failed",
        screen=lambda ctx: Screen(
            "failed.text", {"reason": reason(ctx.data.get("error"), ctx.language)}, kind="info"
        ),
    ),
]
