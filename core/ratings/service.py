"""Record a rating for a completed booking. Runs in the caller's transaction; idempotent per
(booking, person): rating again replaces the stars. Each rating records a BookingRated event."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.dialects.postgresql import insert

from core.booking import lifecycle
from core.booking.events import BookingRated
from core.booking.model import Booking
from core.db import UnitOfWork
from core.errors import DomainError

from .model import Rating


class RatingError(DomainError):
    code = "rating_invalid"


class StarsOutOfRangeError(RatingError):
    code = "stars_out_of_range"


@dataclass(frozen=True)
class RatingView:
    booking_ref: str
    stars: int


def rate_booking(
    uow: UnitOfWork,
    person_id: int,
    booking_id: int,
    booking_ref: str,
    stars: int,
    *,
    operator_person_id: int | None = None,
    channel: str = "sms",
) -> RatingView:
    if not 1 <= stars <= 5:
        raise StarsOutOfRangeError(str(stars))
    now = uow.now()
    uow.session.execute(
        insert(Rating)
        .values(
            booking_id=booking_id,
            booking_ref=booking_ref,
            person_id=person_id,
            operator_person_id=operator_person_id,
            stars=stars,
            channel=channel,
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_update(
            index_elements=["booking_id", "person_id"], set_={"stars": stars, "updated_at": now}
        )
    )
    booking = uow.session.get(Booking, booking_id)
    assert booking is not None
    operator_id = operator_person_id
    lifecycle.record_in_place(
        uow, booking, BookingRated, "consumer", person_id, stars=stars, operator_id=operator_id
    )
    return RatingView(booking_ref, stars)
