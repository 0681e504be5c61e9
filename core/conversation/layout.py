"""Plain-text layout of a prompt and the paging that keeps each screen inside its channel.

The engine pages long lists here, with the channel's character budget, so that every prompt it
returns already fits; `channels/ussd/render.py` adds only the `CON `/`END ` prefix.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .machine import Dialog, Screen, State
from .prompt import BACK, MAIN_MENU, MORE, Option, Prompt
from .replay import prompt_to_json
from .texts import render_text

if TYPE_CHECKING:
    from .engine import HopContext

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


def show_state(
    flow: Dialog,
    state: State,
    ctx: HopContext,
    stack: list[str],
    trail: Sequence[int] = (0,),
) -> tuple[Prompt, dict[str, Any]]:
    """The screen of `state`, from the page that begins at item `trail[-1]`.

    `trail` holds where each page the person walked through began (`98` adds the end of the
    page shown, `0` drops the last), so a page is cut from the screen as shown now and the next
    one begins exactly where it ended: no item falls between two pages when a notice comes or
    goes. Every page after the first carries `0 Back` (and `00 Menu`), even on a main menu."""
    assert state.screen is not None
    screen: Screen = state.screen(ctx)
    final = screen.kind == "final"
    items: list[Option] = [
        Option(str(n), c.label_key, dict(c.params)) for n, c in enumerate(screen.choices, 1)
    ]
    items += [Option("", line.label_key, dict(line.params)) for line in screen.lines]
    pages = list(trail) or [0]
    if not 0 <= pages[-1] < max(len(items), 1):  # the list shrank since: its first page
        pages = [0]
    start = pages[-1]
    later_page = len(pages) > 1
    can_go_back = not final and (later_page or not state.main_menu)
    home = ctx.data.get("home")
    show_menu = can_go_back and home in flow.states and (later_page or home != state.name)

    def make(page_items: tuple[Option, ...], more: bool) -> Prompt:
        nav: list[Option] = []
        if more:
            nav.append(Option(MORE, "nav.more"))
        if can_go_back:
            nav.append(Option(BACK, "nav.back"))
        if show_menu:
            nav.append(Option(MAIN_MENU, "nav.menu"))
        return Prompt(
            screen.text_key,
            dict(screen.params),
            (*page_items, *nav),
            final,
            ctx.language,
            ctx.notice,
            dict(ctx.notice_params),
        )

    budget = BUDGETS.get(ctx.channel, BUDGETS["sms"])
    if (
        ctx.notice
        and len(compose(make(tuple(items[start : start + 1]), start + 1 < len(items)))) > budget
    ):
        ctx.notice = None  # the screen itself matters more than the notice above it
    end = page_end(items, start, make, budget, screen.page_breaks)
    more = end < len(items)
    prompt = make(tuple(items[start:end]), more)
    shown = {
        "prompt": prompt_to_json(prompt),
        "kind": screen.kind,
        "text_key": screen.text_key,
        "page": len(pages) - 1,
        "trail": pages,
        "next": end,
        "more": more,
        "options": {o.key: screen.choices[int(o.key) - 1].value for o in items[start:end] if o.key},
    }
    return prompt, shown


def next_page(shown: Mapping[str, Any]) -> list[int]:
    """The trail that `98` on this screen leads to (for tests that walk the pages)."""
    return [*shown["trail"], int(shown["next"])]
