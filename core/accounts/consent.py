"""SMS opt-out (STOP) and opt-in (START), keyed by phone number.

Opting out records the moment on the person (creating a bare person for a number we have never
seen, so that the opt-out is remembered). Effect: marketing is never sent to an opted-out number;
transactional messages about a booking in progress still go (docs/decisions.md). Both are
idempotent and run in the caller's transaction.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from core.accounts.model import Person
from core.db import UnitOfWork


def find_person(uow: UnitOfWork, phone: str) -> Person | None:
    return uow.session.scalar(select(Person).where(Person.phone == phone))


def remember_number(uow: UnitOfWork, phone: str) -> Person:
    """The person with this number, created as a bare consumer if we have never seen it."""
    uow.session.execute(
        insert(Person)
        .values(phone=phone, language="en", is_consumer=True, is_operator=False)
        .on_conflict_do_nothing(index_elements=["phone"])
    )
    person = find_person(uow, phone)
    assert person is not None
    return person


def opt_out(uow: UnitOfWork, phone: str) -> Person:
    """Record STOP. Returns the person; a second STOP keeps the first moment."""
    person = remember_number(uow, phone)
    if person.opted_out_at is None:
        person.opted_out_at = uow.now()
    person.marketing_consent = False
    return person


def opt_in(uow: UnitOfWork, phone: str) -> Person:
    """Record START: SMS may be sent again. Marketing consent is not restored by START."""
    person = remember_number(uow, phone)
    person.opted_out_at = None
    return person


def set_language(uow: UnitOfWork, person: Person, language: str) -> None:
    person.language = language
