"""Entry, role choice, operator PIN, language, help: the states every person can meet."""

from __future__ import annotations

from typing import Any

from core.accounts.pin import PIN_PATTERN, hash_pin, pin_matches
from core.phones import national

from ..commands import SetLanguage, SetPin, VerifyPin
from ..display import clock_time
from ..machine import Choice, Reject, Screen, State, Step
from ..texts import LANGUAGE_NAMES, LANGUAGES


def start(ctx: Any) -> Step:
    if ctx.is_operator and ctx.is_consumer:
        return Step("role")
    if ctx.is_operator:
        return Step("o.pin")
    return Step("c.menu")


def role_screen(ctx: Any) -> Screen:
    return Screen(
        "role.text",
        choices=(Choice("consumer", "role.consumer"), Choice("operator", "role.operator")),
    )


def role_input(ctx: Any, value: str) -> Step:
    return Step("c.menu" if value == "consumer" else "o.pin")


def pin_route(ctx: Any) -> Step:
    locked = ctx.reads.pin_locked_until()
    if locked is not None and locked > ctx.now():
        return Step("o.pin_locked")
    return Step("o.pin_enter" if ctx.pin_set else "o.pin_new")


def pin_new_input(ctx: Any, raw: str) -> Step | Reject:
    if not PIN_PATTERN.match(raw):
        return Reject("notice.pin_format")
    return Step("o.pin_repeat", data={"pin_first": hash_pin(raw)})


def pin_repeat_input(ctx: Any, raw: str) -> Step | Reject:
    first = ctx.data.get("pin_first") or ""
    if not PIN_PATTERN.match(raw) or not pin_matches(raw, first):
        return Step("o.pin_new", data={"pin_first": None}, notice="notice.pin_mismatch")
    return Step("o.menu", data={"pin_first": None, "pin_ok": True}, commands=(SetPin(first),))


def pin_enter_input(ctx: Any, raw: str) -> Step | Reject:
    if not PIN_PATTERN.match(raw):
        return Reject("notice.pin_format")
    return Step("o.menu", data={"pin_ok": True}, commands=(VerifyPin(raw),), on_error="o.pin_check")


def pin_check(ctx: Any) -> Step:
    if ctx.data.get("error") == "pin_locked":
        return Step("o.pin_locked")
    return Step("o.pin_enter", notice="notice.pin_wrong")


def pin_screen(ctx: Any) -> Screen:
    """ "Enter your PIN", with the tries left once one was wrong (in any session)."""
    left = ctx.reads.pin_tries_left()
    if left >= ctx.settings.pin_max_attempts:
        return Screen("pin.enter", kind="text")
    if left <= 1:
        return Screen("pin.enter_last", kind="text")
    return Screen("pin.enter_left", {"left": left}, kind="text")


def support(ctx: Any) -> str:
    """The support number as it is dialled in South Africa."""
    return national(ctx.settings.support_number, ctx.settings.default_region)


def pin_locked_screen(ctx: Any) -> Screen:
    until = ctx.reads.pin_locked_until() or ctx.now()
    params = {"time": clock_time(until, ctx), "support": support(ctx)}
    return Screen("pin.locked", params, kind="final")


def language_screen(ctx: Any) -> Screen:
    return Screen(
        "language.text",
        choices=tuple(
            Choice(lang, "language.name", {"name": LANGUAGE_NAMES[lang]}) for lang in LANGUAGES
        ),
    )


def language_input(ctx: Any, value: str) -> Step:
    return Step("home", commands=(SetLanguage(value),), notice="notice.language_saved")


def home_route(ctx: Any) -> Step:
    home = ctx.data.get("home")
    return Step(home if home in ("c.menu", "o.menu", "role") else "start")


def help_screen(ctx: Any) -> Screen:
    key = "help.operator" if ctx.data.get("home") == "o.menu" else "help.consumer"
    return Screen(
        key, {"code": ctx.settings.ussd_service_code, "support": support(ctx)}, kind="info"
    )


STATES = [
    State("start", goes_to=("role", "o.pin", "c.menu"), route=start, initial=True),
    State(
        "role",
        goes_to=("c.menu", "o.pin"),
        screen=role_screen,
        on_input=role_input,
        main_menu=True,
    ),
    State("o.pin", goes_to=("o.pin_locked", "o.pin_enter", "o.pin_new"), route=pin_route),
    State(
        "o.pin_new",
        goes_to=("o.pin_repeat",),
        screen=lambda ctx: Screen("pin.new", kind="text"),
        on_input=pin_new_input,
        secret=True,
    ),
    State(
        "o.pin_repeat",
        goes_to=("o.menu", "o.pin_new"),
        screen=lambda ctx: Screen("pin.repeat", kind="text"),
        on_input=pin_repeat_input,
        secret=True,
    ),
    State(
        "o.pin_enter",
        goes_to=("o.menu", "o.pin_check"),
        screen=pin_screen,
        on_input=pin_enter_input,
        secret=True,
    ),
    State("o.pin_check", goes_to=("o.pin_locked", "o.pin_enter"), route=pin_check),
    State("o.pin_locked", screen=pin_locked_screen),
    State("language", goes_to=("home",), screen=language_screen, on_input=language_input),
    State("home", goes_to=("c.menu", "o.menu", "role", "start"), route=home_route),
    State("help", screen=help_screen),
]
