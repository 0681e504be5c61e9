"""The Redis adapters of two core ports (core/ports.py): the operator geo index and the
abuse guards' window counters. Redis holds only what can be rebuilt (architecture.md 2).

`RedisOperatorIndex` keeps one GEO sorted set. A sentinel member marks the index as built, so
an empty index (nobody online) is told apart from a missing one (Redis flushed or restarted),
which triggers a rebuild from SQL.

`RedisWindowCounter`: Redis being down fails open: `hit` answers None and the caller lets the
request through, since losing a guard for a while is better than refusing everyone.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from typing import Any

import redis

log = logging.getLogger(__name__)


class RedisWindowCounter:
    def __init__(self, client: redis.Redis) -> None:
        self._redis = client

    def hit(self, key: str, ttl_seconds: int) -> int | None:
        try:
            pipe = self._redis.pipeline()
            pipe.incr(key)
            pipe.expire(key, ttl_seconds)
            return int(pipe.execute()[0])
        except redis.RedisError:
            log.warning("counter %s: redis unavailable, not counting", key.split(":")[0])
            return None


GEO_KEY = "kerbside:operators:geo"
SENTINEL = "built"
SENTINEL_LON, SENTINEL_LAT = 0.0, 0.0  # in the Gulf of Guinea: never near a South African job
PIPELINE_CHUNK = 5000


class RedisOperatorIndex:
    def __init__(self, client: redis.Redis, key: str = GEO_KEY) -> None:
        self.client = client
        self.key = key

    def put(self, operator_id: int, lat: float, lon: float) -> None:
        self.client.geoadd(self.key, (lon, lat, str(operator_id)))

    def remove(self, operator_id: int) -> None:
        self.client.zrem(self.key, str(operator_id))

    def near(self, lat: float, lon: float, radius_km: float, count: int) -> list[tuple[int, float]]:
        rows: list[tuple[bytes | str, float]] = self.client.geosearch(  # type: ignore[assignment]
            self.key,
            longitude=lon,
            latitude=lat,
            radius=radius_km,
            unit="km",
            sort="ASC",
            count=count + 1,
            withdist=True,
        )
        found: list[tuple[int, float]] = []
        for member, distance in rows:
            name = member.decode() if isinstance(member, bytes) else str(member)
            if name != SENTINEL:
                found.append((int(name), float(distance)))
        return found[:count]

    def is_built(self) -> bool:
        return self.client.zscore(self.key, SENTINEL) is not None

    def replace_all(self, points: Iterable[tuple[int, float, float]]) -> int:
        """Build under a temporary key, then RENAME over the live one (atomic for readers)."""
        temp = f"{self.key}:building:{uuid.uuid4().hex}"  # concurrent rebuilds never mix
        pipe = self.client.pipeline(transaction=False)
        pipe.delete(temp)
        pipe.geoadd(temp, (SENTINEL_LON, SENTINEL_LAT, SENTINEL))
        total = 0
        batch: list[Any] = []
        for operator_id, lat, lon in points:
            batch.extend((lon, lat, str(operator_id)))
            total += 1
            if len(batch) >= PIPELINE_CHUNK * 3:
                pipe.geoadd(temp, batch)
                batch = []
                if len(pipe) >= 20:
                    pipe.execute()
        if batch:
            pipe.geoadd(temp, batch)
        pipe.rename(temp, self.key)
        pipe.execute()
        return total
