"""The gateway's rate limiter while its Redis hangs, dies and comes back (a Redis of the test's own)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from docmesh_gateway.ratelimit import RedisRateLimiter
from tests.faults.servers import OwnRedis, own_redis

pytestmark = pytest.mark.redis


@pytest.fixture
async def redis_and_limiter(tmp_path: Path) -> AsyncIterator[tuple[OwnRedis, RedisRateLimiter]]:
    with own_redis(tmp_path) as server:
        limiter = RedisRateLimiter(server.url, rate=1000.0, burst=1000, prefix="test:")
        try:
            yield server, limiter
        finally:
            server.thaw()
            await limiter.close()


async def _timed(limiter: RedisRateLimiter, key: str) -> float:
    started = time.perf_counter()
    decision = await limiter.acquire(key)
    assert decision.allowed
    return time.perf_counter() - started


async def test_a_hung_redis_costs_one_timeout_then_no_request_waits_on_it(redis_and_limiter) -> None:
    server, limiter = redis_and_limiter
    await _timed(limiter, "k")
    server.freeze()
    # A key's first request asks Redis (later ones decide on the replica's copy of the bucket).
    first = await _timed(limiter, "k-new")
    later = [await _timed(limiter, "k") for _ in range(20)]
    # Past the first probe's due time too: the probe runs in the background.
    await asyncio.sleep(limiter.PROBE_FIRST_SECONDS + 0.1)
    later += [await _timed(limiter, "k") for _ in range(20)]
    assert first >= 0.4  # the request that found the outage waited the socket time-out
    assert max(later) < 0.05
    assert not limiter.shared


async def test_limits_per_process_while_redis_is_away(redis_and_limiter) -> None:
    server, _ = redis_and_limiter
    limiter = RedisRateLimiter(server.url, rate=0.001, burst=3, prefix="test-strict:")
    try:
        server.kill()
        allowed = [(await limiter.acquire("k")).allowed for _ in range(5)]
    finally:
        await limiter.close()
    assert allowed == [True, True, True, False, False]


async def test_shared_buckets_return_after_redis_answers_again(redis_and_limiter) -> None:
    server, limiter = redis_and_limiter
    server.freeze()
    await limiter.acquire("k")
    assert not limiter.shared
    server.thaw()
    deadline = time.monotonic() + 5
    while not limiter.shared and time.monotonic() < deadline:
        await limiter.acquire("k")
        await asyncio.sleep(0.05)
    assert limiter.shared
