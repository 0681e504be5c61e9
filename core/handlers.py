"""Every domain event and what runs when it is recorded, in order: the one place to look
(architecture.md 12, core/events.py). Handlers run in the transaction of the change, before its
commit; one that raises rolls the change back. Every event type is listed, `()` when nothing
reacts to it yet (loyalty and payouts will add theirs here). Ledger postings run before
notifications, so a refused posting sends nothing. `kerbside/bootstrap.py` hands this registry
to every unit of work (`uow.handlers`); nothing in the core imports it.
"""

from __future__ import annotations

from collections.abc import Sequence

from core.accounting import bookings as ledger
from core.accounting import payment_postings as card_ledger
from core.booking import events as booking
from core.db import EventHandler
from core.events import DomainEvent
from core.notify import bookings as notify
from core.payments import card_booking
from core.payments import delivery as payment_delivery
from core.payments import events as payment
from core.payments import lifecycle as pay
from core.payments import sync as payment_sync

HANDLERS: dict[type[DomainEvent], Sequence[EventHandler]] = {
    booking.BookingRequested: (notify.booking_requested,),
    booking.BookingOffered: (notify.booking_offered,),
    booking.BookingAccepted: (notify.booking_accepted,),
    booking.OfferDeclined: (),
    booking.OfferExpired: (notify.offer_expired,),
    booking.BookingExpired: (card_booking.give_up_payment, notify.booking_expired),
    booking.BookingEnRoute: (notify.booking_en_route,),
    booking.BookingArrived: (notify.booking_arrived,),
    booking.JobStarted: (),
    booking.BookingCompleted: (
        ledger.post_booking_completed,
        card_ledger.post_card_job,
        pay.capture_on_completion,
        notify.booking_completed,
    ),
    booking.BookingCancelled: (
        ledger.post_booking_cancelled,
        card_ledger.collect_fee,
        pay.settle_cancellation,
        notify.booking_cancelled,
    ),
    booking.BookingNoShow: (
        ledger.post_booking_no_show,
        card_ledger.collect_fee,
        pay.settle_no_show,
    ),
    booking.BookingRescheduled: (notify.booking_rescheduled,),
    booking.BookingRated: (),
    payment.PaymentStarted: (),
    payment.PaymentCallRequested: (payment_delivery.queue_call, payment_sync.on_call_requested),
    payment.PaymentCallFailed: (),
    payment.PaymentLinkCreated: (card_booking.send_link,),
    payment.PaymentAuthorised: (
        card_ledger.post_authorised,
        pay.capture_fee_charge,
        card_booking.dispatch_when_paid,
    ),
    payment.PaymentCaptured: (card_ledger.post_captured, card_booking.dispatch_when_paid),
    payment.PaymentFailed: (),
    payment.PaymentVoided: (card_ledger.post_voided,),
    payment.PaymentRefunded: (card_ledger.post_refunded,),
    payment.PaymentRefundFailed: (),
    payment.PaymentDisputed: (card_ledger.post_disputed,),
    payment.PaymentHeldForReview: (),
    payment.PaymentDuplicateDetected: (),
}
