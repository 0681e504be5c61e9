import logging

import pytest

from core.outbox.encoding import measure
from core.phones import InvalidPhoneError, mask, mask_phones_in, to_e164
from kerbside.logs import JsonFormatter, MaskingFilter


@pytest.mark.parametrize(
    "text, encoding, segments",
    [
        ("a" * 160, "GSM-7", 1),
        ("a" * 161, "GSM-7", 2),
        ("a" * 306, "GSM-7", 2),
        ("a" * 307, "GSM-7", 3),
        ("{" * 80, "GSM-7", 1),  # extension characters count twice
        ("{" * 81, "GSM-7", 2),
        ("Café über Straße", "GSM-7", 1),  # é, ü and ß are all in the GSM-7 table
        ("Jy is reg vir môre", "UCS-2", 1),  # ô forces UCS-2
        ("ê" * 71, "UCS-2", 2),
        ("é ä ö ü è", "GSM-7", 1),
    ],
)
def test_measure(text, encoding, segments):
    result = measure(text)
    assert (result.encoding, result.segments) == (encoding, segments)


@pytest.mark.parametrize(
    "raw", ["082 555 1234", "0825551234", "27825551234", "+27 82 555 1234", "+27825551234"]
)
def test_south_african_numbers_normalise_to_e164(raw):
    assert to_e164(raw) == "+27825551234"


@pytest.mark.parametrize("raw", ["", "hello", "123", "+2782"])
def test_nonsense_is_not_a_phone_number(raw):
    with pytest.raises(InvalidPhoneError):
        to_e164(raw)


def test_masking_keeps_only_enough_to_tell_numbers_apart():
    assert mask("+27825551234") == "+2782*****34"
    assert mask_phones_in("sms to +27825551234 and 0825559876 ok") == (
        "sms to +2782*****34 and 08255***76 ok"
    )


def test_logs_are_json_and_never_carry_a_full_number():
    record = logging.LogRecord("t", logging.INFO, __file__, 1, "from %s", ("+27825551234",), None)
    MaskingFilter().filter(record)
    line = JsonFormatter().format(record)
    assert "+27825551234" not in line
    assert '"msg": "from +2782*****34"' in line
