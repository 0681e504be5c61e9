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


def page_end(
    items: Sequence[Option],
    start: int,
    make: Callable[[tuple[Option, ...], bool], Prompt],
    budget: int,
    breaks: Sequence[int] = (),
) -> int:
    """Where the page that begins at item `start` ends: as many items as fit, never past the next
    page break (an item index that must begin a page); `make(page, has_more)` builds a screen.

    Pages are cut from where the person is, with the screen as it is shown now (a notice above
    it, its navigation line), and the next page begins where this one ended: so every item is on
    some page whatever notices come and go between hops. A page holds at least one item (a single
    item too long for a screen is a texts bug, which the screen-limit test catches)."""
    stop = min([b for b in breaks if b > start] + [len(items)])
    end = min(start + 1, stop)
    while (
        end < stop
        and len(compose(make(tuple(items[start : end + 1]), end + 1 < len(items)))) <= budget
    ):
        end += 1
    return end
