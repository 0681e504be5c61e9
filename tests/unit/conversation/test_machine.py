"""Dialog graphs are validated when they are defined."""

import pytest

from core.conversation.dialogs import DIALOG
from core.conversation.machine import Dialog, DialogError, Screen, State, Step


def _screen(ctx):
    return Screen("menu.consumer")


def test_the_kerbside_dialog_is_valid_and_starts_at_start():
    assert DIALOG.initial.name == "start"
    assert {"c.menu", "o.menu", "c.book.confirm", "o.payouts"} <= set(DIALOG.states)


def test_two_initial_states_are_refused():
    with pytest.raises(DialogError, match="one initial"):
        Dialog(
            "x",
            [State("a", screen=_screen, initial=True), State("b", screen=_screen, initial=True)],
        )


def test_an_unreachable_state_is_refused():
    with pytest.raises(DialogError, match="unreachable"):
        Dialog("x", [State("a", screen=_screen, initial=True), State("b", screen=_screen)])


def test_an_unknown_target_is_refused():
    with pytest.raises(DialogError, match="unknown"):
        Dialog(
            "x",
            [
                State(
                    "a",
                    goes_to=("c",),
                    screen=_screen,
                    on_input=lambda c, v: Step("c"),
                    initial=True,
                )
            ],
        )


def test_an_undeclared_transition_is_refused_at_run_time():
    dialog = Dialog(
        "x",
        [
            State(
                "a", goes_to=("b",), screen=_screen, on_input=lambda c, v: Step("b"), initial=True
            ),
            State("b", screen=_screen),
        ],
    )
    dialog.check_transition("a", "b")
    with pytest.raises(DialogError):
        dialog.check_transition("b", "a")
