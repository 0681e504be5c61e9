"""'Why did I not get this job?' answered from the offer rows' stored score breakdowns, or,
for an operator never ranked, from the same checks candidate search applies."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select, text

from core.booking.errors import NotFoundError
from core.booking.model import (
    Booking,
    HoursException,
    Operator,
    OperatorDay,
    OperatorService,
    WorkingHours,
)
from core.booking.refs import normalise_ref
from core.db import UnitOfWork
from core.dispatch.candidates import JobWindow
from core.dispatch.distance import haversine_km
from core.dispatch.model import Offer


@dataclass(frozen=True)
class WhyNotView:
    ref: str
    offered: bool
    outcome: str  # offered:<status> | outranked | not_eligible
    reasons: list[str] = field(default_factory=list)
    your_score: float | None = None
    chosen_score: float | None = None
    your_parts: dict[str, float] = field(default_factory=dict)
    chosen_parts: dict[str, float] = field(default_factory=dict)


def why_not_offered(uow: UnitOfWork, ref: str, operator_person_id: int) -> WhyNotView:
    booking = uow.session.scalar(
        select(Booking).where(Booking.ref == normalise_ref(ref)).order_by(Booking.id.desc())
    )
    if booking is None:
        raise NotFoundError(f"no booking {ref}")
    offers = list(
        uow.session.scalars(select(Offer).where(Offer.booking_id == booking.id).order_by(Offer.id))
    )
    for offer in offers:
        if offer.operator_id == operator_person_id:
            return WhyNotView(booking.ref, True, f"offered:{offer.status}",
                              your_score=offer.score.get("total"),
                              your_parts=offer.score.get("parts", {}))  # fmt: skip
    for offer in offers:
        for other in offer.score.get("others", []):
            if other["operator_id"] == operator_person_id:
                return WhyNotView(
                    booking.ref, False, "outranked",
                    reasons=["another operator scored higher"],
                    your_score=other["total"], chosen_score=offer.score.get("total"),
                    your_parts=other["parts"], chosen_parts=offer.score.get("parts", {}),
                )  # fmt: skip
    return WhyNotView(booking.ref, False, "not_eligible",
                      reasons=_eligibility_reasons(uow, booking, operator_person_id))  # fmt: skip


def _eligibility_reasons(uow: UnitOfWork, booking: Booking, operator_id: int) -> list[str]:
    """Why candidate search would (now) leave this operator out. Empty: nothing stands out
    (they were beyond the nearest candidates, or things changed since)."""
    operator = uow.session.get(Operator, operator_id)
    if operator is None:
        return ["not an operator"]
    reasons = []
    if not operator.online:
        reasons.append("offline")
    if operator.cooloff_until and operator.cooloff_until > booking.created_at:
        reasons.append("cooling off after a declined offer")
    sells = uow.session.get(OperatorService, (operator_id, booking.service_id))
    if sells is None:
        reasons.append("does not offer this service")
    elif sells.price_cents > booking.price_cents:
        reasons.append("price above the booking's price")
    if haversine_km(operator.home_lat, operator.home_lon, booking.lat, booking.lon) > (
        operator.radius_km
    ):
        reasons.append("outside service area")
    if haversine_km(operator.lat, operator.lon, booking.lat, booking.lon) > (
        uow.settings.dispatch_radius_km
    ):
        reasons.append("too far away")
    window = JobWindow.of(booking.start_at, booking.end_at, uow.settings.tz)
    if window is not None and not _works(uow, operator_id, window):
        reasons.append("not working at that time")
    if window is not None:
        busy = uow.session.execute(
            text(
                "select count(*) from capacity_holds where operator_id = :op "
                "and booking_id <> :b and during && tstzrange(:s, :e, '[)')"
            ),
            {"op": operator_id, "b": booking.id, "s": booking.start_at, "e": booking.end_at},
        ).scalar_one()
        if busy >= operator.concurrent_capacity:
            reasons.append("fully booked at that time")
        used = uow.session.get(OperatorDay, (operator_id, window.day))
        if used is not None and used.used >= operator.daily_capacity:
            reasons.append("fully booked that day")
    return reasons


def _works(uow: UnitOfWork, operator_id: int, window: JobWindow) -> bool:
    exception = uow.session.scalar(
        select(HoursException).where(
            HoursException.operator_id == operator_id, HoursException.day == window.day
        )
    )
    if exception is not None:
        return bool(
            exception.opens and exception.closes
            and exception.opens <= window.t0 and exception.closes >= window.t1
        )  # fmt: skip
    return any(
        w.opens <= window.t0 and w.closes >= window.t1
        for w in uow.session.scalars(
            select(WorkingHours).where(
                WorkingHours.operator_id == operator_id, WorkingHours.weekday == window.weekday
            )
        )
    )
