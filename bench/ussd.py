"""USSD benchmark: Kerbside's journeys against the floor and bare Flask, in one run.

Serves, all at once and each with gunicorn (a subprocess on a free 127.0.0.1 port,
`--workers` sync workers): the floor (`bench/floor.py`: one session row per sessionId, SELECT
FOR UPDATE, apply the inputs, UPDATE, COMMIT over psycopg 3), a bare Flask view
(`bench/hello.py`) and the platform, whose menus journey and booking journey (empty `text` to
`END Booked!`) are driven too, and the menus journey and the floor at one connection. Each of
`--rounds` rounds drives every endpoint once, one after another, so each ratio to the floor is
taken within a round. Prints hops/s and p50/p99 for each. With wrk installed (the default
driver) every connection walks one journey at a time for `--seconds`; `--driver threads` uses
Python threads, one session each, for `--sessions` journeys (one round). The database is
wiped and seeded: its name must contain "bench".

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/kerbside_ussd_bench \\
    REDIS_URL=redis://127.0.0.1:6379/2 python bench/ussd.py [--sessions 100] [--workers 2]
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
        for n in range(40):  # 800 concurrent jobs: a 10 s wrk run books a few hundred
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
def gunicorn(
    target: str, workers: int, pythonpath: str | None = None, probe: str = "GET /healthz"
) -> Iterator[str]:
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
                method, path = probe.split()
                urllib.request.urlopen(urllib.request.Request(url + path, method=method), timeout=5)
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


def run_serial(
    url: str, sessions: int, inputs: list[str] = JOURNEY, tag: str = "serial"
) -> dict[str, list[float]]:
    """Journeys one after another: each hop's own service time, without queueing."""
    per_hop: dict[str, list[float]] = {}
    for n in range(sessions):
        for hop in range(len(inputs)):
            form = {
                "sessionId": f"{tag}-{n}",
                "serviceCode": "*120*5372#",
                "phoneNumber": f"+2783{n:07d}",
                "networkCode": "62120",
                "text": "*".join(inputs[1 : hop + 1]),
            }
            ms, _ = post(url, form)
            per_hop.setdefault(f"{hop}:{inputs[hop] or 'dial'}", []).append(ms)
    return {k: sorted(v) for k, v in per_hop.items()}


def median_of(serial: dict[str, list[float]]) -> float:
    """The median hop of a serial run, over all its hops."""
    return statistics.median(ms for values in serial.values() for ms in values)


def combine(rounds: list[list[dict]]) -> list[dict]:
    """Per endpoint over all rounds. Ratios are taken within a round (the floor then, the
    endpoint just after), which cancels most of what the machine's load does between rounds.
    The one-connection rows are compared with the floor at one connection."""
    combined = []
    for column in range(len(rounds[0])):
        runs = [r[column] for r in rounds]
        base = 5 if column >= 4 else 0
        outcomes: dict[str, int] = {}
        for run in runs:
            for key, count in run["outcomes"].items():
                outcomes[key] = outcomes.get(key, 0) + count
        hops, seconds = sum(r["hops"] for r in runs), sum(r["seconds"] for r in runs)
        combined.append(
            {
                "hops": hops,
                "seconds": seconds,
                "hops_per_s": hops / seconds,
                "p50": statistics.median(r["p50"] for r in runs),
                "p99": statistics.median(r["p99"] for r in runs),
                "x_floor": statistics.median(
                    r[column]["hops_per_s"] / r[base]["hops_per_s"] for r in rounds
                ),
                "outcomes": outcomes,
                "errors": sum(r.get("errors", 0) for r in runs),
            }
        )
    return combined


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=100, help="concurrent sessions")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=int, default=10, help="per endpoint, with wrk")
    parser.add_argument("--driver", choices=("wrk", "threads"), default=None)
    parser.add_argument("--rounds", type=int, default=3, help="every endpoint once per round")
    args = parser.parse_args()
    from bench import floor, wrk

    driver = args.driver or ("wrk" if wrk.available() else "threads")
    if driver == "threads":
        args.rounds = 1  # its sessions have fixed ids: a second round would meet the first's

    def drive(url: str, inputs: list[str], sessions: int = args.sessions) -> dict:
        if driver == "wrk":
            return wrk.run_wrk(url, inputs, sessions, args.seconds)
        return run_sessions(url, sessions, None, inputs)

    prepare(args.sessions)
    floor.prepare()
    bench_dir = str(ROOT / "bench")
    names = [
        "floor: one session row per hop",
        "bare Flask hello",
        f"USSD menus journey ({len(MENUS)} hops)",
        f"USSD booking journey ({len(JOURNEY)} hops)",
        "USSD menus, one connection",
        "floor, one connection",
    ]
    rounds: list[list[dict]] = []
    with contextlib.ExitStack() as servers:
        floor_url = servers.enter_context(gunicorn("floor:app", args.workers, bench_dir))
        hello_url = servers.enter_context(
            gunicorn("hello:app", args.workers, bench_dir, probe="POST /hello")
        )
        ussd = servers.enter_context(gunicorn("wsgi:app", args.workers))
        ussd += "/webhooks/africastalking/ussd"
        post(ussd, {"sessionId": "warm", "phoneNumber": "+27820999999", "text": ""})
        for _ in range(args.rounds):  # each round drives every endpoint once, back to back
            rounds.append(
                [
                    drive(floor_url + "/ussd", JOURNEY),
                    drive(hello_url + "/hello", JOURNEY),
                    drive(ussd, MENUS),
                    drive(ussd, JOURNEY),
                    drive(ussd, MENUS, 1),
                    drive(floor_url + "/ussd", JOURNEY, 1),
                ]
            )
        serial = run_serial(ussd, 10)
        serial_menus = run_serial(ussd, 10, MENUS, "serial-menus")
    results = list(zip(names, combine(rounds), strict=True))
    booking = results[3][1]
    load = os.getloadavg()[0]
    print(
        f"{args.sessions} concurrent sessions ({driver}), gunicorn --workers {args.workers}, "
        f"{os.cpu_count()} cores, load average {load:.1f} at the end"
    )
    print(
        f"{args.rounds} rounds of {args.seconds} s per endpoint; hops/s over all rounds, p50 and"
        " p99 the median of the rounds', x floor the median of each round's ratio"
    )
    print(f"{'endpoint':<34}{'hops':>7}{'hops/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'x floor':>9}")
    for name, r in results:
        print(
            f"{name:<34}{r['hops']:>7}{r['hops_per_s']:>9.0f}{r['p50']:>9.1f}{r['p99']:>9.1f}"
            f"{r['x_floor']:>9.2f}"
        )
    print(f"booking journeys: {booking['outcomes']}; errors {booking.get('errors', 0)}")
    print(
        f"one connection, one hop at a time: menus p50 {median_of(serial_menus):.1f} ms, "
        f"booking p50 {median_of(serial):.1f} ms"
    )
    print("booking journey one session at a time (service time per hop, no queueing), ms:")
    for label, values in serial.items():
        print(f"  hop {label:<12} p50 {values[len(values) // 2]:6.1f}  max {values[-1]:6.1f}")


if __name__ == "__main__":
    main()
