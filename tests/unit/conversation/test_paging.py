"""Paging invariants (trial defects 5 and 11): whatever notice comes or goes between hops, in
every language and channel, for lists of any length and line width, every numbered option is on
exactly one page, in order, is accepted on the page that shows it, every page fits its channel,
and every page after the first carries `0 Back` and `00 Menu`."""

from hypothesis import given, settings
from hypothesis import strategies as st

from channels.ussd.render import LIMIT, render
from core.conversation import engine
from core.conversation.dialogs import DIALOG
from core.conversation.layout import BUDGETS, compose, next_page
from core.conversation.machine import Choice, Screen, State
from core.conversation.texts import LANGUAGES, TEXTS

from .test_screens import _ctx

NOTICES = [None, *sorted(key for key in TEXTS if key.startswith("notice."))]
WIDTHS = st.integers(min_value=1, max_value=20)


def _state(widths: list[int], breaks: tuple[int, ...], main_menu: bool) -> State:
    choices = tuple(
        Choice(f"v{n}", "book.place_option", {"name": "W" * width})
        for n, width in enumerate(widths)
    )
    return State(
        "c.menu" if main_menu else "t.list",
        screen=lambda ctx: Screen("book.when", choices=choices, page_breaks=breaks),
        on_input=lambda ctx, value: None,  # never called: only pages are shown here
        main_menu=main_menu,
    )


@settings(max_examples=150, deadline=None)
@given(
    widths=st.lists(WIDTHS, min_size=1, max_size=40),
    notices=st.lists(st.sampled_from(NOTICES), min_size=1, max_size=12),
    language=st.sampled_from(LANGUAGES),
    channel=st.sampled_from(["ussd", "sms"]),
    main_menu=st.booleans(),
    data=st.data(),
)
def test_every_option_is_reachable_on_exactly_one_page(
    widths, notices, language, channel, main_menu, data
):
    breaks = tuple(sorted(data.draw(st.sets(st.integers(1, len(widths)), max_size=3))))
    state = _state(widths, breaks, main_menu)
    trail, seen, pages = [0], [], 0
    while True:
        ctx = _ctx(language, channel, notices[pages % len(notices)])
        prompt, shown = engine._show(DIALOG, state, ctx, [], trail)
        keys = [o.key for o in prompt.choices]
        assert shown["options"] == {k: f"v{int(k) - 1}" for k in keys}  # accepted where shown
        assert keys, "a page with no option"
        seen += keys
        nav = [o.key for o in prompt.navigation]
        if pages > 0:
            assert nav[-2:] == ["0", "00"], compose(prompt)
        if channel == "ussd":
            assert len(render(prompt)) <= LIMIT, render(prompt)
        else:
            assert len(compose(prompt)) <= BUDGETS["sms"], compose(prompt)
        if not shown["more"]:
            break
        assert "98" in nav
        trail, pages = next_page(shown), pages + 1
        assert pages <= len(widths)
    assert seen == [str(n) for n in range(1, len(widths) + 1)]
    for b in breaks:  # a page break begins a page
        if b < len(widths):
            assert any(start == b for start in trail)
