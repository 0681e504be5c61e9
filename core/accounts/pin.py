"""Operator PINs: stored salted and hashed (scrypt), locked after repeated wrong tries.

`check_pin` writes the failure count in the caller's transaction, so a wrong try counts even
though nothing else in the hop happens. A locked PIN is not even compared (and does not extend
the lock). `kerbside reset-pin NUMBER` clears the PIN, the count and the lock.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from datetime import datetime, timedelta

from sqlalchemy import select

from core.accounts.model import Person
from core.db import UnitOfWork
from core.settings import Settings

PIN_PATTERN = re.compile(r"^\d{4,5}$")
_N, _R, _P = 2**14, 8, 1


class PinFormatError(ValueError):
    code = "pin_format"


def hash_pin(pin: str, salt: bytes | None = None) -> str:
    if not PIN_PATTERN.match(pin):
        raise PinFormatError(pin)
    salt = salt or os.urandom(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return "scrypt$" + base64.b64encode(salt).decode() + "$" + base64.b64encode(digest).decode()


def pin_matches(pin: str, stored: str) -> bool:
    try:
        scheme, salt_b64, digest_b64 = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt" or not PIN_PATTERN.match(pin):
        return False
    salt = base64.b64decode(salt_b64)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return hmac.compare_digest(digest, base64.b64decode(digest_b64))


def is_locked(person: Person, now: datetime) -> bool:
    return person.pin_locked_until is not None and person.pin_locked_until > now


def check_pin(person: Person, pin: str, now: datetime, settings: Settings) -> str:
    """'ok', 'pin_wrong' or 'pin_locked'. Counts failures; locks after `pin_max_attempts`."""
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


def set_pin(person: Person, pin: str) -> None:
    person.pin_hash = hash_pin(pin)
    person.pin_failed_attempts = 0
    person.pin_locked_until = None


def reset_pin(person: Person) -> None:
    person.pin_hash = None
    person.pin_failed_attempts = 0
    person.pin_locked_until = None


def reset_pin_for(uow: UnitOfWork, phone: str) -> bool:
    """Clear the PIN of the person with this E.164 number; False when there is none.
    Runs in the caller's transaction."""
    person = uow.session.scalar(select(Person).where(Person.phone == phone).with_for_update())
    if person is None:
        return False
    reset_pin(person)
    return True
