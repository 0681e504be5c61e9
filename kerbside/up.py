"""`kerbside up`: the whole platform in one command, for a development machine.

The order is what makes failures plain: the port is bound first (a port in use is one line, at
once), then the servers and migrations, then gunicorn inherits the bound socket (`fd://`, so no
other program can take the port in between), and "up" is said only once `/healthz` answers.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from typing import Any

READY_SECONDS = 60


class UpError(Exception):
    """`kerbside up` cannot go on. `str(err)` is one line naming the cause."""

    def __init__(self, message: str, status: int = 1) -> None:
        super().__init__(message)
        self.status = status


def parse_port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = 0
    if not 1 <= port <= 65535:
        raise UpError(f"--port: expected a port number from 1 to 65535, got {text!r}", status=2)
    return port


def listen(host: str, port: int) -> socket.socket:
    """A listening socket on host:port, inheritable by the web server process."""
    where = f"{host}:{port}"
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except socket.gaierror as err:
        raise UpError(f"cannot listen on {where}: {err.strerror or err} (--host)") from None
    sock = socket.socket(family, kind, proto)
    try:
        # as gunicorn does: a port left in TIME_WAIT by the last run may be bound again at once
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(2048)
    except OSError as err:
        sock.close()
        reason = (err.strerror or str(err)).lower()
        raise UpError(f"cannot listen on {where}: {reason}") from None
    sock.set_inheritable(True)
    return sock


def gunicorn_command(fd: int, web_workers: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        f"fd://{fd}",
        "--workers",
        str(web_workers),
        "--access-logfile",
        "-",
        # the path without its query: Africa's Talking callbacks carry ?token=<secret>
        "--access-logformat",
        '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(L)ss',
        "--log-level",
        "warning",
        "wsgi:app",
    ]


def health_url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    if host in ("0.0.0.0", ""):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    return f"http://{f'[{host}]' if ':' in host else host}:{port}/healthz"


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def supervise(
    children: dict[str, subprocess.Popen[bytes]],
    url: str,
    say: Callable[[str], None],
    shown_url: str,
) -> int:
    """Wait for the web server to answer, say "up", then run until Ctrl-C or a child stops.
    Returns the exit status: 0 after Ctrl-C, 1 when a process stopped by itself."""
    # A plain flag and sleep: a signal handler that sets a threading.Event can deadlock against
    # the main thread waiting on that same Event (its lock is not re-entrant).
    stopping: list[int] = []

    def stop(signum: int, _frame: Any) -> None:
        stopping.append(signum)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    ready_by = time.monotonic() + READY_SECONDS
    ready, status = False, 0
    while not stopping:
        stopped = [(name, child) for name, child in children.items() if child.poll() is not None]
        if stopped:
            name, child = stopped[0]
            moment = "while starting" if not ready else "by itself"
            say(f"kerbside: the {name} stopped {moment} (exit status {child.returncode})")
            status = 1
            break
        if not ready:
            if answers(url):
                ready = True
                say(f"kerbside is up on {shown_url}  (Ctrl-C stops everything)")
            elif time.monotonic() > ready_by:
                say(f"kerbside: the web server did not answer {url} within {READY_SECONDS} s")
                status = 1
                break
        time.sleep(0.2)
    for child in children.values():
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    for child in children.values():
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
    return status


def run_up(host: str, port_text: str, web_workers: int, say: Callable[[str], None]) -> int:
    """Everything in one command; returns the exit status. Raises UpError before anything ran."""
    from .bootstrap import make_writable_dir
    from .cli import start

    port = parse_port(port_text)
    sock = listen(host, port)
    try:
        platform = start(migrate=True)
        env = dict(os.environ)
        env["DATABASE_URL"] = platform.settings.database_url or ""
        env["REDIS_URL"] = platform.settings.redis_url or ""
        metrics_dir = make_writable_dir(
            (platform.settings.var_dir / "metrics" / str(os.getpid())).resolve()
        )
        env.setdefault("PROMETHEUS_MULTIPROC_DIR", str(metrics_dir))
        children = {
            "web server": subprocess.Popen(
                gunicorn_command(sock.fileno(), web_workers), env=env, pass_fds=(sock.fileno(),)
            ),
            "worker": subprocess.Popen([sys.executable, "-m", "kerbside.cli", "worker"], env=env),
        }
        url = health_url(sock)
    finally:
        sock.close()  # the web server holds its own copy
    try:
        return supervise(children, url, say, f"http://{host}:{port}")
    finally:
        shutil.rmtree(metrics_dir, ignore_errors=True)
        platform.close()
