"""`kerbside dial` walks the menus of a live server, driven by piped stdin."""

import threading

import pytest
from click.testing import CliRunner
from werkzeug.serving import make_server

from kerbside.cli import main
from tests import booking_helpers as seed


@pytest.fixture
def live_url(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


def test_dial_books_with_piped_input(platform, live_url):
    seed.catalogue(platform)
    seed.operator(platform, 1)
    keys = "1\n1\nSandton\n2\n1\n1\n\n2\n"
    result = CliRunner().invoke(
        main, ["dial", "--phone", "0820000001", "--url", live_url], input=keys
    )
    assert result.exit_code == 0, result.output
    out = result.output
    assert "--- dialling *120*5372# as 0820000001 ---\nKerbside\n1. Book a service" in out
    assert "> Sandton\nSave Sandton for next time?\n1. Yes" in out
    assert "Booked! Ref " in out and "--- session ended" in out
    assert out.rstrip().endswith("0 Back 00 Menu") and "My bookings:\n1. " in out


def test_dial_says_when_the_platform_is_unreachable():
    result = CliRunner().invoke(main, ["dial", "--url", "http://127.0.0.1:9"], input="")
    assert result.exit_code == 1
    assert "cannot reach" in result.output


def test_dial_as_a_process_with_piped_stdin(platform, live_url):
    import os
    import subprocess
    import sys

    from tests.conftest import ROOT

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "kerbside.cli",
            "dial",
            "--url",
            live_url,
            "--phone",
            "+27820000007",
        ],
        input="3\n1\n",
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert "Points: 0\n1. History\n2. Redeem" in result.stdout
    assert result.stdout.rstrip().endswith(
        "No points yet. You earn points with every booking.\n0 Back 00 Menu"
    )
