"""What the development clock's offset costs: `python -m bench.clock` (DATABASE_URL to a migrated
database; nothing is written).

Prints the cost of one uncached read of the offset (a pooled connection and one SELECT) and of
`now()` through the platform clock, which reads SQL at most once a second per process.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from core.clock import OffsetClock, SystemClock
from core.clock_offset import stored_offset
from core.settings import Settings
from kerbside.bootstrap import bootstrap


def per_call(fn: Callable[[], object], n: int) -> float:
    started = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - started) / n


def main() -> None:
    platform = bootstrap(Settings.from_env())
    stored_offset(platform.engine)  # warm the pool
    reads = [per_call(lambda: stored_offset(platform.engine), 200) for _ in range(5)]
    clock = OffsetClock(lambda: stored_offset(platform.engine))
    cached = [per_call(clock.now, 100_000) for _ in range(5)]
    plain = [per_call(SystemClock().now, 100_000) for _ in range(5)]
    print(f"offset read from SQL (uncached): {statistics.median(reads) * 1e6:8.1f} us")
    print(f"now() through the offset clock:  {statistics.median(cached) * 1e6:8.2f} us")
    print(f"now() of the system clock:       {statistics.median(plain) * 1e6:8.2f} us")
    platform.close()


if __name__ == "__main__":
    main()
