"""The read-only facade dialogs see (`ctx.reads`): every query a screen needs, nothing that
writes. It adapts the booking contract, the gazetteer, saved places, loyalty and payouts so
that dialog code stays pure and unit tests can pass a fake."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from core.accounts.model import Person
from core.accounts.pin import tries_left
from core.accounts.saved_places import PlaceView, saved_places
from core.booking import service as bookings
from core.booking.availability import ensure_serves_place
from core.booking.model import Operator
from core.booking.views import (
    BookingView,
    EarningsView,
    OfferView,
    OperatorServiceView,
    ServiceView,
    SlotView,
    VisitView,
)
from core.db import UnitOfWork
from core.errors import DomainError
from core.geo import gazetteer
from core.geo.gazetteer import Area
from core.payments import card_booking
from core.payouts.bank_details import BankDetailsView, bank_details
from core.ports import PointsEntry


class Reads:
    def __init__(self, uow: UnitOfWork, person_id: int) -> None:
        self.uow = uow
        self.person_id = person_id
        # One hop may ask the same slots twice (a day's input checks it has a free time, then
        # its screen lists them): the second ask is answered from the first, same transaction.
        self._slots: dict[tuple[object, ...], list[SlotView]] = {}

    # consumer side
    def services(self) -> list[ServiceView]:
        return list(bookings.list_services(self.uow))

    def slots(
        self,
        service_code: str,
        lat: float,
        lon: float,
        day: date | None,
        operator_id: int | None = None,
        limit: int = 5,
    ) -> list[SlotView]:
        key = (service_code, lat, lon, day, operator_id, limit)
        if key in self._slots:
            return list(self._slots[key])
        try:
            found = list(
                bookings.find_slots(
                    self.uow, service_code, lat, lon, day=day, operator_id=operator_id, limit=limit
                )
            )
        except DomainError:  # a refusal (outside_area, too_far_ahead): no slots
            found = []
        self._slots[key] = found
        return list(found)

    def serves(self, service_code: str, lat: float, lon: float) -> bool:
        """Does any operator selling the service cover this place (online or not)?"""
        try:
            service = bookings.get_service(self.uow, service_code)
            ensure_serves_place(self.uow, service, lat, lon)
        except DomainError:
            return False
        return True

    def areas(self, query: str, limit: int = 5) -> list[Area]:
        return list(gazetteer.search_areas(query, limit=limit))

    def area(self, name: str) -> Area | None:
        return gazetteer.get_area(name)

    def saved_places(self) -> list[PlaceView]:
        return saved_places(self.uow, self.person_id)

    def saved_card(self) -> tuple[int, str] | None:
        """The card this person can pay with in one tap: (id, last4), or None."""
        return card_booking.saved_card(self.uow, self.person_id)

    def bookings(self) -> list[BookingView]:
        return list(bookings.consumer_bookings(self.uow, self.person_id, active_only=True))

    def cancellation_fee(self, ref: str) -> int | None:
        """The fee cancelling now would cost, or None when the booking cannot be cancelled."""
        try:
            return int(bookings.cancellation_quote(self.uow, self.person_id, ref))
        except DomainError:
            return None

    def points_balance(self) -> int:
        return self.uow.loyalty.balance(self.uow.session, self.person_id)

    def points_history(self) -> list[PointsEntry]:
        return self.uow.loyalty.history(self.uow.session, self.person_id)

    # operator side
    def operator_online(self) -> bool:
        """Is this operator taking offers now? (A small adapter: the contract has no getter.)"""
        online = self.uow.session.scalar(
            select(Operator.online).where(Operator.person_id == self.person_id)
        )
        return bool(online)

    def offers(self) -> list[OfferView]:
        return list(bookings.open_offers(self.uow, self.person_id))

    def jobs(self) -> list[BookingView]:
        """Today's jobs, finished ones too (a job just marked done can still be shown)."""
        return list(bookings.operator_jobs(self.uow, self.person_id))

    def upcoming_jobs(self) -> list[BookingView]:
        """Accepted jobs still to do, today and the next 6 days."""
        return list(bookings.upcoming_jobs(self.uow, self.person_id))

    def operator_services(self) -> list[OperatorServiceView]:
        return list(bookings.operator_services(self.uow, self.person_id))

    def earnings(self) -> EarningsView:
        return bookings.operator_earnings(self.uow, self.person_id)

    def customer_history(self) -> list[VisitView]:
        return list(bookings.customer_history(self.uow, self.person_id, limit=5))

    def bank_details(self) -> BankDetailsView | None:
        return bank_details(self.uow, self.person_id)

    def pin_locked_until(self) -> datetime | None:
        person = self.uow.session.get(Person, self.person_id)
        return person.pin_locked_until if person else None

    def pin_tries_left(self) -> int:
        """Wrong PINs the operator may still enter before the lock (as of this hop's writes)."""
        person = self.uow.session.get(Person, self.person_id)
        return tries_left(person, self.uow.settings) if person else 0
