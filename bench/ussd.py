"""USSD benchmark: 100 concurrent sessions through complete booking journeys.

Serves the platform with gunicorn (a subprocess on a free 127.0.0.1 port, `--workers` sync
workers) on PostgreSQL + Redis, drives every session from an empty `text` to `END Booked!`,
and prints hops/s and p50/p99 latency beside the same figures for a bare Flask "hello" served
the same way. The database is wiped and seeded: its name must contain "bench".

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/kerbside_ussd_bench \\
    REDIS_URL=redis://127.0.0.1:6379/2 python bench/ussd.py [--sessions 100] [--workers 4]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from datetime import time as clock_time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

JOURNEY = ["", "1", "1", "Sandton", "2", "1", "1"]  # 7 hops, last one books (decisions T16)
MENUS = ["", "3", "1", "0", "0", "4", "0", "3", "2", "0"]  # 10 hops of menus, no booking core


def prepare(sessions: int) -> None:
    from sqlalchemy import text

    from core.accounts.model import Person
    from core.booking import operators as ops
    from core.settings import Settings
    from kerbside.bootstrap import bootstrap
    from kerbside.migrate import upgrade

    settings = Settings.from_env()
    if settings.database_url is None or "bench" not in settings.database_url.rsplit("/", 1)[-1]:
        sys.exit("bench/ussd.py: set DATABASE_URL to a database whose name contains 'bench'")
    platform = bootstrap(settings)
    with platform.engine.begin() as conn:
        conn.execute(text("drop schema public cascade"))
        conn.execute(text("create schema public"))
    upgrade(platform.engine)
    platform.redis.flushdb()
    uow = platform.uow()
    with uow:
        ops.upsert_service(uow, "full_valet", "Full valet", 60, 12_000, 60_000)
        for n in range(12):
            person = Person(phone=f"+2772{n:07d}", name=f"Operator {n}", is_operator=True)
            uow.add(person)
            uow.session.flush()
            lat, lon = -26.1076 + n * 0.002, 28.0567 - n * 0.002
            ops.register_operator(
                uow, person.id, f"Wash {n}", lat, lon, radius_km=25, concurrent=20, daily=500
            )
            ops.set_service_price(uow, person.id, "full_valet", 15_000 + n * 100, expertise=3)
            for weekday in range(7):
                ops.set_working_hours(uow, person.id, weekday, clock_time(0, 0), clock_time(23, 59))
            ops.set_online(uow, person.id, True)
        uow.commit()
    platform.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def gunicorn(target: str, workers: int, pythonpath: str | None = None) -> Iterator[str]:
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "--workers", str(workers)]
    command += ["--bind", f"127.0.0.1:{port}", "--log-level", "warning", "--backlog", "2048"]
    if pythonpath:
        command += ["--pythonpath", pythonpath]
    env = {**os.environ, "LOG_LEVEL": "WARNING"}
    process = subprocess.Popen([*command, target], cwd=ROOT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        ready = 0
        while ready < workers * 2:  # every worker has booted and answered
            try:
                probe = url + ("/healthz" if target == "wsgi:app" else "/hello")
                method = "GET" if target == "wsgi:app" else "POST"
                urllib.request.urlopen(urllib.request.Request(probe, method=method), timeout=5)
                ready += 1
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError(f"gunicorn {target} did not start") from None
                time.sleep(0.2)
        time.sleep(1.0)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=15)


def post(url: str, form: dict[str, str]) -> tuple[float, str]:
    data = urllib.parse.urlencode(form).encode()
    started = time.perf_counter()
    with urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=30) as reply:
        body = reply.read().decode()
    return (time.perf_counter() - started) * 1000, body


def run_sessions(
    url: str,
    sessions: int,
    hops_per_session: int | None = None,
    journey_inputs: list[str] = JOURNEY,
) -> dict:
    """Every session in its own thread, all started together; latencies per hop in ms."""
    latencies: list[float] = []
    outcomes: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(sessions)

    def journey(n: int) -> None:
        phone = f"+2782{n:07d}"
        mine: list[float] = []
        barrier.wait()
        body = ""
        try:
            hops = len(journey_inputs) if hops_per_session is None else hops_per_session
            for hop in range(hops):
                text = "*".join(journey_inputs[1 : hop + 1]) if hops_per_session is None else ""
                form = {
                    "sessionId": f"bench-{n}-{journey_inputs is JOURNEY}",
                    "serviceCode": "*120*5372#",
                    "phoneNumber": phone,
                    "networkCode": "62120",
                    "text": text,
                }
                ms, body = post(url, form)
                mine.append(ms)
            outcome = "booked" if body.startswith("END Booked!") else body[:30].replace("\n", " ")
        except Exception as err:  # noqa: BLE001 - counted, not fatal
            outcome = f"error {type(err).__name__}"
        with lock:
            latencies.extend(mine)
            outcomes.append(outcome)

    threads = [threading.Thread(target=journey, args=(n,)) for n in range(sessions)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "hops": len(latencies),
        "seconds": elapsed,
        "hops_per_s": len(latencies) / elapsed,
        "p50": statistics.median(latencies),
        "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
        "outcomes": {o: outcomes.count(o) for o in set(outcomes)},
    }


def run_serial(url: str, sessions: int) -> dict[str, list[float]]:
    """Journeys one after another: each hop's own service time, without queueing."""
    per_hop: dict[str, list[float]] = {}
    for n in range(sessions):
        for hop in range(len(JOURNEY)):
            form = {
                "sessionId": f"serial-{n}",
                "serviceCode": "*120*5372#",
                "phoneNumber": f"+2783{n:07d}",
                "networkCode": "62120",
                "text": "*".join(JOURNEY[1 : hop + 1]),
            }
            ms, _ = post(url, form)
            per_hop.setdefault(f"{hop}:{JOURNEY[hop] or 'dial'}", []).append(ms)
    return {k: sorted(v) for k, v in per_hop.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=100)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    prepare(args.sessions)
    with gunicorn("wsgi:app", args.workers) as url:
        post(
            url + "/webhooks/africastalking/ussd",
            {"sessionId": "warm", "phoneNumber": "+27820999999", "text": ""},
        )
        ussd = run_sessions(url + "/webhooks/africastalking/ussd", args.sessions)
        menus = run_sessions(url + "/webhooks/africastalking/ussd", args.sessions, None, MENUS)
    with gunicorn("hello:app", args.workers, pythonpath=str(ROOT / "bench")) as url:
        hello = run_sessions(url + "/hello", args.sessions, hops_per_session=len(JOURNEY))
    with gunicorn("wsgi:app", args.workers) as url:
        serial = run_serial(url + "/webhooks/africastalking/ussd", 10)
    print(
        f"{args.sessions} concurrent sessions, gunicorn --workers {args.workers}, "
        f"{os.cpu_count()} cores"
    )
    print(f"{'endpoint':<34}{'hops':>6}{'hops/s':>9}{'p50 ms':>9}{'p99 ms':>9}")
    rows = (
        ("USSD booking journey (7 hops)", ussd),
        ("USSD menus only (10 hops)", menus),
        ("bare Flask hello", hello),
    )
    for name, r in rows:
        print(f"{name:<34}{r['hops']:>6}{r['hops_per_s']:>9.0f}{r['p50']:>9.1f}{r['p99']:>9.1f}")
    print(f"journeys: {ussd['outcomes']}")
    print("one session at a time (service time per hop, no queueing), ms:")
    for label, values in serial.items():
        print(f"  hop {label:<12} p50 {values[len(values) // 2]:6.1f}  max {values[-1]:6.1f}")


if __name__ == "__main__":
    main()
