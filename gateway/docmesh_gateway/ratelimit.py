"""Per-key token buckets: shared through Redis (Lua scripts, Redis' own clock) so replicas agree, or in memory.

A bucket holds up to `burst` tokens and refills at `rate` tokens per second; a request takes one.
"""

from __future__ import annotations

import asyncio
import contextlib
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


MAX_KEYS = 100_000  # buckets kept in memory per process


class MemoryRateLimiter:
    """Buckets in this process only (one replica, or no Redis configured)."""

    def __init__(self, rate: float, burst: int, max_keys: int = MAX_KEYS) -> None:
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


# Reconciliation: every bucket this replica used since the last round, its local consumption
# taken from the shared bucket (refilled by Redis' clock as above); the shared tokens left come
# back. A bucket may go into debt down to -burst: requests another replica let through in the
# same interval are paid back, so over time the replicas together keep to the limit.
RECONCILE_LUA = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local left = {}
for i, key in ipairs(KEYS) do
  local state = redis.call('HMGET', key, 'tokens', 'ts')
  local tokens = tonumber(state[1])
  local ts = tonumber(state[2])
  if tokens == nil or ts == nil then
    tokens = burst
    ts = now
  end
  tokens = math.min(burst, tokens + math.max(0, now - ts) * rate)
  tokens = math.max(-burst, tokens - tonumber(ARGV[i + 2]))
  redis.call('HSET', key, 'tokens', tostring(tokens), 'ts', tostring(now))
  redis.call('PEXPIRE', key, math.ceil(2 * burst / rate * 1000) + 1000)
  left[i] = tostring(tokens)
end
return left
"""


@dataclass
class _Local:
    """This replica's view of a shared bucket."""

    tokens: float
    stamp: float  # monotonic time `tokens` was true at
    pending: int = 0  # requests let through since the last reconciliation
    used: float = 0.0  # monotonic time of the last request


class RedisRateLimiter:
    """Buckets shared by every replica through Redis, decided locally.

    A key's first request in this process asks Redis (the token bucket script, one round trip)
    and leaves a local copy of the bucket; later requests are decided on that copy without a
    round trip, and every `sync_seconds` one script call takes what the replica let through from
    the shared buckets and brings the copies back in line with what every replica used. So a
    client gets the limit across all replicas, give or take what the others let through within
    one interval (the debt is paid back in the next). Per-request Redis calls were 8 % of the
    gateway's CPU on a cheap call (bench_rest_hop, py-spy).

    While Redis is away (an error or a time-out), the local copies are the limit, per replica:
    a client gets at most the limit per replica, never an error. After the first failure no
    request waits on Redis again: the shared back-off (docmesh_common.backoff) pings it in the
    background, first after about `PROBE_FIRST_SECONDS`, then at growing intervals up to
    `PROBE_MAX_SECONDS`, and the shared buckets are used again once a ping answers.
    """

    PROBE_FIRST_SECONDS = 0.5
    PROBE_MAX_SECONDS = 5.0
    # Reconciled per script call at most; more active keys take more calls in the same round.
    BATCH = 500

    def __init__(self, url: str, rate: float, burst: int, prefix: str, sync_seconds: float = 0.1) -> None:
        import redis.asyncio as redis_asyncio

        self.rate = rate
        self.burst = burst
        self.prefix = prefix
        self.sync_seconds = sync_seconds
        self._client: Any = redis_asyncio.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self._script = self._client.register_script(TOKEN_BUCKET_LUA)
        self._reconcile_script = self._client.register_script(RECONCILE_LUA)
        self._local: dict[str, _Local] = {}
        self._fallback = MemoryRateLimiter(rate, burst)
        self._task: asyncio.Task[None] | None = None
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
        now = time.monotonic()
        local = self._local.get(key)
        if local is None:
            return await self._first(key, now)
        local.tokens = min(float(self.burst), local.tokens + (now - local.stamp) * self.rate)
        local.stamp = now
        local.used = now
        allowed = local.tokens >= 1
        if allowed:
            local.tokens -= 1
            local.pending += 1
        return _decide(allowed, local.tokens, self.rate, self.burst)

    async def _first(self, key: str, now: float) -> Decision:
        """A key this process has no copy of: the shared bucket decides, and leaves its copy."""
        try:
            allowed, tokens = await self._script(keys=[self.prefix + key], args=[self.rate, self.burst])
        except Exception as error:  # any Redis failure: limit locally rather than fail requests
            self._backoff.failed(error)
            return self._fallback.take(key)
        left = float(tokens)
        if len(self._local) >= MAX_KEYS:
            self._local.clear()  # bounded memory; a dropped copy is asked for again
        self._local[key] = _Local(tokens=left, stamp=now, used=now)
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(
                self._reconcile_loop(), name="rate-limit-sync"
            )
        return _decide(bool(int(allowed)), left, self.rate, self.burst)

    async def _reconcile_loop(self) -> None:
        while True:
            await asyncio.sleep(self.sync_seconds)
            if self._backoff.down:
                continue
            try:
                await self.reconcile()
            except Exception as error:
                self._backoff.failed(error)

    async def reconcile(self) -> None:
        """One round: what this replica let through goes to Redis; the copies get the shared state."""
        now = time.monotonic()
        idle_after = max(1.0, 2 * self.burst / self.rate) if self.rate > 0 else 60.0
        for key, local in list(self._local.items()):
            # A copy unused for longer than a full refill is dropped: the next request asks Redis.
            if not local.pending and now - local.used > idle_after:
                del self._local[key]
        keys = list(self._local)
        for start in range(0, len(keys), self.BATCH):
            batch = keys[start : start + self.BATCH]
            sent = [self._local[k].pending for k in batch]
            for k in batch:
                self._local[k].pending = 0
            try:
                left = await self._reconcile_script(
                    keys=[self.prefix + k for k in batch], args=[self.rate, self.burst, *sent]
                )
            except Exception:
                for k, count in zip(batch, sent, strict=True):  # not taken: counted in the next round
                    if k in self._local:
                        self._local[k].pending += count
                raise
            stamp = time.monotonic()
            for k, shared in zip(batch, left, strict=True):
                copy = self._local.get(k)
                if copy is not None:
                    # Requests let through while the call was out are not in `shared` yet.
                    copy.tokens = float(shared) - copy.pending
                    copy.stamp = stamp

    async def close(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if not self._backoff.down and any(local.pending for local in self._local.values()):
            with contextlib.suppress(Exception):  # the last interval's requests, best effort
                await self.reconcile()
        await self._backoff.close()
        await self._client.aclose()
