"""Keyword parsing never fails, whatever arrives."""

from hypothesis import given
from hypothesis import strategies as st

from channels.sms.keywords import SYNONYMS, parse


@given(st.text(max_size=300))
def test_parse_never_raises_and_names_a_known_keyword(body):
    keyword = parse(body)
    assert keyword.name == "unknown" or keyword.name in SYNONYMS
    assert keyword.ref is None or len(keyword.ref) == 4


@given(
    st.sampled_from([w for words in SYNONYMS.values() for w in words if w != "?"]),
    st.sampled_from(["", " ", "  ", ".", "!"]),
)
def test_every_synonym_is_understood_in_any_case(word, tail):
    name = parse(word.lower() + tail).name
    assert name in SYNONYMS
