"""`kerbside up` binds before it says "up", and any failure is one line and a non-zero exit
(trial defect 7). Real processes and a really occupied port."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.conftest import ROOT
from tests.e2e.live import free_port, process_env
from tests.e2e.test_platform_processes import _start_up


def _up(platform, *args, timeout=60):
    return subprocess.run(
        [sys.executable, "-m", "kerbside.cli", "up", "--workers", "1", *args],
        cwd=ROOT,
        env=process_env(platform),
        capture_output=True,
        text=True,
        timeout=timeout,
        start_new_session=True,
    )


def test_a_port_in_use_is_one_line_and_exit_1_at_once(platform):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        started = time.monotonic()
        result = _up(platform, "--port", str(port))
        elapsed = time.monotonic() - started
    assert result.returncode == 1, result.stderr
    assert result.stderr.strip().splitlines() == [
        f"kerbside: cannot listen on 127.0.0.1:{port}: address already in use"
    ]
    assert "is up" not in result.stdout + result.stderr
    assert elapsed < 10, f"took {elapsed:.1f} s to give up"


@pytest.mark.parametrize("port", ["70000", "0", "eighty"])
def test_a_port_that_is_no_port_is_one_line_and_exit_2(platform, port):
    result = _up(platform, "--port", port)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kerbside: --port: "), result.stderr
    assert port in lines[0]


def test_a_host_that_does_not_resolve_is_one_line_and_exit_1(platform):
    result = _up(platform, "--host", "no-such-host.invalid", "--port", "8000")
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kerbside: cannot listen on no-such-host"), (
        result.stderr
    )


def test_up_is_said_once_it_answers_and_a_dead_child_is_exit_1(platform):
    port = free_port()
    up = _start_up(platform, port, text=True)
    try:
        said = ""
        for said in up.stderr:  # ends at EOF too: `up` gives up after 60 s without an answer
            if said.startswith("kerbside is up"):
                break
        assert said.startswith(f"kerbside is up on http://127.0.0.1:{port}"), said
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
            assert response.status == 200  # "up" meant it
        found = subprocess.run(
            ["pgrep", "-P", str(up.pid), "-f", "gunicorn"], capture_output=True, text=True
        )
        web_server = int(found.stdout.split()[0])
        os.kill(web_server, signal.SIGKILL)
        up.wait(timeout=30)
        rest = up.stderr.read()
    finally:
        if up.poll() is None:
            up.send_signal(signal.SIGINT)
            up.wait(timeout=30)
    assert up.returncode == 1
    assert "kerbside: the web server stopped by itself (exit status -9)" in rest
