"""Reserve and release operator capacity inside the caller's transaction (architecture.md 6).

No check-then-insert: a concurrent unit is a row on a lane that an exclusion constraint keeps
from overlapping another hold on the same lane, and the daily count is raised by a conditional
upsert that returns nothing when the day is full. `INSERT ... ON CONFLICT DO NOTHING` waits
for a competing transaction and then yields no row if it committed, so of any number of
simultaneous requests for the last unit exactly one gets it.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import text

from core.db import UnitOfWork

# One round trip: take the first free lane, then (only if one was free) count the day,
# conditionally. With DO NOTHING the primary key on booking_id lets at most one lane row in; a
# lane whose range overlaps another hold is skipped after waiting for that hold's transaction.
# Lane first: the usual failure (every lane busy) leaves this transaction holding no lock, so
# trying the next candidate cannot deadlock with a competitor trying them the other way round.
# Always returns one row: `lane` null when no lane was free, `used` null when the day was full.
_TAKE = text(
    """
    with held as (
        insert into capacity_holds (booking_id, operator_id, lane, during, day)
        select :booking_id, :operator_id, lane, tstzrange(:start, :end, '[)'), :day
        from generate_series(0, :lanes - 1) as lane
        order by lane
        on conflict do nothing
        returning lane
    ), day as (
        insert into operator_days (operator_id, day, used)
        select :operator_id, :day, 1 where exists (select 1 from held)
        on conflict (operator_id, day) do update set used = operator_days.used + 1
        where operator_days.used < :daily_capacity
        returning used
    )
    select (select lane from held) as lane, (select used from day) as used
    """
)
_DROP_HOLD = text("delete from capacity_holds where booking_id = :booking_id")
_GIVE_BACK_DAY = text(
    "update operator_days set used = used - 1 "
    "where operator_id = :operator_id and day = :day and used > 0"
)
_RELEASE = text(
    "delete from capacity_holds where booking_id = :booking_id returning operator_id, day"
)


def reserve(
    uow: UnitOfWork,
    booking_id: int,
    operator_id: int,
    start: datetime,
    end: datetime,
    day: date,
    concurrent_capacity: int,
    daily_capacity: int,
) -> bool:
    """Hold one unit of the operator's capacity for [start, end). False: the operator is full.

    The booking must hold nothing yet (call `release` first when moving it)."""
    uow.session.flush()  # the booking row must exist (free when nothing is pending)
    row = (
        uow.session.connection()
        .execute(  # plain Core: no ORM state involved
            _TAKE,
            {
                "booking_id": booking_id,
                "operator_id": operator_id,
                "start": start,
                "end": end,
                "day": day,
                "daily_capacity": daily_capacity,
                "lanes": concurrent_capacity,
            },
        )
        .one()
    )
    if row.lane is not None and row.used is not None:
        return True
    if row.lane is not None:  # a lane was free but the day is full: drop the lane again
        uow.session.execute(_DROP_HOLD, {"booking_id": booking_id})
    return False


def release(uow: UnitOfWork, booking_id: int) -> bool:
    """Give back whatever the booking holds. Idempotent: True only when something was held."""
    row = uow.session.execute(_RELEASE, {"booking_id": booking_id}).one_or_none()
    if row is None:
        return False
    uow.session.execute(_GIVE_BACK_DAY, {"operator_id": row.operator_id, "day": row.day})
    return True
