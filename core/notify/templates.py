"""SMS templates per language. Keys are stable; texts must fit one GSM-7 segment (tests check).

Areas add their templates with `register()`; `render()` falls back to English for a language
that lacks a text, never to an empty message.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

LANGUAGES = ("en", "zu", "af")

_TEMPLATES: dict[str, dict[str, str]] = {}


class UnknownTemplateError(KeyError):
    pass


def register(key: str, texts: Mapping[str, str]) -> None:
    missing = [lang for lang in LANGUAGES if lang not in texts]
    if missing:
        raise ValueError(f"template {key!r} lacks {missing}")
    _TEMPLATES[key] = dict(texts)


def render(key: str, language: str, params: Mapping[str, Any]) -> str:
    try:
        texts = _TEMPLATES[key]
    except KeyError:
        raise UnknownTemplateError(key) from None
    return texts.get(language, texts["en"]).format(**params)


def all_templates() -> dict[str, dict[str, str]]:
    return {key: dict(texts) for key, texts in _TEMPLATES.items()}


register(
    "generic",
    {"en": "{text}", "zu": "{text}", "af": "{text}"},
)
