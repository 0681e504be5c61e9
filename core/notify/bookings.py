"""Who is told what when a booking or offer event happens: one handler per event, each writing
its SMS to the outbox in the event's transaction (registered in core/handlers.py).

The idempotency keys are the ones the booking area used when it sent these messages inline, so
a message already queued under the old code is not queued again.
"""

from __future__ import annotations

from core.accounts.model import Person
from core.booking import events as ev
from core.booking.model import Booking, Service
from core.db import UnitOfWork
from core.notify.booking_texts import NAME_MAX, PLACE_MAX, rand, short, when_text

from .service import send_sms


def message_params(uow: UnitOfWork, booking: Booking, service: Service) -> dict[str, str]:
    """What every booking template may show (one GSM-7 segment with the longest values)."""
    operator_name = None
    if booking.operator_id is not None:
        person = uow.session.get(Person, booking.operator_id)
        operator_name = person.name if person else None
    return {
        "ref": booking.ref,
        "service": service.name,
        "when": when_text(booking.start_at, uow.now(), uow.settings.tz),
        "place": short(booking.place_name, PLACE_MAX),
        "price": rand(booking.price_cents),
        "earn": rand(booking.operator_earn_cents),
        "operator": short(operator_name or "Your operator", NAME_MAX),
    }


def _booking(uow: UnitOfWork, event: ev.BookingChange) -> tuple[Booking, dict[str, str]]:
    # Both are in the session already on every path that records an event: no query.
    booking = uow.session.get(Booking, event.booking_id)
    assert booking is not None
    service = uow.session.get(Service, booking.service_id)
    assert service is not None
    return booking, message_params(uow, booking, service)


def _person(uow: UnitOfWork, person_id: int | None) -> Person | None:
    return None if person_id is None else uow.session.get(Person, person_id)


def _tell_consumer(
    uow: UnitOfWork, event: ev.BookingChange, template: str, key: str | None = None, **extra: str
) -> None:
    booking, params = _booking(uow, event)
    consumer = _person(uow, booking.consumer_id)
    assert consumer is not None
    params.update(extra)
    # By default one message per (template, status reached, moment), as before events.
    key = key or f"{template}:{booking.id}:{booking.status}:{booking.updated_at.isoformat()}"
    send_sms(uow, consumer, template, params, key=key)


def booking_requested(uow: UnitOfWork, event: ev.BookingRequested) -> None:
    booking = uow.session.get(Booking, event.booking_id)
    if booking is not None and booking.payment_method == "card":
        return  # it waits for its payment: the payment link's SMS tells the consumer (PW6)
    _tell_consumer(uow, event, "booking.requested", key=f"booking-requested:{event.booking_id}")


def booking_offered(uow: UnitOfWork, event: ev.BookingOffered) -> None:
    """The offer to the operator. The hot path: the operator's phone and language came with
    the event, so a detached Person carries them to send_sms without a query."""
    _, params = _booking(uow, event)
    operator: Person | None = Person(
        id=event.operator_id, phone=event.operator_phone, language=event.operator_language
    )
    if not event.operator_phone:
        operator = _person(uow, event.operator_id)
    assert operator is not None
    minutes = max(1, round(uow.settings.offer_timeout_seconds / 60))
    params.update(km=f"{event.distance_km:.1f}", mins=str(minutes))
    send_sms(uow, operator, "booking.offer", params, key=f"offer:{event.offer_id}")


def booking_accepted(uow: UnitOfWork, event: ev.BookingAccepted) -> None:
    booking, params = _booking(uow, event)
    consumer, operator = _person(uow, booking.consumer_id), _person(uow, event.operator_id)
    assert consumer is not None and operator is not None
    send_sms(uow, consumer, "booking.confirmed", params, key=f"booking-confirmed:{event.offer_id}")
    send_sms(uow, operator, "booking.assigned", params, key=f"booking-assigned:{event.offer_id}")


def offer_expired(uow: UnitOfWork, event: ev.OfferExpired) -> None:
    operator = _person(uow, event.operator_id)
    if operator is not None:
        _, params = _booking(uow, event)
        key = f"offer-lapsed:{event.offer_id}"
        send_sms(uow, operator, "booking.offer_lapsed", params, key=key)


def booking_expired(uow: UnitOfWork, event: ev.BookingExpired) -> None:
    template = "payment.unpaid" if event.reason == "unpaid" else "booking.expired"
    _tell_consumer(uow, event, template, key=f"booking-expired:{event.booking_id}")


def booking_en_route(uow: UnitOfWork, event: ev.BookingEnRoute) -> None:
    _tell_consumer(uow, event, "booking.en_route", eta=str(event.eta_minutes))


def booking_arrived(uow: UnitOfWork, event: ev.BookingArrived) -> None:
    if not event.walked_through:  # DONE without ARRIVED: the consumer hears "done" only
        _tell_consumer(uow, event, "booking.arrived")


def booking_completed(uow: UnitOfWork, event: ev.BookingCompleted) -> None:
    _tell_consumer(uow, event, "booking.completed")


def booking_cancelled(uow: UnitOfWork, event: ev.BookingCancelled) -> None:
    """Cancelled by the consumer: they hear the fee, and every operator who held it or had its
    offer open hears it was cancelled. By the operator: the consumer hears it, free."""
    if event.actor_kind != "consumer":
        _tell_consumer(uow, event, "booking.cancelled_by_operator")
        return
    _tell_consumer(uow, event, "booking.cancelled", fee=rand(event.fee_cents))
    _, params = _booking(uow, event)
    assigned = [event.operator_id] if event.operator_id else []
    for operator_id in {*event.withdrawn_offer_operator_ids, *assigned}:
        operator = _person(uow, operator_id)
        if operator is not None:
            key = f"booking-cancelled-op:{event.booking_id}:{operator_id}"
            send_sms(uow, operator, "booking.cancelled_to_operator", params, key=key)


def booking_rescheduled(uow: UnitOfWork, event: ev.BookingRescheduled) -> None:
    """An assigned operator who keeps the job hears the new time (an unassigned booking is
    offered afresh: that offer is its own event)."""
    operator = _person(uow, event.kept_operator_id)
    if operator is not None:
        _, params = _booking(uow, event)
        key = f"booking-rescheduled:{event.booking_id}:{event.start_at.isoformat()}"
        send_sms(uow, operator, "booking.rescheduled", params, key=key)
