"""Every booking and offer transition records its typed event: on the unit of work, in
`booking_events` (type + payload), with its handlers run in the same transaction; a handler
that raises rolls the transition back and nothing is sent (architecture.md 12)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import text

from core.booking import cascade
from core.booking import events as ev
from core.booking import service as bookings
from core.db import UnitOfWork
from core.errors import DomainError
from core.handlers import HANDLERS
from core.ratings.service import rate_booking
from tests.booking_helpers import SANDTON, TWO_PM, catalogue, consumer, operator


class Boom(Exception):
    pass


def _book(uow: UnitOfWork, world: dict[str, int]) -> Any:
    return bookings.request_booking(
        uow, world["consumer"], "full_valet", *SANDTON, "Sandton City", TWO_PM,
        idempotency_key="events",
    )  # fmt: skip


def _scalar(platform, sql: str, **params: Any) -> Any:
    with platform.engine.connect() as conn:
        return conn.execute(text(sql), params).scalar()


def _open_offer(platform) -> tuple[int, int]:
    with platform.engine.connect() as conn:
        row = conn.execute(text("select id, operator_id from offers where status = 'open'")).one()
    return int(row.id), int(row.operator_id)


def _step(platform, action: Callable[[UnitOfWork], Any]) -> None:
    uow = platform.uow()
    with uow:
        action(uow)
        uow.commit()


# Each transition: how to bring a booking to just before it, then the call that makes it.
Setup = Callable[[Any, dict[str, int]], None]
Act = Callable[[UnitOfWork, Any, dict[str, int]], Any]


def _booked(platform, world):
    _step(platform, lambda uow: world.update(ref=_book(uow, world).ref))


def _accepted(platform, world):
    _booked(platform, world)
    _, op = _open_offer(platform)
    world["op"] = op
    _step(platform, lambda uow: bookings.accept_offer(uow, op))


def _on_the_day(platform, world):
    _accepted(platform, world)
    platform.clock.set(TWO_PM - timedelta(minutes=20))


def _en_route(platform, world):
    _on_the_day(platform, world)
    _step(platform, lambda uow: bookings.mark_en_route(uow, world["op"], world["ref"], 10))


def _arrived(platform, world):
    _en_route(platform, world)
    _step(platform, lambda uow: bookings.mark_arrived(uow, world["op"], world["ref"]))


def _completed(platform, world):
    _arrived(platform, world)
    _step(platform, lambda uow: bookings.complete_job(uow, world["op"], world["ref"]))


def _late(platform, world):
    _accepted(platform, world)
    platform.clock.set(TWO_PM - timedelta(minutes=30))  # inside the free-cancel hour


def _offer_timed_out(platform, world):
    _booked(platform, world)
    world["offer"], world["op"] = _open_offer(platform)
    platform.clock.advance(seconds=platform.settings.offer_timeout_seconds + 1)


def _decline(uow, platform, world):
    _, op = _open_offer(platform)
    return bookings.decline_offer(uow, op, world["ref"])


def _rate(uow, platform, world):
    booking_id = _scalar(platform, "select id from bookings")
    return rate_booking(uow, world["consumer"], booking_id, world["ref"], 4,
                        operator_person_id=world["op"])  # fmt: skip


CASES: dict[str, tuple[Setup | None, Act, type[ev.BookingChange], dict[str, Any]]] = {
    "requested": (None, lambda uow, p, w: _book(uow, w), ev.BookingRequested, {}),
    "offered": (None, lambda uow, p, w: _book(uow, w), ev.BookingOffered, {"attempt": 1}),
    "accepted": (
        _booked,
        lambda uow, p, w: bookings.accept_offer(uow, _open_offer(p)[1], w["ref"]),
        ev.BookingAccepted,
        {},
    ),
    "declined": (_booked, _decline, ev.OfferDeclined, {}),
    "offer expired": (
        _offer_timed_out,
        lambda uow, p, w: cascade.expire_offer(uow, w["offer"]),
        ev.OfferExpired,
        {},
    ),
    "booking expired": (
        _offer_timed_out,
        lambda uow, p, w: cascade.expire_offer(uow, w["offer"]),
        ev.BookingExpired,
        {"reason": "no operator accepted"},
    ),
    "en route": (
        _on_the_day,
        lambda uow, p, w: bookings.mark_en_route(uow, w["op"], w["ref"], 12),
        ev.BookingEnRoute,
        {"eta_minutes": 12},
    ),
    "arrived": (
        _en_route,
        lambda uow, p, w: bookings.mark_arrived(uow, w["op"], w["ref"]),
        ev.BookingArrived,
        {"walked_through": False},
    ),
    "completed": (
        _arrived,
        lambda uow, p, w: bookings.complete_job(uow, w["op"], w["ref"]),
        ev.BookingCompleted,
        {"price_cents": 15_900, "commission_cents": 2_385, "operator_earn_cents": 13_515},
    ),
    "cancelled with a fee": (
        _late,
        lambda uow, p, w: bookings.cancel_booking(uow, w["consumer"], w["ref"]),
        ev.BookingCancelled,
        {"fee_cents": 5_000, "fee_rule": "late"},
    ),
    "no-show": (
        _on_the_day,
        lambda uow, p, w: bookings.mark_no_show(uow, w["op"], w["ref"]),
        ev.BookingNoShow,
        {},
    ),
    "rescheduled": (
        _accepted,
        lambda uow, p, w: bookings.reschedule_booking(
            uow, w["consumer"], w["ref"], TWO_PM + timedelta(hours=2)
        ),
        ev.BookingRescheduled,
        {"start_at": TWO_PM + timedelta(hours=2)},
    ),
    "rated": (_completed, _rate, ev.BookingRated, {"stars": 4}),
}


@pytest.fixture
def world(platform):
    catalogue(platform)
    # One operator: an offer that times out then expires the booking (the one-offer cases).
    return {"consumer": consumer(platform), "op": operator(platform, 1)}


def _prepare(platform, world, setup: Setup | None) -> None:
    if setup is not None:
        setup(platform, world)


def test_every_event_type_is_listed_with_its_handlers():
    # Concrete event types name themselves; their bases (BookingChange, OfferChange) do not.
    from core.payments import events as payment_events

    declared = {cls for module, base in ((ev, ev.BookingChange),
                                         (payment_events, payment_events.PaymentChange))
                for cls in vars(module).values() if isinstance(cls, type)
                and issubclass(cls, base) and "name" in vars(cls)}  # fmt: skip
    assert declared == set(HANDLERS)
    assert len({cls.name for cls in declared}) == len(declared)


@pytest.mark.parametrize("case", list(CASES))
def test_transition_records_its_event_and_runs_handlers_in_its_transaction(
    platform, world, monkeypatch, case
):
    setup, act, event_type, expected = CASES[case]
    _prepare(platform, world, setup)
    seen: list[tuple[ev.BookingChange, int, int]] = []

    def spy(uow: UnitOfWork, event: ev.BookingChange) -> None:
        txid = uow.session.execute(text("select txid_current()")).scalar_one()
        sent = uow.session.execute(text("select count(*) from outbox")).scalar_one()
        seen.append((event, txid, sent))

    monkeypatch.setitem(HANDLERS, event_type, (*HANDLERS[event_type], spy))
    sent_before = _scalar(platform, "select count(*) from outbox")
    uow = platform.uow()
    with uow:
        act(uow, platform, world)
        txid = uow.session.execute(text("select txid_current()")).scalar_one()
        recorded = [e for e in uow.events if type(e) is event_type]
        uow.commit()

    assert len(recorded) == 1, uow.events
    event = recorded[0]
    assert dataclasses.is_dataclass(event) and event.__dataclass_params__.frozen  # type: ignore[attr-defined]
    for name, value in expected.items():
        assert getattr(event, name) == value, name
    # The handlers ran with this very event, in the operation's own transaction, after the
    # notification handler registered before the spy had written its message.
    assert [(e, t) for e, t, _ in seen] == [(event, txid)]
    if any(h.__module__ == "core.notify.bookings" for h in HANDLERS[event_type][:-1]):
        assert seen[0][2] > sent_before
    with platform.engine.connect() as conn:
        rows = conn.execute(
            text(
                "select type, from_status, to_status, actor_kind, actor_person_id, detail "
                "from booking_events where type = :t order by id"
            ),
            {"t": event_type.name},
        ).all()
    assert len(rows) == 1
    row = rows[0]
    assert (row.type, row.from_status, row.to_status, row.actor_kind, row.actor_person_id) == (
        event.name, event.from_status, event.to_status, event.actor_kind, event.actor_person_id
    )  # fmt: skip
    assert row.detail == event.payload()
    assert "operator_phone" not in row.detail  # carried for the handler, never stored


@pytest.mark.parametrize("case", list(CASES))
def test_a_failing_handler_rolls_the_transition_back_and_sends_nothing(
    platform, world, monkeypatch, case
):
    setup, act, event_type, _ = CASES[case]
    _prepare(platform, world, setup)

    def boom(uow: UnitOfWork, event: ev.BookingChange) -> None:
        raise Boom(event.name)

    monkeypatch.setitem(HANDLERS, event_type, (*HANDLERS[event_type], boom))
    snapshot = "select (select count(*) from outbox), (select count(*) from booking_events), " \
        "(select count(*) from ratings), (select string_agg(status, ',') from bookings), " \
        "(select string_agg(status, ',' order by id) from offers)"  # fmt: skip
    with platform.engine.connect() as conn:
        before = tuple(conn.execute(text(snapshot)).one())
    uow = platform.uow()
    with uow, pytest.raises(Boom):
        act(uow, platform, world)
        uow.commit()
    with platform.engine.connect() as conn:
        assert tuple(conn.execute(text(snapshot)).one()) == before


def test_events_of_a_refused_savepoint_leave_the_unit_of_work(platform, world):
    """A dialog command refused inside its savepoint keeps no phantom event in memory."""
    _booked(platform, world)
    uow = platform.uow()
    with uow:
        with pytest.raises(DomainError), uow.session.begin_nested():
            bookings.accept_offer(uow, world["op"])
            assert [type(e) for e in uow.events] == [ev.BookingAccepted]
            bookings.mark_arrived(uow, world["op"], _scalar_in(uow, "select ref from bookings"))
        assert uow.events == []  # the acceptance was undone with its savepoint
        with uow.session.begin_nested():
            bookings.accept_offer(uow, world["op"])
        assert [type(e) for e in uow.events] == [ev.BookingAccepted]
        uow.commit()
    assert _scalar(platform, "select status from bookings") == "accepted"


def _scalar_in(uow: UnitOfWork, sql: str) -> Any:
    return uow.session.execute(text(sql)).scalar()
