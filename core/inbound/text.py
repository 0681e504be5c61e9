"""Text from outside (message bodies, USSD input, provider ids) made safe to keep.

PostgreSQL refuses a NUL in text and JSONB, so a NUL that reaches a write fails the whole
request; other control characters are never typed by a person either. Everything that stores
what a provider sent passes it through `storable` first: each control, surrogate, private-use
or unassigned character becomes U+FFFD, which can be stored, logged as a count and refused
later (docs/decisions.md T3). Line breaks and tabs are kept.
"""

from __future__ import annotations

import unicodedata

UNREADABLE = "\ufffd"
_BAD_CATEGORIES = frozenset({"Cc", "Cs", "Co", "Cn"})
_KEPT = frozenset("\r\n\t")


def _bad(ch: str) -> bool:
    return ch not in _KEPT and unicodedata.category(ch) in _BAD_CATEGORIES


def has_control_characters(text: str) -> bool:
    """Binary or control characters (other than line breaks and tabs)."""
    if text.isprintable():  # the usual case, decided in C: no character of the bad categories
        return False
    return any(_bad(ch) for ch in text)


def storable(text: str) -> str:
    """`text` with every character `has_control_characters` objects to replaced by U+FFFD."""
    if not has_control_characters(text):
        return text
    return "".join(UNREADABLE if _bad(ch) else ch for ch in text)


def storable_or_none(text: str | None) -> str | None:
    return None if text is None else storable(text)
