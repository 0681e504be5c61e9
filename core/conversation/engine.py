"""The conversation engine: one entry point, `converse`, for USSD and SMS.

Each hop is one unit of work: load (and lock) the session row, apply the new input to the
dialog, run the step's commands through the core, save what was shown, commit. The engine
returns a structured `Prompt`; channels render it.

USSD (`channel="ussd"`): Africa's Talking sends the whole input history joined by `*`. A hop
whose text does not extend the recorded text (replayed, reordered, or for an unknown or expired
session) gets a fresh main menu, never an action on stale options; an exact repeat of the
latest hop (a gateway retry) gets the same answer again. SMS and other channels pass only the
new input.

Two entry points, one hop each: `converse` owns its transaction (USSD: open, hop, commit);
`converse_in` runs the hop inside a transaction the caller already holds and leaves committing to
the caller (SMS: the idempotency record, the dialog step and the reply commit together).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import DBAPIError

from core.db import UnitOfWork
from core.inbound.text import UNREADABLE, storable
from core.phones import mask
from core.settings import Settings

from . import commands as command_runner
from . import session_row
from .housekeeping import schedule_purge
from .layout import show_state
from .machine import Dialog, Reject, State, Step
from .prompt import BACK, MAIN_MENU, MORE, Prompt
from .reads import Reads
from .replay import fingerprint, input_after, prompt_from
from .session_row import PersonRow, SessionRow

log = logging.getLogger(__name__)

_show = show_state  # one name the engine calls, so the dialog-coverage test can watch it

MAX_INPUT = 60  # characters; longer input is refused without being looked at
MAX_ROUTES = 12  # a hop may pass through at most this many routing states


@dataclass
class HopContext:
    """What a state function may look at. `reads` is read-only; writes are commands."""

    person_id: int
    phone: str
    language: str
    channel: str
    session_key: str
    hop: int
    data: dict[str, Any]
    reads: Reads
    settings: Settings
    moment: datetime
    is_operator: bool = False
    is_consumer: bool = True
    pin_set: bool = False
    notice: str | None = None
    notice_params: dict[str, Any] = field(default_factory=dict)

    def now(self) -> datetime:
        return self.moment


def dialog() -> Dialog:
    from .dialogs import DIALOG

    return DIALOG


def converse(
    uow: UnitOfWork, phone: str, channel: str, session_id: str, text: str | None
) -> Prompt:
    """Apply one hop and return the next screen. Opens and commits its own transaction on `uow`
    (call it outside `with uow:`); if the hop raises, nothing of it is kept. `phone` is E.164.

    A hop that meets a connection the server dropped (the pool does not ping, decisions H1) runs
    once more on a new one: the first try committed nothing, or, if its COMMIT went through
    before the connection broke, the second try is answered as the gateway's retry would be."""
    for attempt in (1, 2):
        try:
            with uow:
                prompt = converse_in(uow, phone, channel, session_id, text)
                uow.commit()
            return prompt
        except DBAPIError as err:
            if attempt == 2 or not err.connection_invalidated:
                raise
            log.warning("hop met a dropped database connection; once more on a new one")
    raise AssertionError("unreachable")


def converse_in(
    uow: UnitOfWork,
    phone: str,
    channel: str,
    session_id: str,
    text: str | None,
    *,
    start: str | None = None,
) -> Prompt:
    """Apply one hop inside the caller's open transaction (call it inside `with uow:`) and
    return the next screen.

    Transactions: it writes through `uow.session` (session row, person, the step's commands,
    outbox rows) and flushes, but never commits, rolls back or ends the caller's transaction;
    everything becomes durable only when the caller commits, and a caller's rollback leaves no
    trace of the hop (no session row, no booking, no message). Commands run in savepoints of
    that transaction (a refused command is undone alone). If the hop raises, part of it may
    already be written: the caller must roll back, or run the call in its own savepoint and roll
    that back. After-commit callbacks fire on the caller's commit. Requires READ COMMITTED (the
    default): a hop that loses the race to create its session row waits for the winner's commit
    and re-reads the row.

    `start`: begin at this state of the dialog graph instead of the main menu. The session is
    started afresh (an open one is discarded, with its data) and the main menu that leads to
    `start` becomes "00" and the first "0" back; `text` is not applied. A PIN-protected state
    still asks the PIN first. Raises ValueError for a name the graph does not declare.

    Control characters (a NUL from a broken gateway) in `text` or `session_id` are replaced
    before anything is stored, and an input holding one is refused like any other input that
    is not a choice shown.
    """
    if start is not None and start not in dialog().states:
        raise ValueError(f"unknown dialog state {start!r}")
    return _converse(uow, phone, channel, storable(session_id), storable(text or ""), start)


