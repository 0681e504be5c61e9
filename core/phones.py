"""Phone numbers: parse to E.164, mask for logs, digest for keys kept elsewhere (Redis)."""

from __future__ import annotations

import functools
import hashlib
import hmac
import re

import phonenumbers


class InvalidPhoneError(ValueError):
    pass


@functools.lru_cache(maxsize=4096)  # every USSD hop parses its caller's number again
def to_e164(raw: str, region: str = "ZA") -> str:
    """Parse what a gateway or a person typed ('082 555 1234', '27825551234', '+27...')."""
    text = (raw or "").strip()
    if text.isdigit() and len(text) > 10 and not text.startswith("0"):
        text = "+" + text  # gateways sometimes drop the plus
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise InvalidPhoneError(raw) from None
    if not phonenumbers.is_possible_number(number):
        raise InvalidPhoneError(raw)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def is_valid_number(raw: str, region: str = "ZA") -> str | None:
    """The E.164 form of a number that exists in the numbering plan (stricter than `to_e164`,
    which takes any possible number from a gateway), else None."""
    try:
        number = phonenumbers.parse((raw or "").strip(), region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def national(e164: str, region: str = "ZA") -> str:
    """'+27105005372' -> '010 500 5372': a number as it is dialled from `region` (a foreign
    number keeps its international prefix), for screens."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_out_of_country_calling_number(number, region)


_PHONE = re.compile(r"\+?\d[\d ]{8,14}\d")


def mask(phone: str) -> str:
    """'+27825551234' -> '+2782*****34': enough to tell numbers apart in a log, no more."""
    digits = phone.strip()
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:5] + "*" * (len(digits) - 7) + digits[-2:]


def phone_digest(phone: str, secret: bytes) -> str:
    """A keyed digest (HMAC-SHA256 under SECRET_KEY, as the USSD input digests) that stands for
    a number in counter keys: the same number gives the same key, and the key gives away no
    number, not even to someone who hashes all ten-digit numbers."""
    return hmac.new(secret, phone.encode(), hashlib.sha256).hexdigest()[:32]


def mask_phones_in(text: str) -> str:
    return _PHONE.sub(lambda m: mask(m.group(0).replace(" ", "")), text)
