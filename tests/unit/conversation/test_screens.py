"""Every screen of every dialog, in every language, with long realistic parameters and the
longest notice, fits one USSD screen (182 characters with `CON `/`END `) in plain GSM-7, and
one SMS segment's budget on the SMS channel."""

import pytest

from channels.ussd.render import LIMIT, render
from core.conversation import engine
from core.conversation.dialogs import DIALOG
from core.conversation.engine import HopContext
from core.conversation.layout import BUDGETS, compose, next_page
from core.conversation.texts import LANGUAGES, TEXTS
from core.outbox.encoding import is_gsm7
from core.settings import Settings

from .fakes import LONG_DATA, NOW, LongReads

NOTICES = [key for key in TEXTS if key.startswith("notice.")]
NOTICE_PARAMS = {"query": "Mitchells Plain Town", "day": "uLwesithathu 25/11", "days": 365}
SCREENS = sorted(name for name, state in DIALOG.states.items() if state.screen is not None)


def _ctx(language, channel="ussd", notice=None, home="c.menu"):
    return HopContext(
        person_id=1,
        phone="+27825551234",
        language=language,
        channel=channel,
        session_key="s",
        hop=3,
        data={**LONG_DATA, "home": home},
        reads=LongReads(),
        settings=Settings(),
        moment=NOW,
        is_operator=True,
        pin_set=True,
        notice=notice,
        notice_params=NOTICE_PARAMS,
    )


def _pages(state, ctx):
    trail = [0]
    while True:
        prompt, shown = engine._show(DIALOG, state, ctx, [], trail)
        yield prompt
        if not shown["more"]:
            return
        trail = next_page(shown)


@pytest.mark.parametrize("channel", ["ussd", "sms"])
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_screen_fits_in_every_language(language, channel):
    longest_notice = {
        lang: max(
            NOTICES,
            key=lambda k: len(TEXTS[k].get(lang, TEXTS[k]["en"]).format(**NOTICE_PARAMS)),
        )
        for lang in LANGUAGES
    }
    too_long = []
    for name in SCREENS:
        for home in ("c.menu", "o.menu"):
            for notice in (None, longest_notice[language]):
                ctx = _ctx(language, channel, notice, home)
                for prompt in _pages(DIALOG[name], ctx):
                    body = compose(prompt)
                    if channel == "ussd":
                        text = render(prompt)
                        if len(text) > LIMIT or not is_gsm7(text):
                            too_long.append((name, notice, len(text), text))
                    elif len(body) > BUDGETS["sms"] or not is_gsm7(body):
                        too_long.append((name, notice, len(body), body))
    for item in too_long:
        print(item)
    assert too_long == []


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("tries", [5, 4, 1])
def test_the_pin_prompt_with_any_tries_left_fits(language, tries):
    ctx = _ctx(language, notice="notice.no_back")
    ctx.reads.tries_left = tries
    for name in ("o.pin_enter", "o.payout_pin"):
        [prompt] = list(_pages(DIALOG[name], ctx))
        text = render(prompt)
        assert len(text) <= LIMIT and is_gsm7(text) and prompt.notice_key == "notice.no_back"
        assert (prompt.text_key == "pin.enter") is (tries == 5)


def test_long_lists_page_with_98_and_keep_numbering():
    ctx = _ctx("en")
    pages = list(_pages(DIALOG["c.book.service"], ctx))
    assert len(pages) > 1
    numbers = [o.key for p in pages for o in p.choices]
    assert numbers == [str(n) for n in range(1, 10)]
    assert all(any(o.key == "98" for o in p.options) for p in pages[:-1])
    assert not any(o.key == "98" for o in pages[-1].options)


def test_every_text_is_gsm7_in_every_language():
    bad = [(k, lang) for k, texts in TEXTS.items() for lang, t in texts.items() if not is_gsm7(t)]
    assert bad == []


def test_every_text_exists_in_every_language_with_the_same_parameters():
    import string

    from core.conversation.texts import missing_translations

    assert missing_translations() == {lang: [] for lang in LANGUAGES}
    names = string.Formatter()
    mismatched = [
        (key, lang)
        for key, texts in TEXTS.items()
        for lang, text in texts.items()
        if {f for _, f, _, _ in names.parse(text) if f}
        != {f for _, f, _, _ in names.parse(texts["en"]) if f}
    ]
    assert mismatched == []


def test_translations_differ_from_english_where_words_are_shown():
    same = [
        key
        for key, texts in TEXTS.items()
        if any(ch.isalpha() for ch in texts["en"].replace("{", "").split("}")[-1])
        and len(texts["en"]) > 12
        and (texts["zu"] == texts["en"] or texts["af"] == texts["en"])
    ]
    assert same == []


@pytest.mark.parametrize("channel", ["ussd", "sms"])
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_card_link_screens_fit_in_every_language(language, channel):
    """With a card provider: "Pay how?" offers the link, the summary names it, and the last
    screen says the link is on its way (PW7)."""
    ctx = _ctx(language, channel)
    ctx = HopContext(**{**ctx.__dict__, "settings": Settings().replace(payment_provider="paystack"),
                        "data": {**ctx.data, "payment": "card_link", "ref": "K7Q4"}})  # fmt: skip
    for name in ("c.book.pay", "c.book.confirm", "c.book.done"):
        for prompt in _pages(DIALOG[name], ctx):
            text = render(prompt) if channel == "ussd" else compose(prompt)
            limit = LIMIT if channel == "ussd" else BUDGETS["sms"]
            assert len(text) <= limit and is_gsm7(text), (name, len(text), text)
            if name == "c.book.done":
                assert "K7Q4" in text and "15" in text
            if name == "c.book.pay":
                assert "****4242" in text and "3. " in text  # saved card, cash, card link
