"""Python CPU per USSD hop, in one process: the platform's menus and booking journeys and the
floor's hop, each called as a WSGI server calls it, against the real PostgreSQL and Redis.

CPU time (`time.process_time`) moves far less with the machine's load than wall time or
throughput, so this is the figure to compare one change with the next. `--profile menus`
(or `booking`) prints a cProfile of that journey's hops instead, sorted by cumulative time.
Run `bench/ussd.py` once first on the same DATABASE_URL (it seeds the bench database).

    DATABASE_URL=postgresql://.../kerbside_ussd_bench_x REDIS_URL=redis://.../12 \\
    python bench/hop_cpu.py [--journeys 50] [--profile menus]
"""

from __future__ import annotations

import argparse
import cProfile
import itertools
import pstats
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from werkzeug.test import EnvironBuilder

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(1, str(ROOT / "bench"))

from bench.ussd import JOURNEY, MENUS  # noqa: E402
from bench.wrk import cumulative  # noqa: E402


def _start_response(status: str, _headers: Any, *_exc: Any) -> None:
    assert status.startswith("200"), status


PHONES = itertools.count(int(time.time() * 100))  # a new number per journey, run after run


def journeys(
    app: Any, path: str, inputs: list[str], count: int, tag: str
) -> list[tuple[float, float]]:
    """(wall ms, CPU ms) of every hop of `count` journeys, one after another. Each request's
    WSGI environ is built before the clock starts: what is timed is the app, as a WSGI server
    calls it, and nothing of a test client."""
    figures = []
    for n in range(count):
        session_id = f"cpu-{tag}-{time.time_ns()}-{n}"
        phone = f"+2784{next(PHONES) % 10**7:07d}"
        for text in cumulative(inputs):
            form = {
                "sessionId": session_id,
                "serviceCode": "*120*5372#",
                "phoneNumber": phone,
                "networkCode": "62120",
                "text": text,
            }
            environ = EnvironBuilder(path=path, method="POST", data=form).get_environ()
            wall, cpu = time.perf_counter(), time.process_time()
            body = b"".join(app(environ, _start_response)).decode()
            figures.append(
                ((time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000)
            )
        if tag != "floor" and inputs is JOURNEY and not body.startswith("END Booked!"):
            raise SystemExit(f"booking journey did not book: {body[:60]!r}")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--journeys", type=int, default=50)
    parser.add_argument("--profile", choices=("menus", "booking"), default=None)
    args = parser.parse_args()
    import logging

    import floor

    from core.settings import Settings
    from kerbside.app import create_app
    from kerbside.logs import configure

    settings = Settings.from_env()
    assert settings.database_url and "bench" in settings.database_url.rsplit("/", 1)[-1]
    configure("WARNING", True)
    logging.getLogger().setLevel("WARNING")
    floor.prepare()
    floor_app = floor.app
    app = create_app()
    ussd = "/webhooks/africastalking/ussd"
    journeys(app, ussd, MENUS, 3, "warm")
    journeys(app, ussd, JOURNEY, 1, "warm")
    if args.profile:
        inputs = MENUS if args.profile == "menus" else JOURNEY
        profiler = cProfile.Profile(time.process_time)  # CPU, not waiting on the servers
        profiler.enable()
        journeys(app, ussd, inputs, args.journeys, "profile")
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
        return
    rows = [
        ("floor hop", journeys(floor_app, "/ussd", JOURNEY, args.journeys, "floor")),
        ("menus hop", journeys(app, ussd, MENUS, args.journeys, "menus")),
        ("booking hop", journeys(app, ussd, JOURNEY, args.journeys, "booking")),
    ]
    print(f"{'in one process':<14}{'hops':>6}{'wall p50':>10}{'CPU p50':>9}{'CPU mean':>10}")
    for name, figures in rows:
        walls, cpus = [w for w, _ in figures], [c for _, c in figures]
        print(
            f"{name:<14}{len(figures):>6}{statistics.median(walls):>8.2f}ms"
            f"{statistics.median(cpus):>7.2f}ms{statistics.fmean(cpus):>8.2f}ms"
        )


if __name__ == "__main__":
    main()
