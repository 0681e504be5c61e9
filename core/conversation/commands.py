"""The writes a dialog step may ask for, and how the engine runs them through the core.

`run` executes one command inside a savepoint of the hop's transaction. A DomainError
(BookingError and friends) undoes that command's writes and is returned as its code; any other
exception (a database fault) propagates, so the channel logs it and apologises;
an answer such as a wrong PIN is returned as a code *without* undoing (the failure count must
stay). Results a later screen needs (the booking reference) go into the session data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from typing import TYPE_CHECKING

from sqlalchemy.dialects.postgresql import insert

from core.accounts import pin as pins
from core.accounts.model import Person
from core.accounts.saved_places import save_place
from core.booking import service as bookings
from core.booking.operators import set_working_hours
from core.db import UnitOfWork
from core.errors import DomainError
from core.payments import card_booking
from core.payouts.bank_details import save_bank_details

from .machine import Command
from .model import OperatorApplication

if TYPE_CHECKING:
    from .engine import HopContext


@dataclass(frozen=True)
class RequestBooking(Command):
    service_code: str
    lat: float
    lon: float
    place_name: str
    start: str  # ISO 8601, UTC
    payment_method: str
    idempotency_key: str
    operator_id: int | None = None
    card_id: int | None = None  # the saved card to charge (payment_method saved_card)


@dataclass(frozen=True)
class CancelBooking(Command):
    ref: str


@dataclass(frozen=True)
class RescheduleBooking(Command):
    ref: str
    start: str


@dataclass(frozen=True)
class JobAction(Command):
    """accept, decline, en_route, arrived, done on one booking (ref) as its operator."""

    action: str
    ref: str
    eta_minutes: int | None = None


@dataclass(frozen=True)
class SetOnline(Command):
    online: bool


@dataclass(frozen=True)
class SetCapacity(Command):
    concurrent: int
    daily: int | None


@dataclass(frozen=True)
class SetWorkingHours(Command):
    """The same hours on each of `weekdays` (0 = Monday), Johannesburg time, "HH:MM";
    empty strings close those days."""

    weekdays: tuple[int, ...]
    opens: str
    closes: str


@dataclass(frozen=True)
class SetServicePrice(Command):
    service_code: str
    price_cents: int


@dataclass(frozen=True)
class SetLanguage(Command):
    language: str


@dataclass(frozen=True)
class SavePlace(Command):
    name: str
    lat: float
    lon: float


@dataclass(frozen=True)
class SetPin(Command):
    pin_hash: str  # hashed by the step that checked it twice; the PIN itself is not carried


@dataclass(frozen=True)
class VerifyPin(Command):
    pin: str


@dataclass(frozen=True)
class RegisterOperatorInterest(Command):
    pass


@dataclass(frozen=True)
class SaveBankDetails(Command):
    bank_name: str
    account_number: str


def run(uow: UnitOfWork, ctx: HopContext, command: Command) -> str | None:
    """Run one command; None when it succeeded, else the error code."""
    savepoint = uow.session.begin_nested()
    try:
        error = _execute(uow, ctx, command)
    except DomainError as err:  # a refusal; anything else is a fault and goes up
        savepoint.rollback()
        return err.code
    savepoint.commit()
    return error


def _person(uow: UnitOfWork, person_id: int) -> Person:
    person = pins.lock_person(uow, Person.id == person_id)
    assert person is not None
    return person


def _execute(uow: UnitOfWork, ctx: HopContext, command: Command) -> str | None:
    pid = ctx.person_id
    match command:
        case RequestBooking():
            where = (
                uow,
                pid,
                command.service_code,
                command.lat,
                command.lon,
                command.place_name,
                datetime.fromisoformat(command.start),
            )
            if command.payment_method in ("card_link", "saved_card"):  # held until paid (PW6)
                view = card_booking.book_by_card_link(
                    *where, idempotency_key=command.idempotency_key, card_id=command.card_id
                )
            else:
                view = bookings.request_booking(
                    *where,
                    idempotency_key=command.idempotency_key,
                    payment_method=command.payment_method,
                    operator_id=command.operator_id,
                )
            ctx.data["ref"] = view.ref
        case CancelBooking():
            bookings.cancel_booking(uow, pid, command.ref, reason="ussd")
        case RescheduleBooking():
            bookings.reschedule_booking(
                uow, pid, command.ref, datetime.fromisoformat(command.start)
            )
        case JobAction():
            _job_action(uow, pid, command)
        case SetOnline():
            bookings.set_online(uow, pid, command.online)
        case SetCapacity():
            bookings.set_capacity(uow, pid, command.concurrent, command.daily)
        case SetWorkingHours():
            opens = time.fromisoformat(command.opens) if command.opens else None
            closes = time.fromisoformat(command.closes) if command.closes else None
            for weekday in command.weekdays:
                set_working_hours(uow, pid, weekday, opens, closes)
        case SetServicePrice():
            bookings.set_service_price(uow, pid, command.service_code, command.price_cents)
        case SetLanguage():
            _person(uow, pid).language = command.language
            ctx.language = command.language
        case SavePlace():
            save_place(uow, pid, command.name, command.lat, command.lon)
        case SetPin():
            pins.set_pin(_person(uow, pid), command.pin_hash)
            ctx.pin_set = True
        case VerifyPin():
            result = pins.verify_pin(uow, pid, command.pin)
            return None if result == "ok" else result
        case RegisterOperatorInterest():
            uow.session.execute(
                insert(OperatorApplication)
                .values(person_id=pid, channel=ctx.channel, status="pending", created_at=uow.now())
                .on_conflict_do_nothing(index_elements=["person_id"])
            )
        case SaveBankDetails():
            save_bank_details(uow, pid, command.bank_name, command.account_number)
        case _:
            raise TypeError(f"unknown command {command!r}")
    return None


def _job_action(uow: UnitOfWork, pid: int, command: JobAction) -> None:
    if command.action == "accept":
        bookings.accept_offer(uow, pid, command.ref)
    elif command.action == "decline":
        bookings.decline_offer(uow, pid, command.ref)
    elif command.action == "en_route":
        bookings.mark_en_route(uow, pid, command.ref, eta_minutes=command.eta_minutes)
    elif command.action == "arrived":
        bookings.mark_arrived(uow, pid, command.ref)
    elif command.action == "done":
        bookings.complete_job(uow, pid, command.ref)
    else:
        raise ValueError(f"unknown job action {command.action!r}")
