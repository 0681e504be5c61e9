"""SUPPORT_NUMBER: the number operators are told to call, validated like any setting."""

import pytest

from core.phones import national
from core.settings import ConfigError, Settings


def test_the_support_number_is_a_setting_validated_as_a_phone_number():
    assert Settings.from_env({}).support_number == "+27105005372"
    assert Settings.from_env({"SUPPORT_NUMBER": "082 555 1234"}).support_number == "+27825551234"
    for bad in ("call us", "12", "+27 82 555 1234 999"):
        with pytest.raises(ConfigError, match=r"^SUPPORT_NUMBER: "):
            Settings.from_env({"SUPPORT_NUMBER": bad})


def test_the_support_number_is_shown_as_dialled_from_home():
    assert national("+27105005372") == "010 500 5372"
    assert national("+442079460958").startswith("00 44 ")
