"""Dispatch: the geo index, scoring and its explanation, and the offer cascade driven by the
SQL scheduler (ManualClock + scheduler.tick + a burst worker)."""

from datetime import timedelta

from sqlalchemy import text

from core.booking import operators as ops
from core.booking import service as bookings
from core.booking.why_not import why_not_offered
from core.dispatch.index_sync import rebuild_index
from kerbside.redis_ports import GEO_KEY
from tests.booking_helpers import (
    ROSEBANK,
    SANDTON,
    TWO_PM,
    catalogue,
    consumer,
    operator,
    outbox_rows,
)
from workers import scheduler
from workers.platform import PlatformWorker


def _work(platform):
    worker = PlatformWorker(platform)
    worker.work(burst=True)


def _open_offer(platform):
    with platform.engine.connect() as conn:
        return conn.execute(
            text("select operator_id from offers where status = 'open'")
        ).scalar_one_or_none()


def _book(platform, who, key="k"):
    uow = platform.uow()
    with uow:
        view = bookings.request_booking(uow, who, "full_valet", *SANDTON, "Sandton City", TWO_PM,
                                        idempotency_key=key)  # fmt: skip
        uow.commit()
    return view


def test_offer_timeouts_cascade_then_expire_and_tell_the_consumer(platform, clock):
    catalogue(platform)
    near = operator(platform, 1, SANDTON)
    far = operator(platform, 2, ROSEBANK)
    who = consumer(platform)
    view = _book(platform, who)
    assert _open_offer(platform) == near  # nearer scores higher, all else equal

    clock.advance(seconds=119)
    scheduler.tick(platform)
    _work(platform)
    assert _open_offer(platform) == near  # not yet due

    clock.advance(seconds=2)
    scheduler.tick(platform)
    _work(platform)
    assert _open_offer(platform) == far
    assert outbox_rows(platform, "booking.offer_lapsed")

    clock.advance(seconds=121)
    scheduler.tick(platform)
    _work(platform)
    assert _open_offer(platform) is None
    uow = platform.uow()
    with uow:
        assert bookings.consumer_bookings(uow, who, active_only=False)[0].status == "expired"
        holds = uow.session.execute(text("select count(*) from capacity_holds")).scalar_one()
    assert holds == 0
    (expired_sms,) = outbox_rows(platform, "booking.expired")
    assert view.ref in expired_sms[1] and "no operator could take" in expired_sms[1]


def test_max_attempts_expires_the_booking(platform, clock):
    catalogue(platform)
    platform.settings = platform.settings.replace(offer_max_attempts=1)
    try:
        operator(platform, 1, SANDTON)
        operator(platform, 2, ROSEBANK)
        who = consumer(platform)
        _book(platform, who)
        clock.advance(seconds=121)
        scheduler.tick(platform)
        _work(platform)
        assert _open_offer(platform) is None
        assert len(outbox_rows(platform, "booking.expired")) == 1
    finally:
        platform.settings = platform.settings.replace(offer_max_attempts=5)


def test_index_follows_online_offline_and_rebuilds_after_a_flush(platform):
    catalogue(platform)
    op = operator(platform, 1, SANDTON)
    index = platform.operator_index
    assert [i for i, _ in index.near(*SANDTON, 5, 10)] == [op]
    uow = platform.uow()
    with uow:
        ops.set_online(uow, op, False)
        assert [i for i, _ in index.near(*SANDTON, 5, 10)] == [op]  # not before commit
        uow.commit()
    assert index.near(*SANDTON, 5, 10) == []
    with uow:
        ops.set_online(uow, op, True)
        ops.set_location(uow, op, *ROSEBANK)
        uow.commit()
    ((found, km),) = index.near(*ROSEBANK, 1, 10)
    assert found == op and km < 0.1

    platform.redis.flushdb()
    assert not platform.redis.exists(GEO_KEY)
    who = consumer(platform)
    assert _book(platform, who).status == "offered"  # the missing index was rebuilt from SQL
    assert platform.redis.exists(GEO_KEY)
    assert rebuild_index(platform.uow()) == 1


