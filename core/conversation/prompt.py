"""What the engine hands a channel: a structured prompt, never a rendered string.

Renderers (`channels/ussd/render.py`, `channels/sms/render.py`) turn a `Prompt` into text with
`core.conversation.texts.render_text`. Parameters are already display strings (money as "R180",
times as "14:00" in Africa/Johannesburg), so a renderer never formats values itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# Reserved navigation keys (architecture.md 8): never used for a numbered choice.
MORE, BACK, MAIN_MENU = "98", "0", "00"
NAVIGATION_KEYS = (MORE, BACK, MAIN_MENU)


@dataclass(frozen=True)
class Option:
    """One line under the prompt text.

    `key` is what the person types ("1".."97" for a choice, "98"/"0"/"00" for navigation) or ""
    for a plain information line that cannot be chosen.
    """

    key: str
    label_key: str
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def is_navigation(self) -> bool:
        return self.key in NAVIGATION_KEYS


@dataclass(frozen=True)
class Prompt:
    """One screen. `final` means the conversation ends here (USSD `END`)."""

    text_key: str
    params: Mapping[str, Any]
    options: tuple[Option, ...]
    final: bool
    language: str
    notice_key: str | None = None  # a short line above the text: "Not a choice", "Saved"
    notice_params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def choices(self) -> tuple[Option, ...]:
        return tuple(o for o in self.options if o.key and not o.is_navigation)

    @property
    def navigation(self) -> tuple[Option, ...]:
        return tuple(o for o in self.options if o.is_navigation)

    @property
    def lines(self) -> tuple[Option, ...]:
        return tuple(o for o in self.options if not o.is_navigation)
