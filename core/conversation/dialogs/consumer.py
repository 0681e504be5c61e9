"""The consumer main menu and its short branches: points, subscription, becoming an operator."""

from __future__ import annotations

from typing import Any

from ..commands import RegisterOperatorInterest
from ..display import cut
from ..machine import Choice, Screen, State, Step

MENU = (
    ("book", "c.book.service", "menu.book"),
    ("mine", "c.mine", "menu.mine"),
    ("points", "c.points", "menu.points"),
    ("subscription", "c.subscription", "menu.subscription"),
    ("language", "language", "menu.language"),
    ("help", "help", "menu.help"),
    ("operator", "c.operator", "menu.become_operator"),
)
TARGETS = {value: target for value, target, _ in MENU}


def menu_screen(ctx: Any) -> Screen:
    return Screen("menu.consumer", choices=tuple(Choice(v, label) for v, _, label in MENU))


def menu_input(ctx: Any, value: str) -> Step:
    return Step(TARGETS[value])


def points_screen(ctx: Any) -> Screen:
    balance = ctx.reads.points_balance()
    return Screen(
        "points.text",
        {"points": balance},
        choices=(Choice("history", "points.history"), Choice("redeem", "points.redeem")),
    )


def points_input(ctx: Any, value: str) -> Step:
    return Step("c.points.history" if value == "history" else "c.points.redeem")


def points_history_screen(ctx: Any) -> Screen:
    entries = ctx.reads.points_history()
    if not entries:
        return Screen("points.none", kind="info")
    lines = tuple(
        Choice("", "points.entry", {"points": e.points, "reason": cut(e.reason, 20)})
        for e in entries
    )
    return Screen("points.history_title", kind="info", lines=lines)


def points_redeem_screen(ctx: Any) -> Screen:
    balance = ctx.reads.points_balance()
    return Screen("points.none" if balance <= 0 else "points.redeem_at_booking", kind="info")


def operator_interest_input(ctx: Any, value: str) -> Step:
    return Step("c.operator.done", commands=(RegisterOperatorInterest(),))


STATES = [
    State(
        "c.menu",
        goes_to=tuple(TARGETS.values()),
        screen=menu_screen,
        on_input=menu_input,
        main_menu=True,
    ),
    State(
        "c.points",
        goes_to=("c.points.history", "c.points.redeem"),
        screen=points_screen,
        on_input=points_input,
    ),
    State("c.points.history", screen=points_history_screen),
    State("c.points.redeem", screen=points_redeem_screen),
    State("c.subscription", screen=lambda ctx: Screen("subscription.soon", kind="info")),
    State(
        "c.operator",
        goes_to=("c.operator.done",),
        screen=lambda ctx: Screen(
            "operator_interest.text", choices=(Choice("yes", "operator_interest.yes"),)
        ),
        on_input=operator_interest_input,
    ),
    State("c.operator.done", screen=lambda ctx: Screen("operator_interest.done", kind="final")),
]
