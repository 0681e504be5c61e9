"""The import-graph checker (tests/import_graph.py) on small trees written in tmp_path: it
passes an acyclic tree and fails on each kind of loop and on a banned import."""

from __future__ import annotations

from pathlib import Path

from tests.import_graph import (
    cycles,
    describe,
    forbidden_imports,
    project_imports,
    top_level,
    unit_of,
)


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, source in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source)
    return root


FAKE = {
    "core/__init__.py": "",
    "core/db.py": "X = 1\n",
    "core/booking/__init__.py": "",
    "core/booking/service.py": "from core.db import X\nfrom core.dispatch import cascade\n",
    "core/dispatch/__init__.py": "",
    "core/dispatch/cascade.py": "from ..db import X\n",
    "channels/__init__.py": "",
    "channels/sms.py": "from core.booking import service\n",
    "kerbside/__init__.py": "",
    "kerbside/bootstrap.py": "import channels.sms\n",
}


def test_an_acyclic_tree_passes(tmp_path: Path) -> None:
    imports = project_imports(_tree(tmp_path, FAKE), ("core", "channels", "kerbside"))
    assert cycles(imports, top_level) == []
    assert cycles(imports, unit_of, within="core") == []
    assert forbidden_imports(imports, "core", ("channels", "flask")) == []


def test_a_cycle_between_areas_through_a_function_import_fails(tmp_path: Path) -> None:
    files = dict(FAKE)
    files["core/dispatch/cascade.py"] = (
        "from ..db import X\n\ndef later():\n    from core.booking.service import X\n"
    )
    imports = project_imports(_tree(tmp_path, files), ("core", "channels", "kerbside"))
    [loop] = cycles(imports, unit_of, within="core")
    assert describe(loop) == (
        "core.booking.service:2 imports core.dispatch.cascade -> "
        "core.dispatch.cascade:4 imports core.booking.service"
    )


def test_a_type_checking_import_closing_a_longer_loop_fails(tmp_path: Path) -> None:
    files = dict(FAKE)
    files["core/db.py"] = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from core.booking import service\n"
    )
    imports = project_imports(_tree(tmp_path, files), ("core", "channels", "kerbside"))
    loops = cycles(imports, unit_of, within="core")
    assert [len(loop) for loop in loops] == [2]  # core.booking <-> core.db (twice over, one loop)
    assert {unit_of(found.importer) for found in loops[0]} == {"core.booking", "core.db"}


def test_a_cycle_between_top_level_packages_fails(tmp_path: Path) -> None:
    files = dict(FAKE)
    files["channels/sms.py"] += "from kerbside import bootstrap\n"
    imports = project_imports(_tree(tmp_path, files), ("core", "channels", "kerbside"))
    [loop] = cycles(imports, top_level)
    assert {top_level(found.importer) for found in loop} == {"channels", "kerbside"}


def test_core_importing_an_outer_package_or_sdk_is_found(tmp_path: Path) -> None:
    files = dict(FAKE)
    files["core/db.py"] = "import redis\n\ndef f():\n    from flask import g\n"
    imports = project_imports(_tree(tmp_path, files), ("core", "channels", "kerbside"))
    found = forbidden_imports(imports, "core", ("redis", "flask"))
    assert [str(f) for f in found] == ["core.db:1 imports redis", "core.db:4 imports flask"]
