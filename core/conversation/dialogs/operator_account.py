"""The operator's own business over USSD: services and prices, capacity and working hours,
earnings, payouts and bank details (behind the PIN again), customer history."""

from __future__ import annotations

from typing import Any

from core.accounts.pin import PIN_PATTERN

from ..commands import (
    SaveBankDetails,
    SetCapacity,
    SetServicePrice,
    SetWorkingHours,
    VerifyPin,
)
from ..display import cut, money
from ..machine import Choice, Reject, Screen, State, Step
from .entry import pin_screen


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
    if raw.strip().lower() == "x":  # closed on those days
        command = SetWorkingHours(DAY_GROUPS[ctx.data["days"]], "", "")
        return Step("o.menu", commands=(command,), notice="notice.saved", on_error="o.failed")
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


def text_screen(key: str) -> Any:
    return lambda ctx: Screen(key, kind="text")


STATES = [
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
        screen=text_screen("capacity.concurrent"),
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
        goes_to=("o.hours.close", "o.menu", "o.failed"),
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
        screen=text_screen("capacity.daily"),
        on_input=daily_input,
    ),
    State("o.earnings", screen=earnings_screen),
    State(
        "o.payout_pin",
        goes_to=("o.payouts", "o.payout_pin_check"),
        screen=pin_screen,
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
        screen=text_screen("bank.name"),
        on_input=bank_name_input,
    ),
    State(
        "o.bank.account",
        goes_to=("o.payouts",),
        screen=text_screen("bank.account"),
        on_input=bank_account_input,
        secret=True,
    ),
    State("o.history", screen=history_screen),
]
