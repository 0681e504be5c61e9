"""A bad setting stops any `kerbside` command with one line naming it and exit status 2
(trial defect 8): no traceback, whatever the setting."""

import pytest
from click.testing import CliRunner

from kerbside.cli import main
from tests.conftest import ROOT


@pytest.mark.parametrize(
    "variable, value",
    [
        ("LOG_LEVEL", "loud"),
        ("LOG_FORMAT", "xml"),
        ("KERBSIDE_VAR_DIR", str(ROOT / "README.md" / "var")),  # a file is in the way
        ("KERBSIDE_VAR_DIR", "/proc/kerbside-var"),  # refused even to root
        ("DEFAULT_REGION", "XX"),
        ("PUBLIC_BASE_URL", "nope"),
        ("COMMISSION_PERCENT", "150"),
    ],
)
def test_a_bad_setting_is_one_line_and_exit_2(base_platform, variable, value):
    result = CliRunner().invoke(main, ["outbox", "--limit", "1"], env={variable: value})
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith(f"kerbside: configuration error: {variable}: "), lines[0]
    assert "Traceback" not in result.output
