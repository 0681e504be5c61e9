"""Reserve and release operator capacity inside the caller's transaction (DESIGN.md 6).

No check-then-insert: the daily count is raised by a conditional upsert that returns nothing
when the day is full, and a concurrent unit is a row on a lane that an exclusion constraint
keeps from overlapping another hold on the same lane. `INSERT ... ON CONFLICT DO NOTHING` waits
for a competing transaction and then yields no row if it committed, so of any number of
simultaneous requests for the last unit exactly one gets it.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import text

from core.db import UnitOfWork

# One round trip: count the day (conditionally), then take the first free lane. With DO NOTHING
# the primary key on booking_id lets at most one of the lane rows in; a lane whose range
# overlaps another hold is skipped (after waiting for that hold's transaction to finish).
# Always returns one row: `used` is null when the day was full, `lane` null when no lane was.
_TAKE = text(
    """
    with day as (
        insert into operator_days (operator_id, day, used) values (:operator_id, :day, 1)
        on conflict (operator_id, day) do update set used = operator_days.used + 1
        where operator_days.used < :daily_capacity
        returning used
    ), held as (
        insert into capacity_holds (booking_id, operator_id, lane, during, day)
        select :booking_id, :operator_id, lane, tstzrange(:start, :end, '[)'), :day
        from generate_series(0, :lanes - 1) as lane
        where exists (select 1 from day)
        order by lane
        on conflict do nothing
        returning lane
    )
    select (select used from day) as used, (select lane from held) as lane
    """
)
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
    row = uow.session.execute(
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
    ).one()
    if row.lane is not None:
        return True
    if row.used is not None:  # the day was counted but no lane was free: give the day back
        uow.session.execute(_GIVE_BACK_DAY, {"operator_id": operator_id, "day": day})
    return False


def release(uow: UnitOfWork, booking_id: int) -> bool:
    """Give back whatever the booking holds. Idempotent: True only when something was held."""
    row = uow.session.execute(_RELEASE, {"booking_id": booking_id}).one_or_none()
    if row is None:
        return False
    uow.session.execute(_GIVE_BACK_DAY, {"operator_id": row.operator_id, "day": row.day})
    return True
