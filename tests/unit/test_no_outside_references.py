"""Nothing in the repository points at files a clone does not have (trial defect 14): the house
documents lived beside the project, not in it; docs/architecture.md is the project's own."""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# spelled in pieces so that this file does not match itself
OUTSIDE = re.compile("|".join([r"DESIGN\.md", r"STYLE\.md", r"PROVIDERS\.md", r"\.\./shared"]))


def repository_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    return [ROOT / name for name in listed if (ROOT / name).is_file()]


def test_no_file_refers_outside_the_repository():
    files = repository_files()
    assert len(files) > 100, "the repository's files were not found"
    found = []
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # binary
        for number, line in enumerate(text.splitlines(), 1):
            if OUTSIDE.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:80]}")
    assert found == [], "\n".join(found)


def test_the_architecture_is_in_the_repository():
    text = (ROOT / "docs" / "architecture.md").read_text()
    assert "## Walk 1: one USSD hop" in text and "## Walk 2: one SMS keyword" in text
