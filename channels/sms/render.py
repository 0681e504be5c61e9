"""Render a conversation `Prompt` as one SMS body.

The engine already pages its lists to the SMS budget (160 characters, `layout.BUDGETS`), so this
is the engine's own plain-text layout: notice, text, numbered options, navigation on one line.
"""

from __future__ import annotations

from typing import Any


def render(prompt: Any) -> str:
    from core.conversation.layout import compose

    return str(compose(prompt))
