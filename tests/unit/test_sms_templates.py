"""Every registered template, in every language, fits one GSM-7 segment with long parameters."""

import importlib
import pkgutil
import string

import pytest

import channels
import core
from core.notify.templates import LANGUAGES, all_templates
from core.outbox.encoding import fits_one_segment, measure

FALLBACK = "Xolani Mthembu-Dlamini"  # 22 characters for a parameter nobody declared


def _import_everything():
    longest: dict[str, str] = {}
    for package in (core, channels):
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            module = importlib.import_module(info.name)
            declared = getattr(module, "LONGEST_PARAMS", None)
            if isinstance(declared, dict):
                for key, value in declared.items():
                    if len(str(value)) > len(longest.get(key, "")):
                        longest[key] = str(value)
    return longest


LONGEST = _import_everything()
TEMPLATES = sorted(all_templates().items())


def _params(text):
    names = {name for _, name, _, _ in string.Formatter().parse(text) if name}
    return {name: LONGEST.get(name, FALLBACK) for name in names}


def test_the_sms_channel_and_account_texts_are_registered():
    keys = dict(TEMPLATES)
    for key in (
        "sms.help.consumer",
        "sms.help.operator",
        "sms.stopped",
        "sms.started",
        "auth.otp",
        "payment.failed",
        "dunning.reminder",
        "dunning.final",
    ):
        assert key in keys


@pytest.mark.parametrize(
    "key, texts",
    [t for t in TEMPLATES if t[0] != "generic"],
    ids=[k for k, _ in TEMPLATES if k != "generic"],
)
def test_template_fits_one_gsm7_segment_in_every_language(key, texts):
    for language in LANGUAGES:
        assert language in texts, f"{key} lacks {language}"
        rendered = texts[language].format(**_params(texts[language]))
        assert fits_one_segment(rendered), (
            f"{key}/{language}: {measure(rendered)} {len(rendered)} chars: {rendered!r}"
        )


def test_every_booking_status_has_words_in_every_language():
    from channels.sms.texts import STATE_WORDS, state_word
    from core.booking.model import BookingStatus

    for status in BookingStatus:
        assert status.value in STATE_WORDS, status
        for language in LANGUAGES:
            words = state_word(status.value, language)
            assert words and fits_one_segment(words) and len(words) <= len(LONGEST["state"])
