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

_TAKE_DAY = text(
    """
    insert into operator_days (operator_id, day, used) values (:operator_id, :day, 1)
    on conflict (operator_id, day) do update set used = operator_days.used + 1
    where operator_days.used < :daily_capacity
    returning used
    """
)
_GIVE_BACK_DAY = text(
    "update operator_days set used = used - 1 "
    "where operator_id = :operator_id and day = :day and used > 0"
)
_TAKE_LANE = text(
    """
    insert into capacity_holds (booking_id, operator_id, lane, during, day)
    values (:booking_id, :operator_id, :lane, tstzrange(:start, :end, '[)'), :day)
    on conflict do nothing
    returning lane
    """
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
    session = uow.session
    params = {"operator_id": operator_id, "day": day, "daily_capacity": daily_capacity}
    if session.execute(_TAKE_DAY, params).scalar_one_or_none() is None:
        return False
    for lane in range(concurrent_capacity):
        taken = session.execute(
            _TAKE_LANE,
            {
                "booking_id": booking_id,
                "operator_id": operator_id,
                "lane": lane,
                "start": start,
                "end": end,
                "day": day,
            },
        ).scalar_one_or_none()
        if taken is not None:
            return True
    session.execute(_GIVE_BACK_DAY, {"operator_id": operator_id, "day": day})
    return False


def release(uow: UnitOfWork, booking_id: int) -> bool:
    """Give back whatever the booking holds. Idempotent: True only when something was held."""
    row = uow.session.execute(_RELEASE, {"booking_id": booking_id}).one_or_none()
    if row is None:
        return False
    uow.session.execute(_GIVE_BACK_DAY, {"operator_id": row.operator_id, "day": row.day})
    return True
