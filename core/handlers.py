"""Every domain event and what runs when it is recorded, in order: the one place to look
(architecture.md 12, core/events.py). Handlers run in the transaction of the change, before its
commit; one that raises rolls the change back. Every event type is listed, `()` when nothing
reacts to it yet (the ledger, loyalty and payouts will add theirs here).
"""

from __future__ import annotations

from collections.abc import Sequence

from core.booking import events as booking
from core.events import DomainEvent, Handler
from core.notify import bookings as notify
from core.payments import delivery as payment_delivery
from core.payments import events as payment

HANDLERS: dict[type[DomainEvent], Sequence[Handler]] = {
    booking.BookingRequested: (notify.booking_requested,),
    booking.BookingOffered: (notify.booking_offered,),
    booking.BookingAccepted: (notify.booking_accepted,),
    booking.OfferDeclined: (),
    booking.OfferExpired: (notify.offer_expired,),
    booking.BookingExpired: (notify.booking_expired,),
    booking.BookingEnRoute: (notify.booking_en_route,),
    booking.BookingArrived: (notify.booking_arrived,),
    booking.JobStarted: (),
    booking.BookingCompleted: (notify.booking_completed,),
    booking.BookingCancelled: (notify.booking_cancelled,),
    booking.BookingNoShow: (),
    booking.BookingRescheduled: (notify.booking_rescheduled,),
    booking.BookingRated: (),
    payment.PaymentStarted: (),
    payment.PaymentCallRequested: (payment_delivery.queue_call,),
    payment.PaymentCallFailed: (),
    payment.PaymentLinkCreated: (),
    payment.PaymentAuthorised: (),
    payment.PaymentCaptured: (),
    payment.PaymentFailed: (),
    payment.PaymentVoided: (),
    payment.PaymentRefunded: (),
    payment.PaymentRefundFailed: (),
    payment.PaymentDisputed: (),
    payment.PaymentHeldForReview: (),
    payment.PaymentDuplicateDetected: (),
}
