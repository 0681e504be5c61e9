"""Recurring bookings generated ahead by the scheduled job; demo seed is idempotent."""

from datetime import date, timedelta

from sqlalchemy import text

from core.booking import recurring
from core.booking import service as bookings
from kerbside.seed import seed_demo, seed_reference
from tests.booking_helpers import SANDTON, TWO_PM, catalogue, consumer, operator, table_counts
from workers import scheduler
from workers.platform import PlatformWorker


def _work(platform):
    PlatformWorker(platform).work(burst=True)


def _series_bookings(platform):
    with platform.engine.connect() as conn:
        return conn.execute(
            text("select start_at, status, operator_id from bookings order by start_at")
        ).all()


def test_weekly_series_books_ahead_with_the_same_operator(platform, clock):
    catalogue(platform)
    operator(platform, 1)
    operator(platform, 2)
    who = consumer(platform)
    uow = platform.uow()
    with uow:
        series = recurring.create_series(
            uow, who, "full_valet", *SANDTON, "Sandton", TWO_PM, "weekly"
        )
        uow.commit()
    # Seven days ahead are booked at once: today's and next week's.
    assert [r.start_at for r in _series_bookings(platform)] == [TWO_PM, TWO_PM + timedelta(days=7)]
    with platform.engine.connect() as conn:
        offered = conn.execute(
            text("select operator_id from offers where booking_id = 1")
        ).scalar_one()
    with uow:
        bookings.accept_offer(uow, offered, bookings.consumer_bookings(uow, who)[0].ref)
        uow.commit()
    with uow:
        view = recurring.skip_occurrence(uow, who, series.id, date(2026, 12, 2))
        uow.commit()
    assert _series_bookings(platform)[1].status == "cancelled"

    # A week on, the 02:00 job books 9 December, offered first to the operator who took one.
    clock.advance(days=7)
    scheduler.tick(platform)
    _work(platform)
    rows = _series_bookings(platform)
    assert [r.start_at for r in rows][-1] == TWO_PM + timedelta(days=14)
    with platform.engine.connect() as conn:
        latest_offer = conn.execute(
            text("select operator_id from offers where booking_id = 3")
        ).scalar_one()
    assert latest_offer == offered and view.frequency == "weekly"
    with uow:
        assert recurring.pause_series(uow, who, series.id).status == "paused"
        assert recurring.generate_due(uow) == 0
        uow.commit()
    with uow:
        assert recurring.cancel_series(uow, who, series.id).status == "cancelled"
        uow.commit()
    # Running generation again books nothing twice.
    with uow:
        assert recurring.generate_due(uow) == 0


def test_seed_is_idempotent(platform):
    first = seed_reference(platform) | seed_demo(platform)
    after_first = table_counts(platform)
    assert first == {"services": 4, "operators": 30, "consumers": 6}
    seed_reference(platform)
    seed_demo(platform)
    assert table_counts(platform) == after_first
    uow = platform.uow()
    with uow:
        assert [s.code for s in bookings.list_services(uow)] == [
            "exterior_wash", "full_valet", "interior_clean", "laundry_pickup"]  # fmt: skip
        # Rosebank, Johannesburg, tomorrow (Thursday): demo operators offer slots there.
        slots = bookings.find_slots(uow, "full_valet", -26.1457, 28.0417, day=date(2026, 11, 26))
    assert slots and all(12_000 <= s.price_cents <= 60_000 for s in slots)
    assert len(platform.operator_index.near(-26.1457, 28.0417, 25, 50)) >= 8
