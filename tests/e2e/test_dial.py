"""`kerbside dial` walks the menus of a live server, driven by piped stdin."""

import os
import pty
import re
import select
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from kerbside.cli import main
from tests import booking_helpers as seed
from tests.conftest import ROOT
from tests.e2e.live import serve


@pytest.fixture
def live_url(app):
    with serve(app) as url:
        yield url


def test_dial_books_with_piped_input(platform, live_url):
    seed.catalogue(platform)
    seed.operator(platform, 1)
    keys = "1\n1\nSandton\n2\n1\n1\n\n2\n"
    result = CliRunner().invoke(
        main, ["dial", "--phone", "0820000001", "--url", live_url], input=keys
    )
    assert result.exit_code == 0, result.output
    out = result.output
    assert "--- dialling *120*5372# as +27820000001 ---\nKerbside\n1. Book a service" in out
    assert "> Sandton\nSave Sandton for next time?\n1. Yes" in out
    assert "Booked! Ref " in out and "--- session ended" in out
    assert re.search(r"0 Back 00 Menu\n\(\d+ of 182 characters\)\n> $", out)
    assert "My bookings:\n1. " in out


def test_dial_says_when_the_platform_is_unreachable():
    result = CliRunner().invoke(main, ["dial", "--url", "http://127.0.0.1:9"], input="")
    assert result.exit_code == 1
    assert "cannot reach" in result.output


def test_dial_as_a_process_with_piped_stdin(platform, live_url):
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
    assert result.stdout.endswith(
        "No points yet. You earn points with every booking.\n0 Back 00 Menu\n"
        "(69 of 182 characters)\n> \n"
    )


def test_each_screen_is_shown_with_its_length(platform, live_url):
    seed.catalogue(platform)
    result = CliRunner().invoke(main, ["dial", "--url", live_url], input="1\n")
    screens = re.findall(r"(?:---\n|> \d*\n)(.*?)\n\((\d+) of 182 characters\)", result.output,
                         re.S)  # fmt: skip
    assert [body.split("\n")[0] for body, _ in screens] == ["Kerbside", "Choose a service:"]
    # The length counted is the whole reply the phone receives, "CON " included.
    assert all(int(length) == len("CON " + body) for body, length in screens)


@pytest.mark.parametrize("number", ["hello", "0800", "+1 555"])
def test_a_bad_phone_is_one_line_and_exit_2(number):
    result = CliRunner().invoke(main, ["dial", "--phone", number, "--url", "http://127.0.0.1:9"])
    assert result.exit_code == 2
    assert result.stderr.startswith("kerbside: --phone: not a phone number")
    assert result.stderr.count("\n") == 1


def _read_until(fd: int, wanted: bytes, seconds: float = 30.0) -> bytes:
    seen, deadline = b"", time.monotonic() + seconds
    while wanted not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            try:
                seen += os.read(fd, 4096)
            except OSError:
                break
    return seen


def test_at_a_terminal_there_is_a_prompt_and_input_is_shown_once(platform, live_url):
    leader, follower = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    dial = subprocess.Popen(
        [sys.executable, "-m", "kerbside.cli", "dial", "--url", live_url],
        stdin=follower, stdout=follower, stderr=follower, cwd=ROOT, env=env,
    )  # fmt: skip
    os.close(follower)
    try:
        first = _read_until(leader, b"characters)\r\n> ")
        assert first.endswith(b"7. Become an operator\r\n(113 of 182 characters)\r\n> ")
        os.write(leader, b"3\n")  # the terminal itself echoes what is typed
        second = _read_until(leader, b"characters)\r\n> ")
        assert second.startswith(b"3\r\nPoints: 0\r\n")  # no "> 3" line after the typed "3"
        os.write(leader, b"\x04")  # Ctrl-D hangs up
        assert dial.wait(timeout=30) == 0
    finally:
        if dial.poll() is None:
            dial.kill()
        os.close(leader)
