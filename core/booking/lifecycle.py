"""The booking state machine: a declared transitions table, and one function that moves a
booking along it and records the event (who, when, from, to) in the caller's transaction.

The event is a typed domain event (core/booking/events.py): recording it stores its row and
runs its handlers (core/handlers.py), so a move never notifies anyone itself."""

from __future__ import annotations

from typing import Any

from core.db import UnitOfWork

from .errors import IllegalTransitionError
from .events import MOVE_EVENTS, BookingChange
from .model import Booking
from .model import BookingStatus as S

TRANSITIONS: dict[str, frozenset[str]] = {
    S.REQUESTED: frozenset({S.OFFERED, S.CANCELLED, S.EXPIRED}),
    # offered -> offered: the offer moved on to the next operator.
    S.OFFERED: frozenset({S.OFFERED, S.ACCEPTED, S.CANCELLED, S.EXPIRED}),
    S.ACCEPTED: frozenset({S.EN_ROUTE, S.ARRIVED, S.CANCELLED, S.NO_SHOW}),
    S.EN_ROUTE: frozenset({S.ARRIVED, S.CANCELLED, S.NO_SHOW}),
    S.ARRIVED: frozenset({S.IN_PROGRESS, S.NO_SHOW, S.CANCELLED}),
    S.IN_PROGRESS: frozenset({S.COMPLETED}),
    S.COMPLETED: frozenset(),
    S.CANCELLED: frozenset(),
    S.EXPIRED: frozenset(),
    S.NO_SHOW: frozenset(),
}
INITIAL = S.REQUESTED
TERMINAL = frozenset(state for state, nexts in TRANSITIONS.items() if not nexts)
# The happy path, walked when an operator reports a later step without the ones between.
HAPPY_PATH = (S.ACCEPTED, S.EN_ROUTE, S.ARRIVED, S.IN_PROGRESS, S.COMPLETED)


def _validate_graph() -> None:
    states = set(TRANSITIONS)
    assert all(nexts <= states for nexts in TRANSITIONS.values()), "unknown target state"
    seen: set[str] = {INITIAL}
    todo: list[str] = [INITIAL]
    while todo:
        for nxt in TRANSITIONS[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    assert seen == states, f"unreachable states: {states - seen}"


_validate_graph()


def can_move(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


def record_event(
    uow: UnitOfWork,
    booking: Booking,
    from_status: str | None,
    to_status: str,
    actor_kind: str,
    actor_person_id: int | None,
    *,
    event_type: type[BookingChange] | None = None,
    **detail: Any,
) -> BookingChange:
    """Record the event of this change (by default the one `to_status` means); `detail` are
    the event's own fields. Its handlers run now, in the caller's transaction."""
    event = (event_type or MOVE_EVENTS[to_status])(
        booking_id=booking.id,
        from_status=from_status,
        to_status=to_status,
        actor_kind=actor_kind,
        actor_person_id=actor_person_id,
        at=uow.now(),
        **detail,
    )
    uow.record(event)
    return event


def record_in_place(
    uow: UnitOfWork,
    booking: Booking,
    event_type: type[BookingChange],
    actor_kind: str,
    actor_person_id: int | None,
    **detail: Any,
) -> BookingChange:
    """Record an event that leaves the status as it is (an offer declined or lapsed, a booking
    moved to another time, a rating)."""
    status = booking.status
    return record_event(
        uow, booking, status, status, actor_kind, actor_person_id, event_type=event_type, **detail
    )


def move(
    uow: UnitOfWork,
    booking: Booking,
    target: str,
    actor_kind: str,
    actor_person_id: int | None = None,
    **detail: Any,
) -> None:
    """Move `booking` to `target` or raise IllegalTransitionError; records the event."""
    current = booking.status
    if not can_move(current, target):
        raise IllegalTransitionError(f"{booking.ref}: {current} -> {target} is not allowed")
    booking.status = target
    booking.updated_at = uow.now()
    record_event(uow, booking, current, target, actor_kind, actor_person_id, **detail)


def walk_to(
    uow: UnitOfWork,
    booking: Booking,
    target: str,
    actor_kind: str,
    actor_person_id: int | None,
    **detail: Any,
) -> None:
    """Move along the happy path up to `target`, recording each step (e.g. DONE after YES);
    `detail` goes to the last step's event, the steps on the way are `walked_through`."""
    if booking.status not in HAPPY_PATH or target not in HAPPY_PATH:
        move(uow, booking, target, actor_kind, actor_person_id, **detail)
        return
    start, end = HAPPY_PATH.index(booking.status), HAPPY_PATH.index(target)
    if end <= start:
        raise IllegalTransitionError(f"{booking.ref}: {booking.status} -> {target} is not allowed")
    for step in HAPPY_PATH[start + 1 : end + 1]:
        if booking.status == S.ACCEPTED and step == S.EN_ROUTE and target != S.EN_ROUTE:
            continue  # accepted -> arrived is declared; no need to invent an en-route event
        if step == target:
            move(uow, booking, step, actor_kind, actor_person_id, **detail)
        else:
            move(uow, booking, step, actor_kind, actor_person_id, walked_through=True)
