"""Per-key token buckets: in Redis (one Lua script, Redis' own clock) so replicas agree, or in memory.

A bucket holds up to `burst` tokens and refills at `rate` tokens per second; a request takes one.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any, Protocol

from docmesh_common.backoff import Backoff


@dataclass(frozen=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    reset_seconds: int  # until the bucket is full again
    retry_after_seconds: int  # until one token is back (0 when allowed)

    def headers(self, rate: float) -> dict[str, str]:
        window = max(1, math.ceil(self.limit / rate)) if rate > 0 else 1
        headers = {
            "ratelimit-limit": str(self.limit),
            "ratelimit-remaining": str(self.remaining),
            "ratelimit-reset": str(self.reset_seconds),
            "ratelimit-policy": f"{self.limit};w={window}",
        }
        if not self.allowed:
            headers["retry-after"] = str(self.retry_after_seconds)
        return headers


def _decide(allowed: bool, tokens: float, rate: float, burst: int) -> Decision:
    reset = math.ceil((burst - tokens) / rate) if rate > 0 else 0
    retry = 0 if allowed else max(1, math.ceil((1 - tokens) / rate))
    return Decision(allowed, burst, max(0, math.floor(tokens)), max(0, reset), retry)


class RateLimiter(Protocol):
    rate: float

    async def acquire(self, key: str) -> Decision: ...
    async def close(self) -> None: ...


class MemoryRateLimiter:
    """Buckets in this process only (one replica, or no Redis configured)."""

    def __init__(self, rate: float, burst: int, max_keys: int = 100_000) -> None:
        self.rate = rate
        self.burst = burst
        self._max_keys = max_keys
        self._buckets: dict[str, tuple[float, float]] = {}

    async def acquire(self, key: str) -> Decision:
        return self.take(key)

    def take(self, key: str) -> Decision:
        now = time.monotonic()
        tokens, last = self._buckets.get(key, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - last) * self.rate)
        allowed = tokens >= 1
        if allowed:
            tokens -= 1
        if len(self._buckets) >= self._max_keys and key not in self._buckets:
            self._buckets.clear()  # bounded memory; a reset bucket only ever lets more through
        self._buckets[key] = (tokens, now)
        return _decide(allowed, tokens, self.rate, self.burst)

    async def close(self) -> None:
        self._buckets.clear()


TOKEN_BUCKET_LUA = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1])
local ts = tonumber(state[2])
if tokens == nil or ts == nil then
  tokens = burst
  ts = now
end
tokens = math.min(burst, tokens + math.max(0, now - ts) * rate)
local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return {allowed, tostring(tokens)}
"""


class RedisRateLimiter:
    """Buckets in Redis; every replica shares them.

    While Redis is away (an error or a time-out), each process limits with its own in-memory
    buckets: a client gets at most the limit per replica, never an error. After the first failure
    no request waits on Redis again: the shared back-off (docmesh_common.backoff) pings it in the
    background, first after about `PROBE_FIRST_SECONDS`, then at growing intervals up to
    `PROBE_MAX_SECONDS`, and the shared buckets are used again once a ping answers.
    """

    PROBE_FIRST_SECONDS = 0.5
    PROBE_MAX_SECONDS = 5.0

    def __init__(self, url: str, rate: float, burst: int, prefix: str) -> None:
        import redis.asyncio as redis_asyncio

        self.rate = rate
        self.burst = burst
        self.prefix = prefix
        self._client: Any = redis_asyncio.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self._script = self._client.register_script(TOKEN_BUCKET_LUA)
        self._fallback = MemoryRateLimiter(rate, burst)
        self._backoff = Backoff(
            "rate limiter: Redis",  # meanwhile each process limits with its own buckets
            self._client.ping,
            first_seconds=self.PROBE_FIRST_SECONDS,
            max_seconds=self.PROBE_MAX_SECONDS,
        )

    @property
    def shared(self) -> bool:
        """True while the buckets are the shared ones in Redis."""
        return not self._backoff.down

    async def acquire(self, key: str) -> Decision:
        if self._backoff.down:
            return self._fallback.take(key)
        try:
            allowed, tokens = await self._script(keys=[self.prefix + key], args=[self.rate, self.burst])
        except Exception as error:  # any Redis failure: limit locally rather than fail requests
            self._backoff.failed(error)
            return self._fallback.take(key)
        return _decide(bool(int(allowed)), float(tokens), self.rate, self.burst)

    async def close(self) -> None:
        await self._backoff.close()
        await self._client.aclose()
