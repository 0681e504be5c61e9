"""USSD rendering: `CON ` (wait for input) or `END ` (final) plus the screen body.

The engine already paged the prompt to fit (at most 182 characters with the prefix)."""

from __future__ import annotations

from core.conversation.layout import compose
from core.conversation.prompt import Prompt

LIMIT = 182


def render(prompt: Prompt) -> str:
    body = compose(prompt)
    return ("END " if prompt.final else "CON ") + body
