"""The README's demo people and walk match what `kerbside seed --demo` loads."""

import re

from kerbside.seed import (
    WALK_CONSUMER,
    WALK_OPERATOR,
    WALK_SUBURB,
    demo_operators,
    demo_people,
)
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text()


def _section(title: str) -> str:
    start = README.index(title)
    end = README.find("\n#", start + len(title))
    return README[start : end if end != -1 else None]


def _table_rows(text: str) -> list[tuple[str, ...]]:
    rows = [
        tuple(cell.strip() for cell in line.strip().strip("|").split("|"))
        for line in text.splitlines()
        if line.startswith("|")
    ]
    return [row for row in rows[2:]]  # after the header and the rule


def test_the_readme_table_is_the_seeds_data():
    rows = _table_rows(_section("### Demo people"))
    assert rows == [person.cells() for person in demo_people()]
    assert len(rows) == 36


def test_the_walks_operator_speaks_english_serves_its_suburb_and_is_online():
    [operator] = [o for o in demo_operators() if o.phone == WALK_OPERATOR]
    assert (operator.language, operator.suburb, operator.online) == ("en", WALK_SUBURB, True)
    walk = _section("## Try it")
    answered_as = set(re.findall(r"kerbside sms --from (\+?\d+)", walk))
    assert answered_as == {WALK_OPERATOR}
    assert f"`{WALK_CONSUMER}`, the default phone of `kerbside dial`" in walk
    assert f"`{WALK_SUBURB}`" in walk and f"`{WALK_OPERATOR}`, English" in walk
