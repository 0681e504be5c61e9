"""The platform as an operator runs it: real `kerbside` processes against the test servers."""

import signal
import subprocess
import sys
import time
import urllib.request

from sqlalchemy import select

from channels.sms.console import ConsoleInbox
from core.notify.service import send_sms
from tests.conftest import ROOT
from tests.e2e.live import free_port, process_env


def test_worker_process_delivers_what_the_web_side_queued(platform, uow):
    with uow:
        send_sms(uow, "+27825550010", "generic", {"text": "Your wash is booked"}, key="w-1")
        uow.commit()
    result = subprocess.run(
        [sys.executable, "-m", "kerbside.cli", "worker", "--burst"],
        cwd=ROOT,
        env=process_env(platform),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    with platform.session_factory() as session:
        delivered = session.execute(select(ConsoleInbox.recipient, ConsoleInbox.body)).all()
    assert delivered == [("+27825550010", "Your wash is booked")]


def _start_up(platform, port, **popen):
    """`kerbside up` on `port` in its own session (so that its processes can be found)."""
    return subprocess.Popen(
        [sys.executable, "-m", "kerbside.cli", "up", "--port", str(port), "--workers", "1"],
        cwd=ROOT,
        env=process_env(platform),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
        **popen,
    )


def test_up_serves_healthz_and_ctrl_c_stops_every_process(platform):
    port = free_port()
    up = _start_up(platform, port)
    try:
        body = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and body is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    body = r.read().decode()
            except OSError:
                time.sleep(0.3)
        assert body == '{"status":"ok"}\n'
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
            metrics = r.read().decode()
        assert 'kerbside_http_requests_total{endpoint="healthz",status="200"}' in metrics
    finally:
        up.send_signal(signal.SIGINT)
        up.wait(timeout=30)
    leftovers = subprocess.run(["pgrep", "-s", str(up.pid)], capture_output=True, text=True)
    assert leftovers.stdout.strip() == "", "processes of `kerbside up` still running"
    assert up.returncode == 0
