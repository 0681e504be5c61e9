"""Booking errors: flat classes with a stable `code` that channels turn into a short reply."""

from __future__ import annotations

from datetime import datetime

from core.errors import DomainError


class BookingError(DomainError):
    code = "booking_error"


class UnknownServiceError(BookingError):
    code = "unknown_service"


class OutsideAreaError(BookingError):
    code = "outside_area"


class TimeInPastError(BookingError):
    code = "time_in_past"


class TooFarAheadError(BookingError):
    code = "too_far_ahead"


class PriceOutOfBandError(BookingError):
    code = "price_out_of_band"


class NoLongerAvailableError(BookingError):
    """The slot or the operator's capacity was taken by someone else (or there is none)."""

    code = "no_longer_available"


class OfferGoneError(BookingError):
    """The offer was taken, declined, expired or never made to this operator."""

    code = "offer_gone"


class IllegalTransitionError(BookingError):
    code = "illegal_transition"


class TooEarlyError(BookingError):
    """On the way, arrived or done more than an hour before the booked start."""

    code = "too_early"

    def __init__(self, message: str, allowed_from: datetime | None = None) -> None:
        super().__init__(message)
        self.allowed_from = allowed_from  # UTC; the earliest moment the step is accepted


class TooManyOpenBookingsError(BookingError):
    """The consumer already has `MAX_OPEN_BOOKINGS` open unpaid bookings."""

    code = "too_many_open_bookings"


class TooManyBookingAttemptsError(BookingError):
    """This number asked for `BOOKING_ATTEMPTS_PER_HOUR` bookings in the current hour."""

    code = "too_many_booking_attempts"


class TooLateToMoveError(BookingError):
    """Inside the fee window a booking can no longer be moved, only cancelled (with the fee):
    otherwise moving it first would dodge the cancellation fee."""

    code = "too_late_to_move"


class NotFoundError(BookingError):
    code = "not_found"


class NotOperatorError(BookingError):
    code = "not_operator"


class InvalidRequestError(BookingError):
    """A value outside what the operation accepts (capacity below 1, unknown frequency...)."""

    code = "invalid_request"
