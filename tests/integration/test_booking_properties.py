"""Property: whatever sequence of book / cancel / accept / decline / expire / en-route /
complete happens, no operator is ever over capacity and every booking is in a legal state
that agrees with its events, offers and capacity holds."""

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from core.booking import service as bookings
from core.booking.errors import BookingError
from core.booking.lifecycle import TRANSITIONS
from core.jobs import service as jobs
from tests.booking_helpers import SANDTON, TWO_PM, catalogue, consumer, operator
from tests.conftest import START

SLOTS = [TWO_PM + timedelta(minutes=30 * k) for k in range(4)]

book = st.tuples(st.just("book"), st.integers(0, 2), st.integers(0, 3))
accept = st.tuples(st.just("accept"), st.integers(0, 2), st.booleans())
actions = st.lists(
    st.one_of(
        book,
        book,
        accept,
        accept,
        st.tuples(st.just("decline"), st.integers(0, 2), st.booleans()),
        st.tuples(st.just("expire"), st.none(), st.none()),
        st.tuples(st.just("cancel"), st.integers(0, 7), st.booleans()),
        st.tuples(st.just("en_route"), st.integers(0, 2), st.integers(0, 7)),
        st.tuples(st.just("complete"), st.integers(0, 2), st.integers(0, 7)),
    ),
    min_size=4,
    max_size=20,
)


def _reset(platform, clock):
    from kerbside.models import metadata

    names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    with platform.engine.begin() as conn:
        conn.execute(text(f"truncate {names} restart identity cascade"))
    platform.redis.flushdb()
    clock.set(START)
    catalogue(platform)
    ops = [operator(platform, n, concurrent=1 + n % 2, daily=3) for n in range(3)]
    people = [consumer(platform, n) for n in range(3)]
    return ops, people


def _refs(platform):
    with platform.engine.connect() as conn:
        return conn.execute(
            text("select ref, consumer_id, operator_id from bookings order by id")
        ).all()


def _offer_holders(platform):
    with platform.engine.connect() as conn:
        return list(
            conn.execute(text("select operator_id from offers where status = 'open'")).scalars()
        )


def _step(platform, clock, ops, people, action, n):
    kind, a, b = action
    uow = platform.uow()
    refs = _refs(platform)
    try:
        with uow:
            if kind == "book":
                bookings.request_booking(uow, people[a], "full_valet", *SANDTON, "Sandton",
                                         SLOTS[b], idempotency_key=f"p{n}")  # fmt: skip
            elif kind in ("accept", "decline"):
                # Mostly an operator who holds an open offer; sometimes anyone (must fail cleanly).
                holders = _offer_holders(platform)
                who = holders[a % len(holders)] if (b and holders) else ops[a]
                if kind == "accept":
                    bookings.accept_offer(uow, who)
                else:
                    bookings.decline_offer(uow, who)
            elif kind == "cancel" and refs:
                ref, consumer_id, operator_id = refs[a % len(refs)]
                who = operator_id if (b and operator_id) else consumer_id
                bookings.cancel_booking(uow, who, ref)
            elif kind in ("en_route", "complete") and refs:
                taken = [r for r in refs if r[2]] or refs
                ref, _, assigned = taken[b % len(taken)]
                who = assigned if (assigned and a) else ops[a]  # mostly the assigned operator
                if kind == "en_route":
                    bookings.mark_en_route(uow, who, ref)
                else:
                    bookings.complete_job(uow, who, ref)
            uow.commit()
    except BookingError:
        pass
    if kind == "expire":
        clock.advance(seconds=platform.settings.offer_timeout_seconds + 1)
        for job_id in jobs.claim_due(platform.uow()):
            jobs.run_job(platform.uow(), job_id)


def _check_invariants(platform):
    with platform.engine.connect() as conn:
        over = conn.execute(
            text(
                """
                select h.operator_id from capacity_holds h join operators o
                  on o.person_id = h.operator_id
                where (select count(*) from capacity_holds x where x.operator_id = h.operator_id
                       and x.during @> lower(h.during)) > o.concurrent_capacity
                """
            )
        ).all()
        assert over == [], "an operator is over concurrent capacity"
        days = conn.execute(
            text(
                """
                select d.used, o.daily_capacity,
                  (select count(*) from capacity_holds h
                   where h.operator_id = d.operator_id and h.day = d.day) as held
                from operator_days d join operators o on o.person_id = d.operator_id
                """
            )
        ).all()
        for used, daily, held in days:
            assert used == held <= daily, "daily count disagrees with holds or capacity"
        rows = conn.execute(
            text(
                """
                select b.id, b.status, b.operator_id,
                  (select count(*) from offers f where f.booking_id = b.id
                   and f.status = 'open') as open_offers,
                  (select operator_id from capacity_holds h where h.booking_id = b.id) as holder,
                  (select f.operator_id from offers f where f.booking_id = b.id
                   and f.status = 'open') as offered_to
                from bookings b
                """
            )
        ).all()
        for booking_id, status, operator_id, open_offers, holder, offered_to in rows:
            assert status in TRANSITIONS
            if status == "offered":
                assert open_offers == 1 and holder == offered_to
            elif status in ("accepted", "en_route", "arrived", "in_progress", "completed"):
                assert open_offers == 0 and operator_id is not None and holder == operator_id
            elif status in ("cancelled", "expired"):
                assert open_offers == 0 and holder is None
            events = conn.execute(
                text(
                    "select from_status, to_status from booking_events "
                    "where booking_id = :b order by id"
                ),
                {"b": booking_id},
            ).all()
            assert events[0] == (None, "requested") and events[-1][1] == status
            for before, after in events[1:]:
                assert before == after or after in TRANSITIONS[before]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=actions)
def test_capacity_and_states_hold_under_any_sequence(platform, clock, steps):
    ops, people = _reset(platform, clock)
    for n, action in enumerate(steps):
        _step(platform, clock, ops, people, action, n)
        _check_invariants(platform)