def warm_up() -> None:
    """Import the dialogs and the modules they reach, and load the gazetteer, so that a
    worker's first hop is as fast as its others (call once per process at start-up)."""
    from core.booking import service  # noqa: F401 - what the dialogs reach
    from core.geo.gazetteer import search_areas

    dialog()
    search_areas("Sandton", limit=1)


def failure_prompt(language: str = "en") -> Prompt:
    """The short apology a channel shows when a hop failed inside."""
    return Prompt("error.internal", {}, (), True, language)


def _converse(
    uow: UnitOfWork,
    phone: str,
    channel: str,
    key: str,
    text: str,
    start: str | None,
    retried: bool = False,
) -> Prompt:
    """One hop in the caller's transaction, with no savepoint or rollback of its own: losing the
    race to create the session row writes nothing (ON CONFLICT DO NOTHING), so starting over
    once, now behind the winner's row lock, is safe inside any caller's transaction."""
    now = uow.now()
    uow.session.flush()  # the caller's pending ORM writes (a new person) before plain SQL
    conn = uow.session.connection()
    # One round trip in the steady state: the session row (locked) with its person.
    found = session_row.load(conn, channel, key)
    row: SessionRow | None = found[0] if found else None
    if found is not None and found[1].phone == phone:
        person: PersonRow = found[1]
    else:
        person = session_row.person(conn, phone)
        if row is not None:  # a session id reused by another number: never share a session
            session_row.drop(conn, row)
            row = None
    idle = (
        uow.settings.ussd_session_idle_seconds
        if channel == "ussd"
        else uow.settings.sms_session_idle_seconds
    )
    notice: str | None = None
    new_input: str | None = None
    if row is not None and start is not None:  # start afresh at `start`: drop the old session
        session_row.drop(conn, row)
        row = None
    fresh = row is not None and now - row.updated_at <= timedelta(seconds=idle)
    # What the row keeps of this hop's cumulative text: checked for a retry, then stored.
    digest = fingerprint(text, uow.settings.secret_bytes) if channel == "ussd" else ""
    if row is not None and fresh and channel == "ussd" and row.last_text == digest:
        # The gateway retried the latest hop (architecture.md 5): the same answer, nothing changes.
        return prompt_from(row.shown["prompt"])
    if row is not None and (row.ended_at is not None or not fresh):
        if channel != "ussd" or text:
            notice = "notice.expired" if row.ended_at is None else None
        session_row.drop(conn, row)
        row = None
    if channel == "ussd":
        if row is None:
            if text:
                notice = "notice.expired"
        elif (new_input := input_after(row.last_text, text, uow.settings.secret_bytes)) is None:
            notice = "notice.start_again"
            log.info("ussd hop does not extend the session; fresh menu for %s", mask(phone))
    elif row is not None and text:
        new_input = text
    if row is None:
        row = session_row.create(conn, channel, key, phone, person, now)
        if row is None:
            # The same session's hop, sent twice at once, created the row first: start again,
            # wait for its lock, and answer as for a retry.
            if retried:
                raise RuntimeError("conversation session row vanished twice")
            return _converse(uow, phone, channel, key, text, start, retried=True)
        schedule_purge(uow)
    ctx = HopContext(
        person_id=person.id,
        phone=phone,
        language=person.language,
        channel=channel,
        session_key=key,
        hop=row.hops,
        data=dict(row.data or {}),
        reads=Reads(uow, person.id),
        settings=uow.settings,
        moment=now,
        is_operator=person.is_operator,
        is_consumer=person.is_consumer,
        pin_set=person.pin_set,
    )
    flow = dialog()
    stack = list(row.stack or [])
    trail = [0]
    if new_input is None:
        ctx.data, stack = {}, []
        first = flow.initial if start is None else _enter_at(flow, ctx, flow[start], stack)
        state = _settle(uow, flow, ctx, first, stack)
    else:
        state, trail = _apply(uow, flow, ctx, row, stack, new_input)
    if notice:
        ctx.notice = notice
    prompt, shown = _show(flow, state, ctx, stack, trail)
    if new_input is None:  # a fresh menu: keep what came before, marked, never the replayed text
        row.history = [*(row.history or []), "(restart)"] if row.history else []
    else:
        secret = row.state in flow.states and flow[row.state].secret
        row.history = [*(row.history or []), "*" * len(new_input) if secret else new_input]
    row.last_text = digest
    row.state, row.stack, row.data, row.shown = state.name, stack, ctx.data, shown
    row.language, row.hops, row.updated_at = ctx.language, row.hops + 1, now
    if prompt.final:
        row.ended_at = now
    session_row.save(conn, row)
    return prompt


