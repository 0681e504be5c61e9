"""The writes a dialog step may ask for, and how the engine runs them through the core.

`run` executes one command inside a savepoint of the hop's transaction. A DomainError
(BookingError and friends) undoes that command's writes and is returned as its code; any other
exception (a database fault) propagates, so the channel logs it and apologises;
an answer such as a wrong PIN is returned as a code *without* undoing (the failure count must
stay). Results a later screen needs (the booking reference) go into the session data.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from datetime import datetime, time
from typing import TYPE_CHECKING, Any

from sqlalchemy.dialects.postgresql import insert

from core.accounts import pin as pins
from core.accounts.model import Person
from core.accounts.saved_places import save_place
from core.db import UnitOfWork
from core.errors import DomainError
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


def _booking() -> Any:
    return importlib.import_module("core.booking.service")


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
    booking = _booking
    pid = ctx.person_id
    match command:
        case RequestBooking():
            if command.payment_method in ("card_link", "saved_card"):  # held until paid (PW6)
                book = importlib.import_module("core.payments.card_booking").book_by_card_link
                how: dict[str, Any] = {"card_id": command.card_id}
            else:
                book = booking().request_booking
                how = {"payment_method": command.payment_method, "operator_id": command.operator_id}
            view = book(
                uow,
                pid,
                command.service_code,
                command.lat,
                command.lon,
                command.place_name,
                datetime.fromisoformat(command.start),
                idempotency_key=command.idempotency_key,
                **how,
            )
            ctx.data["ref"] = view.ref
        case CancelBooking():
            booking().cancel_booking(uow, pid, command.ref, reason="ussd")
        case RescheduleBooking():
            booking().reschedule_booking(
                uow, pid, command.ref, datetime.fromisoformat(command.start)
            )
        case JobAction():
            _job_action(uow, pid, command)
        case SetOnline():
            booking().set_online(uow, pid, command.online)
        case SetCapacity():
            booking().set_capacity(uow, pid, command.concurrent, command.daily)
        case SetWorkingHours():
            operators = importlib.import_module("core.booking.operators")
            opens = time.fromisoformat(command.opens) if command.opens else None
            closes = time.fromisoformat(command.closes) if command.closes else None
            for weekday in command.weekdays:
                operators.set_working_hours(uow, pid, weekday, opens, closes)
        case SetServicePrice():
            booking().set_service_price(uow, pid, command.service_code, command.price_cents)
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
    service = _booking()
    if command.action == "accept":
        service.accept_offer(uow, pid, command.ref)
    elif command.action == "decline":
        service.decline_offer(uow, pid, command.ref)
    elif command.action == "en_route":
        service.mark_en_route(uow, pid, command.ref, eta_minutes=command.eta_minutes)
    elif command.action == "arrived":
        service.mark_arrived(uow, pid, command.ref)
    elif command.action == "done":
        service.complete_job(uow, pid, command.ref)
    else:
        raise ValueError(f"unknown job action {command.action!r}")
