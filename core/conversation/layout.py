"""Plain-text layout of a prompt and the paging that keeps each screen inside its channel.

The engine pages long lists here, with the channel's character budget, so that every prompt it
returns already fits; `channels/ussd/render.py` adds only the `CON `/`END ` prefix.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .prompt import Option, Prompt
from .texts import render_text

# Characters a screen body may use: USSD allows 182 including the 4-character "CON " prefix;
# one SMS segment is 160.
BUDGETS = {"ussd": 182 - 4, "sms": 160}


def compose(prompt: Prompt) -> str:
    """The screen body: notice, text, numbered lines, then navigation on one line."""
    lang = prompt.language
    lines: list[str] = []
    if prompt.notice_key:
        lines.append(render_text(prompt.notice_key, lang, prompt.notice_params))
    lines.append(render_text(prompt.text_key, lang, prompt.params))
    for option in prompt.lines:
        label = render_text(option.label_key, lang, option.params)
        lines.append(f"{option.key}. {label}" if option.key else label)
    nav = " ".join(f"{o.key} {render_text(o.label_key, lang, o.params)}" for o in prompt.navigation)
    if nav:
        lines.append(nav)
    return "\n".join(line for line in lines if line)


def split_pages(
    items: Sequence[Option],
    make: Callable[[tuple[Option, ...], bool], Prompt],
    budget: int,
) -> list[tuple[Option, ...]]:
    """Cut `items` into pages, as many per page as fit; `make(page, has_more)` builds a screen.

    Every page holds at least one item (a single item too long for a screen is a texts bug,
    which the screen-limit test catches)."""
    pages: list[tuple[Option, ...]] = []
    start = 0
    while start < len(items):
        end = start + 1
        while end < len(items):
            candidate = make(tuple(items[start : end + 1]), end + 1 < len(items))
            if len(compose(candidate)) > budget:
                break
            end += 1
        if end < len(items) and len(compose(make(tuple(items[start:end]), True))) > budget:
            end = max(start + 1, end - 1)
        pages.append(tuple(items[start:end]))
        start = end
    return pages or [()]
