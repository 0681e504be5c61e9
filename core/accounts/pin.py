"""Operator PINs: stored salted and hashed (scrypt), locked after repeated wrong tries.

`verify_pin` writes the failure count in the caller's transaction, so a wrong try counts even
though nothing else in the hop happens. A locked PIN is not even compared (and does not extend
the lock). `kerbside reset-pin NUMBER` clears the PIN, the count and the lock.

Atomic under parallel guesses: the person row is locked FOR UPDATE and re-read before the count
is looked at, and the lock is held until the caller's transaction ends, so guesses for one
operator are compared one after another against the count the previous guess committed
(docs/decisions.md T1).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, select

from core.accounts.model import Person
from core.db import UnitOfWork
from core.errors import DomainError
from core.settings import Settings

PIN_PATTERN = re.compile(r"^\d{4,5}$")
# scrypt cost: log2(N) = 13 takes ~18 ms here. A 4-5 digit PIN has at most 110,000 values, so
# what protects it is the lock after a few wrong tries; the hash only keeps PINs out of a leaked
# table for casual readers. The cost is stored with each hash, so it can be raised later.
LOG2_N, _R, _P = 13, 8, 1


class PinFormatError(DomainError, ValueError):
    code = "pin_format"


def hash_pin(pin: str, salt: bytes | None = None, log2_n: int = LOG2_N) -> str:
    """'scrypt$<log2 N>$<salt b64>$<digest b64>' for a 4-5 digit PIN."""
    if not PIN_PATTERN.match(pin):
        raise PinFormatError(pin)
    salt = salt or os.urandom(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=2**log2_n, r=_R, p=_P, dklen=32)
    encoded = base64.b64encode(salt).decode(), base64.b64encode(digest).decode()
    return f"scrypt${log2_n}${encoded[0]}${encoded[1]}"


def pin_matches(pin: str, stored: str) -> bool:
    try:
        scheme, log2_n, salt_b64, digest_b64 = stored.split("$")
        cost = int(log2_n)
    except ValueError:
        return False
    if scheme != "scrypt" or not PIN_PATTERN.match(pin) or not 10 <= cost <= 20:
        return False
    return hmac.compare_digest(hash_pin(pin, base64.b64decode(salt_b64), cost), stored)


def is_locked(person: Person, now: datetime) -> bool:
    return person.pin_locked_until is not None and person.pin_locked_until > now


def lock_person(uow: UnitOfWork, *where: ColumnElement[bool]) -> Person | None:
    """The person row matching `where`, locked FOR UPDATE in the caller's transaction and read
    afresh: without `populate_existing` the session hands back the copy it loaded earlier in
    the hop, before the lock, and a count read from that copy is stale."""
    return uow.session.scalar(
        select(Person).where(*where).with_for_update().execution_options(populate_existing=True)
    )


def verify_pin(uow: UnitOfWork, person_id: int, pin: str) -> str:
    """Check an operator's PIN under the row lock; 'ok', 'pin_wrong' or 'pin_locked'."""
    person = lock_person(uow, Person.id == person_id)
    if person is None:
        return "pin_wrong"
    return check_pin(person, pin, uow.now(), uow.settings)


def tries_left(person: Person, settings: Settings) -> int:
    """Wrong tries the person may still make before the PIN locks."""
    return max(settings.pin_max_attempts - (person.pin_failed_attempts or 0), 0)


def check_pin(person: Person, pin: str, now: datetime, settings: Settings) -> str:
    """'ok', 'pin_wrong' or 'pin_locked'. Counts failures; locks after `pin_max_attempts`.
    `person` must be locked and fresh (see `verify_pin`), or the count can be lost."""
    if is_locked(person, now):
        return "pin_locked"
    if person.pin_hash is not None and pin_matches(pin, person.pin_hash):
        person.pin_failed_attempts = 0
        person.pin_locked_until = None
        return "ok"
    person.pin_failed_attempts = (person.pin_failed_attempts or 0) + 1
    if person.pin_failed_attempts >= settings.pin_max_attempts:
        person.pin_locked_until = now + timedelta(minutes=settings.pin_lock_minutes)
        person.pin_failed_attempts = 0
        return "pin_locked"
    return "pin_wrong"


def set_pin(person: Person, pin_hash: str) -> None:
    """Store an already hashed PIN (see `hash_pin`)."""
    person.pin_hash = pin_hash
    person.pin_failed_attempts = 0
    person.pin_locked_until = None


def reset_pin(person: Person) -> None:
    person.pin_hash = None
    person.pin_failed_attempts = 0
    person.pin_locked_until = None


def reset_pin_for(uow: UnitOfWork, phone: str) -> bool:
    """Clear the PIN of the person with this E.164 number; False when there is none.
    Runs in the caller's transaction."""
    person = lock_person(uow, Person.phone == phone)
    if person is None:
        return False
    reset_pin(person)
    return True
