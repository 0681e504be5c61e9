"""Provider send-rate limits: a token bucket in Redis shared by every relay process.

Each send reserves one token; when the bucket is empty the caller sleeps exactly until its token
is due (one Redis round trip per message, no polling). The bucket holds one second's worth of
tokens, so a burst never exceeds `rate` messages above the steady rate.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import redis

from core.outbox.ports import Accepted, SmsGateway

log = logging.getLogger(__name__)

# KEYS[1] bucket; ARGV: rate/s, capacity, now (seconds, float). Returns seconds to wait.
_RESERVE = """
local rate = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1]) or capacity
local ts = tonumber(state[2]) or now
if now > ts then
  tokens = math.min(capacity, tokens + (now - ts) * rate)
  ts = now
end
tokens = tokens - 1
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(ts))
redis.call('EXPIRE', KEYS[1], 3600)
if tokens >= 0 then return '0' end
return tostring(-tokens / rate)
"""


class TokenBucket:
    """`acquire()` blocks until one send is allowed. Clock and sleep are injectable for tests."""

    def __init__(
        self,
        client: redis.Redis,
        key: str,
        rate_per_second: float,
        *,
        now: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.key, self.rate = key, rate_per_second
        self.capacity = max(1.0, rate_per_second)
        self._client, self._now, self._sleep = client, now, sleep
        self._script = client.register_script(_RESERVE)

    def acquire(self) -> float:
        """Reserve one token; returns how long the caller waited (seconds). Without Redis each
        process paces itself at the full rate (fail open: messages keep flowing)."""
        try:
            wait = float(
                self._script(keys=[self.key], args=[self.rate, self.capacity, self._now()])
            )
        except redis.RedisError:
            log.warning("sms rate limiter: redis unavailable, pacing locally")
            wait = 1.0 / self.rate
        if wait > 0:
            self._sleep(wait)
        return wait


class RateLimitedGateway:
    """Wraps a gateway so that the relay never exceeds the provider's messages per second."""

    def __init__(self, inner: SmsGateway, bucket: TokenBucket) -> None:
        self.inner, self.bucket = inner, bucket
        self.name = inner.name

    def send(self, to: str, body: str, idempotency_key: str) -> Accepted:
        self.bucket.acquire()
        return self.inner.send(to, body, idempotency_key)
