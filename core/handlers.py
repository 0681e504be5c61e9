"""Every domain event and what runs when it is recorded, in order: the one place to look
(architecture.md 12, core/events.py). Handlers run in the transaction of the change, before its
commit; one that raises rolls the change back. Every event type is listed, `()` when nothing
reacts to it yet (payments, loyalty and payouts will add theirs here). `kerbside/bootstrap.py`
hands this registry to every unit of work (`uow.handlers`); nothing in the core imports it.
"""

from __future__ import annotations

from collections.abc import Sequence

from core.booking import events as booking
from core.db import EventHandler
from core.events import DomainEvent
from core.notify import bookings as notify

HANDLERS: dict[type[DomainEvent], Sequence[EventHandler]] = {
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
}
