"""Short booking references people can read out and type on a feature phone.

Four characters from an alphabet without look-alikes (no O/0, I/1, S/5, B/8, Z/2). A ref is
unique among active bookings only (a partial unique index); the caller retries on collision.
"""

from __future__ import annotations

import secrets

REF_ALPHABET = "ACDEFGHJKLMNPQRTUVWXY3479"
REF_LENGTH = 4


def new_ref() -> str:
    return "".join(secrets.choice(REF_ALPHABET) for _ in range(REF_LENGTH))


def normalise_ref(raw: str) -> str:
    """Upper-case and strip what people type around a ref ("#k7q4 " -> "K7Q4")."""
    return "".join(ch for ch in raw.upper() if ch.isalnum())


def looks_like_ref(raw: str) -> bool:
    ref = normalise_ref(raw)
    return len(ref) == REF_LENGTH and all(ch in REF_ALPHABET for ch in ref)
