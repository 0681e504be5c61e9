"""Fixed-window counters in Redis (rebuildable, architecture.md 2), shared by the abuse guards.

Redis being down fails open: `hit` answers None and the caller lets the request through, since
losing a guard for a while is better than refusing everyone.
"""

from __future__ import annotations

import logging

import redis

log = logging.getLogger(__name__)


class WindowCounter:
    def __init__(self, client: redis.Redis) -> None:
        self._redis = client

    def hit(self, key: str, ttl_seconds: int) -> int | None:
        """Count one more event under `key` (which names its window) and return the count so
        far, or None when Redis cannot be reached."""
        try:
            pipe = self._redis.pipeline()
            pipe.incr(key)
            pipe.expire(key, ttl_seconds)
            return int(pipe.execute()[0])
        except redis.RedisError:
            log.warning("counter %s: redis unavailable, not counting", key.split(":")[0])
            return None
