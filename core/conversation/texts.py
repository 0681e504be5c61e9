"""Prompt templates per language, shared by every conversation channel.

Keys are stable; renderers call `render_text(key, language, params)`. A language lacking a text
falls back to English, never to an empty screen. Every text must be plain GSM-7 (no emoji,
curly quotes or e/o with circumflex); a test renders every prompt of every dialog in every
language with long realistic parameters and checks the USSD (182) and GSM-7 limits.
Texts live in `texts_en.py`, `texts_zu.py`, `texts_af.py` (one dict each).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .texts_af import AF
from .texts_en import EN
from .texts_zu import ZU

LANGUAGES = ("en", "zu", "af")
LANGUAGE_NAMES = {"en": "English", "zu": "isiZulu", "af": "Afrikaans"}

TEXTS: dict[str, dict[str, str]] = {
    key: {
        "en": en,
        **({"zu": ZU[key]} if key in ZU else {}),
        **({"af": AF[key]} if key in AF else {}),
    }
    for key, en in EN.items()
}


class UnknownTextError(KeyError):
    pass


def render_text(key: str, language: str, params: Mapping[str, Any] | None = None) -> str:
    try:
        texts = TEXTS[key]
    except KeyError:
        raise UnknownTextError(key) from None
    return texts.get(language, texts["en"]).format(**(params or {}))


def missing_translations() -> dict[str, list[str]]:
    """Keys without a text, per language (the language test asserts this is empty)."""
    return {lang: sorted(k for k, t in TEXTS.items() if lang not in t) for lang in LANGUAGES}
