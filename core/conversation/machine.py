"""Dialogs declared as states with transitions, validated when they are defined.

A state either shows a screen and waits for input (`screen` + `on_input`), or routes at once
(`route`). Both are pure functions of the context: reads go through `ctx.reads` (a read-only
facade), and every write is a `Command` in the returned `Step`, run by the engine inside the
hop's unit of work. `Dialog(...)` raises `DialogError` unless there is one initial state, every
declared target exists and every state is reachable from the initial one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol


class DialogError(Exception):
    """The dialog graph is malformed (found at definition, never at run time)."""


@dataclass(frozen=True)
class Choice:
    """A numbered option a screen offers; `value` is what the state's handler receives."""

    value: str
    label_key: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Screen:
    """What a state shows. `kind`: "choice" (numbered), "text" (free input), "info" (lines and
    navigation only) or "final" (conversation ends)."""

    text_key: str
    params: Mapping[str, Any] = field(default_factory=dict)
    choices: tuple[Choice, ...] = ()
    kind: str = "choice"
    lines: tuple[Choice, ...] = ()  # plain, unnumbered lines (history, visits), paged like choices
    page_breaks: tuple[int, ...] = ()  # item indices that begin a new page (morning/afternoon)


@dataclass(frozen=True)
class Command:
    """Base of the write requests a step returns; see core/conversation/commands.py."""


@dataclass(frozen=True)
class Step:
    """Where to go next, what to remember, what to write.

    `data` is merged into the session data. If a command fails (a core error with a `code`),
    the engine undoes that command's writes and goes to `on_error` (with `error` = the code in
    the data) instead of `next`.
    """

    next: str
    data: Mapping[str, Any] = field(default_factory=dict)
    commands: tuple[Command, ...] = ()
    on_error: str | None = None
    notice: str | None = None


@dataclass(frozen=True)
class Reject:
    """The input is not acceptable here: show the same screen again with this notice."""

    notice: str
    params: Mapping[str, Any] = field(default_factory=dict)


class Context(Protocol):
    person_id: int
    language: str
    channel: str
    data: Mapping[str, Any]
    reads: Any

    def now(self) -> datetime: ...


ScreenFn = Callable[[Any], Screen]
InputFn = Callable[[Any, str], "Step | Reject"]
RouteFn = Callable[[Any], Step]


@dataclass(frozen=True)
class State:
    name: str
    goes_to: tuple[str, ...] = ()
    screen: ScreenFn | None = None
    on_input: InputFn | None = None
    route: RouteFn | None = None
    initial: bool = False
    main_menu: bool = False  # "00" lands here; "0" from here does nothing
    pin_protected: bool = False  # reaching it needs `pin_ok` in the session data
    secret: bool = False  # input is a PIN or account number: never stored in the history

    @property
    def waits(self) -> bool:
        return self.screen is not None


class Dialog:
    def __init__(self, name: str, states: Iterable[State]) -> None:
        self.name = name
        self.states: dict[str, State] = {}
        for state in states:
            if state.name in self.states:
                raise DialogError(f"{name}: state {state.name!r} declared twice")
            self.states[state.name] = state
        self._validate()

    @property
    def initial(self) -> State:
        return next(s for s in self.states.values() if s.initial)

    def __getitem__(self, name: str) -> State:
        return self.states[name]

    def check_transition(self, source: str, target: str) -> None:
        if target not in self.states[source].goes_to:
            raise DialogError(f"{self.name}: {source!r} may not go to {target!r}")

    def _validate(self) -> None:
        initials = [s.name for s in self.states.values() if s.initial]
        if len(initials) != 1:
            raise DialogError(f"{self.name}: expected one initial state, found {initials}")
        for state in self.states.values():
            if (state.screen is None) == (state.route is None):
                raise DialogError(f"{self.name}: {state.name!r} needs a screen or a route")
            if state.screen is not None and state.on_input is None and state.goes_to:
                raise DialogError(f"{self.name}: {state.name!r} has targets but no on_input")
            for target in state.goes_to:
                if target not in self.states:
                    raise DialogError(f"{self.name}: {state.name!r} goes to unknown {target!r}")
        seen, todo = set(), [initials[0]]
        while todo:
            current = todo.pop()
            if current in seen:
                continue
            seen.add(current)
            todo.extend(self.states[current].goes_to)
        unreachable = sorted(set(self.states) - seen)
        if unreachable:
            raise DialogError(f"{self.name}: unreachable states {unreachable}")
