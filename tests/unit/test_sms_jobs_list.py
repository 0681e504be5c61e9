"""The JOBS reply's list: as many jobs as fit the budget, then "+N more", in every language."""

import pytest

from channels.sms.commands import JOBS_LIST_BUDGET, fit_list
from channels.sms.texts import more_word
from core.outbox.encoding import is_gsm7

ITEMS = [f"K7Q{n} Tomorrow 14:00 Mitchells Pla" for n in range(12)]


@pytest.mark.parametrize("language", ["en", "zu", "af"])
def test_a_long_list_is_cut_with_the_count_of_the_rest(language):
    text = fit_list(ITEMS, language)
    shown = text.count("K7Q")
    assert len(text) <= JOBS_LIST_BUDGET and is_gsm7(text)
    assert 1 <= shown < len(ITEMS) and text.endswith(" " + more_word(len(ITEMS) - shown, language))


def test_a_short_list_is_shown_whole():
    assert fit_list(ITEMS[:2], "en") == f"{ITEMS[0]}; {ITEMS[1]}"