def test_sql_rechecks_what_the_index_says(platform):
    """An operator left in the index by mistake (SQL says offline) gets no offer."""
    catalogue(platform)
    op = operator(platform, 1, SANDTON)
    with platform.engine.begin() as conn:
        conn.execute(text("update operators set online = false"))
    assert [i for i, _ in platform.operator_index.near(*SANDTON, 5, 10)] == [op]
    uow = platform.uow()
    with uow:
        assert bookings.find_slots(uow, "full_valet", *SANDTON) == []


def test_an_operator_whose_phone_opted_out_gets_no_offers(platform):
    """Offers go by SMS: an operator the gateway reports as opted out (error 21610,
    UserInBlackList) would only burn the offer window, so the next operator gets the job."""
    catalogue(platform)
    silent = operator(platform, 1, SANDTON)
    reachable = operator(platform, 2, ROSEBANK)
    with platform.engine.begin() as conn:
        conn.execute(text("update people set opted_out_at = now() where id = :id"), {"id": silent})
    who = consumer(platform)
    _book(platform, who)
    assert _open_offer(platform) == reachable


def test_score_breakdown_explains_why_not(platform):
    catalogue(platform)
    near = operator(platform, 1, SANDTON, expertise=5)
    far = operator(platform, 2, ROSEBANK, expertise=1)
    offline = operator(platform, 3, SANDTON, online=False)
    view = _book(platform, consumer(platform))
    assert _open_offer(platform) == near
    uow = platform.uow()
    with uow:
        mine = why_not_offered(uow, view.ref, near)
        other = why_not_offered(uow, view.ref, far)
        off = why_not_offered(uow, view.ref, offline)
    assert mine.offered and mine.outcome == "offered:open"
    assert other.outcome == "outranked" and other.your_score < other.chosen_score
    assert other.your_parts["expertise"] == 0.0 and other.chosen_parts["expertise"] == 1.0
    assert off.outcome == "not_eligible" and off.reasons == ["offline"]
    # A busy operator: another booking (made later) holds their only unit at that time.
    busy = operator(platform, 4, SANDTON)
    with platform.engine.begin() as conn:
        conn.execute(text("update operators set online = false where person_id = :p"), {"p": far})
    _book(platform, consumer(platform, 2), key="second")
    uow2 = platform.uow()
    with uow2:
        assert why_not_offered(uow2, view.ref, busy).reasons == ["fully booked at that time"]
    with uow:
        stored = uow.session.execute(text("select score from offers where id = 1")).scalar_one()
    assert set(stored["parts"]) == {"distance", "load", "expertise", "acceptance", "fairness"}


def test_decline_cooloff_keeps_the_operator_out_of_the_next_job(platform, clock):
    catalogue(platform)
    op = operator(platform, 1, SANDTON)
    view = _book(platform, consumer(platform, 1), key="a")
    uow = platform.uow()
    with uow:
        bookings.decline_offer(uow, op)  # the only candidate: the booking expires
        uow.commit()
    with uow:
        assert bookings.consumer_bookings(uow, view.consumer_id, active_only=False)[0].status == (
            "expired"
        )
        assert bookings.find_slots(uow, "full_valet", *SANDTON) == []  # cooling off
    clock.advance(seconds=901)
    with uow:
        assert bookings.find_slots(uow, "full_valet", *SANDTON)
    assert timedelta(seconds=platform.settings.decline_cooloff_seconds) == timedelta(minutes=15)


class _BrokenIndex:
    """A geo index whose Redis is down: every call fails."""

    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise ConnectionError("redis is down")

        return fail


def test_without_the_index_or_with_redis_down_sql_alone_dispatches(platform):
    catalogue(platform)
    near = operator(platform, 1, SANDTON)
    operator(platform, 2, (-33.9, 18.4))  # Cape Town: too far
    for index in (None, _BrokenIndex()):
        uow = platform.uow()
        uow.operator_index = index
        with uow:
            slots = bookings.find_slots(uow, "full_valet", *SANDTON)
            view = bookings.request_booking(uow, consumer(platform, index is None and 1 or 2),
                                            "full_valet", *SANDTON, "Sandton", slots[0].start,
                                            idempotency_key=f"sql-{index}")  # fmt: skip
            offered_to = uow.session.execute(
                text("select operator_id from offers where booking_id = :b"), {"b": view.id}
            ).scalar_one()
        assert offered_to == near
