"""The README's "Try it" walk, through the same commands, against a real `kerbside up`.

`kerbside seed --demo`, then `kerbside dial` as the demo consumer (fed through stdin, options
chosen by their labels, so that renumbered screens do not break the walk), the offer read with
`kerbside outbox --to`, the operator's `YES` / `OTW` / `ARRIVED` / `DONE` sent with `kerbside
sms`, and the consumer's messages read with `kerbside outbox --to`.
"""

from __future__ import annotations

import os
import re
import select
import signal
import subprocess
import sys
import time
import urllib.request
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from kerbside.seed import WALK_CONSUMER, WALK_OPERATOR, WALK_SUBURB
from tests.conftest import ROOT
from tests.e2e.live import free_port, process_env

README = ROOT / "README.md"


def readme_dial_inputs() -> list[str]:
    """The inputs of the README's one-line booking (`printf '...' | kerbside dial`)."""
    found = re.search(r"`printf '([^']*)' \| \.venv/bin/kerbside dial`", README.read_text())
    assert found, "the README's one-line booking was not found"
    return found.group(1).split("\\n")[:-1]


PROMPTS = ("characters)\n> ", "hangs up: ")


def kerbside(*args: str, env: dict[str, str], input: str | None = None) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "kerbside.cli", *args],
        cwd=ROOT, env=env, input=input, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, f"kerbside {' '.join(args)}: {result.stderr}"
    return result.stdout


class Dial:
    """`kerbside dial` in a subprocess: read a screen up to its prompt, answer it."""

    def __init__(self, url: str, phone: str, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kerbside.cli", "dial", "--url", url, "--phone", phone],
            cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=False,
        )  # fmt: skip
        self.transcript = ""

    def screen(self, seconds: float = 30.0) -> str:
        assert self.process.stdout is not None
        seen, deadline = b"", time.monotonic() + seconds
        while not seen.decode().endswith(PROMPTS) and time.monotonic() < deadline:
            ready, _, _ = select.select([self.process.stdout], [], [], 0.5)
            if ready:
                chunk = os.read(self.process.stdout.fileno(), 4096)
                if not chunk:
                    break
                seen += chunk
        self.transcript += seen.decode()
        assert seen.decode().endswith(PROMPTS), f"no prompt after:\n{self.transcript}"
        return seen.decode()

    def answer(self, value: str) -> str:
        assert self.process.stdin is not None
        self.process.stdin.write(value.encode() + b"\n")
        self.process.stdin.flush()
        return self.screen()

    def hang_up(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        assert self.process.wait(timeout=30) == 0


def book_by_ussd(dial: Dial) -> str:
    """Type the README's inputs, screen by screen, as a newcomer following it would; the ref."""
    screen = dial.screen()
    for value in readme_dial_inputs():
        assert "END " not in screen, f"the session ended early:\n{dial.transcript}"
        screen = dial.answer(value)
    booked = re.search(r"Booked! Ref (\w+)", screen)
    assert booked, f"the README's inputs did not book:\n{dial.transcript}"
    return booked.group(1)


def advance_clock_to(start: datetime, env: dict[str, str]) -> None:
    """Move the platform's clock to the job's start, as the README's step 3 does."""
    local = start.astimezone(ZoneInfo("Africa/Johannesburg")).strftime("%Y-%m-%d %H:%M")
    kerbside("clock", "advance", "--to", local, env=env)


@pytest.fixture
def running_platform(platform):
    """`kerbside seed --demo` then `kerbside up` on a free port, as `make run` does."""
    env = process_env(platform)
    kerbside("seed", "--demo", env=env)
    port = free_port()
    up = subprocess.Popen(
        [sys.executable, "-m", "kerbside.cli", "up", "--port", str(port), "--workers", "1"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url + "/healthz", timeout=2):
                    break
            except OSError:
                assert time.monotonic() < deadline, "kerbside up did not answer /healthz"
                time.sleep(0.3)
        yield url, env
    finally:
        up.send_signal(signal.SIGINT)
        up.wait(timeout=30)


def test_the_readme_walk(platform, running_platform):
    url, env = running_platform

    # 1. Book as the demo consumer by USSD.
    dial = Dial(url, WALK_CONSUMER, env)
    ref = book_by_ussd(dial)
    dial.hang_up()
    with platform.engine.connect() as conn:
        start = conn.execute(
            text("select start_at from bookings where ref = :ref"), {"ref": ref}
        ).scalar_one()

    # 2. The offer reached the README's operator, who accepts it by SMS.
    offer = kerbside("outbox", "--to", WALK_OPERATOR, "--limit", "1", env=env)
    assert f"Reply YES {ref} or NO {ref}" in offer
    accepted = kerbside("sms", "--from", WALK_OPERATOR, "--url", url, f"YES {ref}", env=env)
    assert accepted.startswith(f"JOB {ref} is yours:")

    # 3. To the start, then on the way, arrived, done.
    advance_clock_to(start, env)
    on_the_way = kerbside("sms", "--from", WALK_OPERATOR, "--url", url, f"OTW {ref}", env=env)
    assert on_the_way.startswith("OK: the customer knows you are on the way")
    arrived = kerbside("sms", "--from", WALK_OPERATOR, "--url", url, f"ARRIVED {ref}", env=env)
    done = kerbside("sms", "--from", WALK_OPERATOR, "--url", url, f"DONE {ref}", env=env)
    assert arrived.startswith(f"OK: the customer knows you arrived for job {ref}.")
    assert done.startswith(f"Job {ref} done, thank you.")

    # 4. What the consumer was sent, newest first.
    told = kerbside("outbox", "--to", WALK_CONSUMER, env=env).splitlines()
    expected = [
        f"Ref {ref}. We are finding an operator",
        "will do your Exterior wash",
        f"is on the way for your Exterior wash (ref {ref})",
        f"has arrived at {WALK_SUBURB}",
        f"(ref {ref}) is done.",
    ]
    assert len(told) == len(expected), "\n".join(told)
    for line, wanted in zip(reversed(told), expected, strict=True):
        assert WALK_CONSUMER in line and wanted in line, line