def _apply(
    uow: UnitOfWork,
    flow: Dialog,
    ctx: HopContext,
    row: SessionRow,
    stack: list[str],
    raw: str,
) -> tuple[State, list[int]]:
    """Apply one input to the state that was shown; return the state to show and where its
    page begins (the trail of page starts, see `_show`)."""
    current = flow[row.state] if row.state in flow.states else flow.initial
    shown: Mapping[str, Any] = row.shown or {}
    trail = [int(n) for n in shown.get("trail", [0])] or [0]
    raw = raw.strip()
    home = ctx.data.get("home")
    if len(raw) > MAX_INPUT:
        return _again(ctx, current, "notice.too_long"), trail
    if UNREADABLE in raw:  # a control character nobody types: never acted on
        return _again(ctx, current, "notice.not_a_choice"), trail
    if raw == MAIN_MENU and home in flow.states:
        stack.clear()
        return flow[home], [0]
    if raw == BACK and shown.get("kind") != "final" and (len(trail) > 1 or not current.main_menu):
        if len(trail) > 1:
            return current, trail[:-1]
        return _back(uow, flow, ctx, current, stack), [0]
    if raw == MORE and shown.get("more"):
        return current, [*trail, int(shown["next"])]
    kind = shown.get("kind", "choice")
    options: Mapping[str, str] = shown.get("options", {})
    if kind == "choice":
        if raw not in options:
            return _again(ctx, current, "notice.not_a_choice"), trail
        value = options[raw]
    elif kind == "text":
        if not raw:
            return _again(ctx, current, "notice.empty"), trail
        value = raw
    else:
        return _again(ctx, current, "notice.not_a_choice"), trail
    assert current.on_input is not None
    outcome = current.on_input(ctx, value)
    if isinstance(outcome, Reject):
        ctx.notice, ctx.notice_params = outcome.notice, dict(outcome.params)
        return current, trail
    target = _run_step(uow, flow, ctx, current, outcome)
    if target.name != current.name:
        stack.append(current.name)
    return _settle(uow, flow, ctx, target, stack), [0]


def _back(
    uow: UnitOfWork, flow: Dialog, ctx: HopContext, current: State, stack: list[str]
) -> State:
    """ "0 Back" always lands on a screen: the one before, else home, else where the dialog
    starts, following routing states. Where that is this very screen (an operator-only number's
    first PIN screen), it stays and says how to leave."""
    home = ctx.data.get("home")
    start = flow[home] if home in flow.states else flow.initial
    target = flow[stack.pop()] if stack else start
    state = _settle(uow, flow, ctx, target, stack)
    if state.name == current.name:
        ctx.notice = "notice.no_back"
    return state


def _again(ctx: HopContext, state: State, notice: str) -> State:
    ctx.notice = notice
    return state


def _run_step(uow: UnitOfWork, flow: Dialog, ctx: HopContext, source: State, step: Step) -> State:
    flow.check_transition(source.name, step.next)
    ctx.data.pop("error", None)
    for command in step.commands:
        error = command_runner.run(uow, ctx, command)
        if error is not None:
            ctx.data["error"] = error
            if step.on_error is None:
                raise RuntimeError(f"command {type(command).__name__} failed: {error}")
            flow.check_transition(source.name, step.on_error)
            ctx.notice = None
            return flow[step.on_error]
    ctx.data.update(step.data)
    if step.notice:
        ctx.notice = step.notice
    return flow[step.next]


def _enter_at(flow: Dialog, ctx: HopContext, state: State, stack: list[str]) -> State:
    """Begin at `state` as if chosen from the main menu that leads to it: that menu becomes home
    ("00") and the first "0" back, unless it needs the PIN (`00` skips the PIN check)."""
    menus = [s for s in flow.states.values() if s.main_menu and state.name in s.goes_to]
    if menus and not menus[0].pin_protected:
        ctx.data["home"] = menus[0].name
        stack.append(menus[0].name)
    return state


def _settle(
    uow: UnitOfWork, flow: Dialog, ctx: HopContext, state: State, stack: list[str]
) -> State:
    """Follow routing states until one that shows a screen."""
    for _ in range(MAX_ROUTES):
        if state.pin_protected and not ctx.data.get("pin_ok"):
            state = flow.initial
        if state.route is None:
            if state.main_menu:
                ctx.data["home"] = state.name
                stack.clear()
            return state
        state = _run_step(uow, flow, ctx, state, state.route(ctx))
    raise RuntimeError(f"dialog {flow.name}: too many routing steps")
