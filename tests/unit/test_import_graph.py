"""Dependencies point inward and never round in a loop (architecture.md 1, decisions W1-W3).

The graph is read from the source with `ast` (tests/import_graph.py): imports inside functions
and under `TYPE_CHECKING` count. The checker itself is tested on small trees written here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.import_graph import (
    cycles,
    describe,
    forbidden_imports,
    project_imports,
    top_level,
    unit_of,
)

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("core", "channels", "workers", "kerbside")
# What the core may not know of: the web framework, provider SDKs and clients, the queue and
# Redis (behind ports), and every outer package.
NOT_IN_CORE = (
    "flask", "werkzeug", "twilio", "africastalking", "stripe", "httpx", "requests", "redis",
    "rq", "gunicorn", "importlib", "channels", "workers", "kerbside",
)  # fmt: skip


@pytest.fixture(scope="module")
def imports():
    return project_imports(ROOT, PACKAGES)


def test_no_cycle_between_top_level_packages(imports) -> None:
    loops = cycles(imports, top_level)
    assert not loops, "\n".join(describe(loop) for loop in loops)


def test_no_cycle_between_core_areas(imports) -> None:
    loops = cycles(imports, unit_of, within="core")
    assert not loops, "\n".join(describe(loop) for loop in loops)


def test_core_imports_no_framework_sdk_or_outer_package(imports) -> None:
    found = forbidden_imports(imports, "core", NOT_IN_CORE)
    assert not found, "\n".join(map(str, found))


def test_no_importlib_anywhere_in_core() -> None:
    """The issue's grep: not even `from importlib import resources`."""
    hits = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "core").rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "importlib" in line
    ]
    assert hits == []
