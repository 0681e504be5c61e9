"""How much one consumer may book (trial defect 9): one phone must not hold a suburb's capacity.

- At most `MAX_OPEN_BOOKINGS` open unpaid bookings per consumer (every active booking is unpaid
  until payments are built: cash is paid at the door). Enforced inside the booking transaction
  after locking the consumer's row, so racing requests of one consumer queue behind each other
  and the count each one sees includes the bookings of those before it (architecture.md 6).
- At most `BOOKING_ATTEMPTS_PER_HOUR` requests per number per clock hour, failed ones included
  (that is what a script does), counted in Redis under a keyed digest of the number; without
  Redis the attempts are not limited (the open-bookings cap still holds).
Occurrences of a recurring series are booked by the scheduler, not asked for: neither applies.
A setting of 0 turns its limit off.
"""

from __future__ import annotations

from sqlalchemy import func, select

from core.accounts.model import Person
from core.db import UnitOfWork
from core.phones import phone_digest

from .errors import NotFoundError, TooManyBookingAttemptsError, TooManyOpenBookingsError
from .model import ACTIVE_STATUSES, Booking

HOUR = 3600


def count_attempt(uow: UnitOfWork, consumer_id: int) -> None:
    """Count this booking request against the number's hourly allowance, or refuse it."""
    limit, counter = uow.settings.booking_attempts_per_hour, uow.counter
    if limit <= 0 or counter is None:
        return
    phone = uow.session.scalar(select(Person.phone).where(Person.id == consumer_id))
    if phone is None:
        raise NotFoundError(f"no person {consumer_id}")
    hour = int(uow.now().timestamp() // HOUR)
    key = f"booking:attempts:{phone_digest(phone, uow.settings.secret_bytes)}:{hour}"
    hits = counter.hit(key, 2 * HOUR)
    if hits is not None and hits > limit:
        raise TooManyBookingAttemptsError(f"{hits} booking attempts this hour (limit {limit})")


def lock_consumer(uow: UnitOfWork, consumer_id: int) -> None:
    """Lock the consumer's row until the transaction ends: one booking request at a time."""
    locked = uow.session.scalar(select(Person.id).where(Person.id == consumer_id).with_for_update())
    if locked is None:
        raise NotFoundError(f"no person {consumer_id}")


def check_open_bookings(uow: UnitOfWork, consumer_id: int) -> None:
    """Refuse a new booking once the consumer holds the cap. Call after `lock_consumer`."""
    cap = uow.settings.max_open_bookings
    if cap <= 0:
        return
    held = uow.session.scalar(
        select(func.count())
        .select_from(Booking)
        .where(
            Booking.consumer_id == consumer_id,
            Booking.status.in_(ACTIVE_STATUSES),
            Booking.series_id.is_(None),
        )
    )
    if (held or 0) >= cap:
        raise TooManyOpenBookingsError(f"{held} open bookings (limit {cap})")
