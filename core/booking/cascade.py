"""The offer cascade: one exclusive, expiring offer at a time.

Every function runs in the caller's transaction and locks the booking row first (then the
offer), so acceptance, decline, expiry and cancellation of one booking serialise in one order
and cannot deadlock. Acceptance is a compare-and-set: of any number of simultaneous YES replies
exactly one moves the offer from open to accepted; the rest get OfferGoneError.
"""

from __future__ import annotations

import functools
import json
from datetime import timedelta
from typing import Any

from sqlalchemy import select, text, update
from sqlalchemy.orm.attributes import set_committed_value

from core.booking import capacity, lifecycle
from core.booking.errors import IllegalTransitionError, OfferGoneError
from core.booking.events import BookingOffered, OfferDeclined, OfferExpired
from core.booking.model import Booking, BookingStatus, Operator
from core.db import UnitOfWork
from core.dispatch.candidates import Candidate, JobWindow, breakdown, find_candidates
from core.dispatch.model import Offer, OfferStatus
from core.jobs import service as jobs

OFFER_EXPIRY_JOB = "dispatch.offer_expiry"


def expiry_key(offer_id: int) -> str:
    return f"offer-expiry:{offer_id}"


def lock_booking(uow: UnitOfWork, booking_id: int) -> Booking:
    booking = uow.session.scalar(
        select(Booking)
        .where(Booking.id == booking_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert booking is not None
    return booking


def offer_next_operator(
    uow: UnitOfWork, booking: Booking, *, candidates: list[Candidate] | None = None
) -> int | None:
    """Reserve the best available operator's capacity and offer them the job; returns its id.

    Returns None (and changes nothing) when attempts are used up or nobody can take it. The
    booking must hold no capacity when called. `candidates`, when the caller has just searched
    (request_booking), saves searching again."""
    settings = uow.settings
    if booking.offer_attempts >= settings.offer_max_attempts or booking.start_at <= uow.now():
        return None
    if candidates is None:
        candidates = _search(uow, booking)
    position = _reserve_first(uow, booking, candidates)
    if position is None:
        return None
    chosen = candidates[position]
    others = candidates[:position] + candidates[position + 1 :]
    return _send_offer(uow, booking, chosen, breakdown(chosen, others, settings.dispatch_weights))


def hold_capacity(uow: UnitOfWork, booking: Booking, candidates: list[Candidate]) -> bool:
    """Reserve the best available operator's capacity without offering the job (a booking
    waiting for its card payment, PW6); the offer follows the payment."""
    return _reserve_first(uow, booking, candidates) is not None


def _reserve_first(uow: UnitOfWork, booking: Booking, candidates: list[Candidate]) -> int | None:
    window = JobWindow.of(booking.start_at, booking.end_at, uow.settings.tz)
    if window is None:
        return None
    for position, chosen in enumerate(candidates):
        if capacity.reserve(
            uow,
            booking.id,
            chosen.operator_id,
            booking.start_at,
            booking.end_at,
            window.day,
            chosen.concurrent_capacity,
            chosen.daily_capacity,
        ):
            return position
    return None


def _search(uow: UnitOfWork, booking: Booking) -> list[Candidate]:
    tried = (
        set()
        if booking.offer_attempts == 0
        else set(
            uow.session.scalars(
                select(Offer.operator_id).where(
                    Offer.booking_id == booking.id,
                    Offer.status.in_([OfferStatus.DECLINED, OfferStatus.EXPIRED]),
                )
            )
        )
    )
    favourite = booking.favourite_operator_id if booking.offer_attempts == 0 else None
    return find_candidates(
        uow,
        booking.service_id,
        booking.lat,
        booking.lon,
        booking.start_at,
        booking.end_at,
        max_price_cents=booking.price_cents,
        exclude=tried,
        only_operator_id=favourite,
    )


# Dispatch is the hot path, so the writes that make an offer go in one round trip: the offer,
# the booking's move to `offered` with its event (the same row `lifecycle.move` would write,
# after the same legality check), the operator's offer count and the expiry job.
_MAKE_OFFER = text(
    """
    with made as (
        insert into offers (booking_id, operator_id, attempt, status, distance_km, earn_cents,
                            score, created_at, expires_at)
        values (:booking_id, :operator_id, :attempt, 'open', :distance_km, :earn_cents,
                cast(:score as jsonb), :now, :expires_at)
        returning id
    ), moved as (
        update bookings set status = 'offered', offer_attempts = :attempt, updated_at = :now
        where id = :booking_id
    ), event as (
        insert into booking_events (booking_id, type, from_status, to_status, actor_kind, at,
                                    detail)
        select :booking_id, :event_type, :from_status, 'offered', 'system', :now,
               cast(:detail as jsonb) || jsonb_build_object('offer_id', made.id)
        from made
    ), counted as (
        update operators set offers_received = offers_received + 1
        where person_id = :operator_id
    ), job as (
        insert into scheduled_jobs (kind, payload, due_at, status, attempts, max_attempts,
                                    dedupe_key, created_at)
        select :job_kind, jsonb_build_object('offer_id', made.id), :expires_at, 'pending', 0, 5,
               'offer-expiry:' || made.id, :now
        from made
        on conflict (dedupe_key) do nothing
    )
    select id from made
    """
)


def _send_offer(uow: UnitOfWork, booking: Booking, chosen: Candidate, score: dict[str, Any]) -> int:
    if not lifecycle.can_move(booking.status, BookingStatus.OFFERED):
        raise IllegalTransitionError(f"{booking.ref}: {booking.status} -> offered")
    now = uow.now()
    expires_at = now + timedelta(seconds=uow.settings.offer_timeout_seconds)
    attempt = booking.offer_attempts + 1
    event = functools.partial(
        BookingOffered,
        booking_id=booking.id,
        from_status=booking.status,
        to_status=BookingStatus.OFFERED.value,
        actor_kind="system",
        actor_person_id=None,
        at=now,
        operator_id=chosen.operator_id,
        attempt=attempt,
        score=float(score["total"]),
        distance_km=chosen.distance_km,
        expires_at=expires_at,
        operator_phone=chosen.phone,
        operator_language=chosen.language,
    )
    detail = event(offer_id=0).payload()
    del detail["offer_id"]  # the statement adds it once the offer row exists
    uow.session.flush()  # the booking row and anything pending must exist first
    offer_id = (
        uow.session.connection()
        .execute(
            _MAKE_OFFER,
            {
                "booking_id": booking.id,
                "operator_id": chosen.operator_id,
                "attempt": attempt,
                "distance_km": chosen.distance_km,
                "earn_cents": booking.operator_earn_cents,
                "score": json.dumps(score),
                "event_type": BookingOffered.name,
                "detail": json.dumps(detail),
                "now": now,
                "expires_at": expires_at,
                "from_status": booking.status,
                "job_kind": OFFER_EXPIRY_JOB,
            },
        )
        .scalar_one()
    )
    # Tell the ORM what the statement wrote, without another UPDATE.
    for name, value in (("status", BookingStatus.OFFERED.value), ("offer_attempts", attempt),
                        ("updated_at", now)):  # fmt: skip
        set_committed_value(booking, name, value)
    uow.record(event(offer_id=offer_id), stored=True)  # the statement wrote its row
    return int(offer_id)


def expire_booking(uow: UnitOfWork, booking: Booking, reason: str) -> None:
    """Nobody took it: release what it holds and mark it expired (its event tells the consumer)."""
    capacity.release(uow, booking.id)
    lifecycle.move(uow, booking, BookingStatus.EXPIRED, "system", None, reason=reason)


def move_on(uow: UnitOfWork, booking: Booking, reason: str) -> int | None:
    """The current offer ended without acceptance: next operator, or expire the booking."""
    capacity.release(uow, booking.id)
    offer = offer_next_operator(uow, booking)
    if offer is None:
        expire_booking(uow, booking, reason)
    return offer


def find_offer(uow: UnitOfWork, operator_person_id: int, ref: str | None) -> Offer:
    """The operator's offer for booking `ref` (latest), or their single open offer."""
    stmt = select(Offer).where(Offer.operator_id == operator_person_id)
    if ref is not None:
        stmt = stmt.join(Booking, Booking.id == Offer.booking_id).where(Booking.ref == ref)
    else:
        stmt = stmt.where(Offer.status == OfferStatus.OPEN, Offer.expires_at > uow.now())
    offer = uow.session.scalar(stmt.order_by(Offer.expires_at.desc(), Offer.id.desc()).limit(1))
    if offer is None:
        raise OfferGoneError("no such offer for this operator")
    return offer


_CAS = text(
    """
    update offers set status = :to, responded_at = :now
    where id = :id and status = 'open' and (:ignore_expiry or expires_at > :now)
    returning id
    """
)


def _compare_and_set(uow: UnitOfWork, offer_id: int, to: str, *, ignore_expiry: bool) -> bool:
    row = uow.session.execute(
        _CAS, {"id": offer_id, "to": to, "now": uow.now(), "ignore_expiry": ignore_expiry}
    ).one_or_none()
    return row is not None


def accept(uow: UnitOfWork, operator_person_id: int, ref: str | None) -> Booking:
    offer = find_offer(uow, operator_person_id, ref)
    booking = lock_booking(uow, offer.booking_id)
    if not _compare_and_set(uow, offer.id, OfferStatus.ACCEPTED, ignore_expiry=False):
        if booking.operator_id == operator_person_id and booking.status != BookingStatus.OFFERED:
            uow.session.refresh(offer)
            if offer.status == OfferStatus.ACCEPTED:
                return booking  # a repeated YES from the winner changes nothing
        raise OfferGoneError(f"offer for {booking.ref} is no longer open")
    booking.operator_id = operator_person_id
    lifecycle.move(
        uow,
        booking,
        BookingStatus.ACCEPTED,
        "operator",
        operator_person_id,
        offer_id=offer.id,
        operator_id=operator_person_id,
    )
    uow.session.execute(
        update(Operator)
        .where(Operator.person_id == operator_person_id)
        .values(offers_accepted=Operator.offers_accepted + 1)
    )
    jobs.cancel(uow, expiry_key(offer.id))
    return booking


def decline(uow: UnitOfWork, operator_person_id: int, ref: str | None) -> Booking:
    offer = find_offer(uow, operator_person_id, ref)
    booking = lock_booking(uow, offer.booking_id)
    if not _compare_and_set(uow, offer.id, OfferStatus.DECLINED, ignore_expiry=True):
        raise OfferGoneError(f"offer for {booking.ref} is no longer open")
    cooloff = uow.now() + timedelta(seconds=uow.settings.decline_cooloff_seconds)
    uow.session.execute(
        update(Operator)
        .where(Operator.person_id == operator_person_id)
        .values(cooloff_until=cooloff)
    )
    lifecycle.record_in_place(
        uow, booking, OfferDeclined, "operator", operator_person_id,
        offer_id=offer.id, operator_id=operator_person_id,
    )  # fmt: skip
    jobs.cancel(uow, expiry_key(offer.id))
    move_on(uow, booking, "declined")
    return booking


def expire_offer(uow: UnitOfWork, offer_id: int) -> bool:
    """Time out an open offer whose time is up and move on. False if it was already settled."""
    booking_id = uow.session.scalar(select(Offer.booking_id).where(Offer.id == offer_id))
    if booking_id is None:
        return False
    booking = lock_booking(uow, booking_id)
    row = uow.session.execute(
        text(
            "update offers set status = 'expired', responded_at = :now "
            "where id = :id and status = 'open' and expires_at <= :now returning operator_id"
        ),
        {"id": offer_id, "now": uow.now()},
    ).one_or_none()
    if row is None:
        return False
    lifecycle.record_in_place(
        uow, booking, OfferExpired, "system", None, offer_id=offer_id, operator_id=row.operator_id
    )
    move_on(uow, booking, "no operator accepted")
    return True


def withdraw_open_offers(uow: UnitOfWork, booking: Booking) -> list[int]:
    """Close the booking's open offer (cancel/reschedule). Returns the operators it was with."""
    rows = uow.session.execute(
        text(
            "update offers set status = 'withdrawn', responded_at = :now "
            "where booking_id = :id and status = 'open' returning id, operator_id"
        ),
        {"id": booking.id, "now": uow.now()},
    ).all()
    for row in rows:
        jobs.cancel(uow, expiry_key(row.id))
    return [int(r.operator_id) for r in rows]
