"""The rate limiter on the hot path: decided on each replica's copy of the buckets, one limit for all.

Two RedisRateLimiter instances on one Redis are two gateway replicas' limiters.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
import redis.asyncio as redis_asyncio

from docmesh_gateway.ratelimit import RedisRateLimiter
from tests.faults.servers import own_redis

pytestmark = pytest.mark.redis


@asynccontextmanager
async def replicas(
    url: str, prefix: str, count: int, *, rate: float, burst: int, sync_seconds: float
) -> AsyncIterator[list[RedisRateLimiter]]:
    limiters = [RedisRateLimiter(url, rate, burst, prefix, sync_seconds=sync_seconds) for _ in range(count)]
    try:
        yield limiters
    finally:
        for limiter in limiters:
            await limiter.close()


async def hammer(limiters: list[RedisRateLimiter], key: str, seconds: float) -> int:
    """Requests from one client spread over the replicas in turn, as fast as they come; the
    number let through."""
    allowed = 0
    end = time.monotonic() + seconds
    turn = 0
    while time.monotonic() < end:
        decision = await limiters[turn % len(limiters)].acquire(key)
        allowed += decision.allowed
        turn += 1
        await asyncio.sleep(0.001)  # the reconciliation runs meanwhile, as between real requests
    return allowed


async def test_two_replicas_together_let_through_one_limit_not_two(redis_url: str, redis_prefix: str) -> None:
    rate, burst, seconds = 20.0, 10, 2.0
    prefix = f"{redis_prefix}:hot-rl:{uuid.uuid4().hex}:"
    async with replicas(redis_url, prefix, 2, rate=rate, burst=burst, sync_seconds=0.05) as limiters:
        allowed = await hammer(limiters, "alice", seconds)
    one_limit = burst + rate * seconds  # 50; two unshared buckets would let 100 through
    assert one_limit * 0.8 <= allowed <= one_limit * 1.2


async def test_one_replica_keeps_to_the_limit_of_the_shared_bucket_another_replica_drained(
    redis_url: str, redis_prefix: str
) -> None:
    prefix = f"{redis_prefix}:hot-rl:{uuid.uuid4().hex}:"
    async with replicas(redis_url, prefix, 2, rate=0.01, burst=20, sync_seconds=0.05) as (first, second):
        await second.acquire("bob")  # the second replica has its copy of bob's bucket
        drained = [(await first.acquire("bob")).allowed for _ in range(19)]
        await asyncio.sleep(0.3)  # a few reconciliation rounds
        after = (await second.acquire("bob")).allowed
    assert all(drained)
    assert after is False


async def test_a_key_the_replica_knows_costs_no_redis_round_trip(tmp_path: Path) -> None:
    with own_redis(tmp_path) as server:
        client = redis_asyncio.from_url(server.url)
        try:
            async with replicas(server.url, "rl:", 1, rate=1000, burst=1000, sync_seconds=60) as (limiter,):
                await limiter.acquire("carol")  # the first request asks Redis
                scripts_before = await script_calls(client)
                decisions = [await limiter.acquire("carol") for _ in range(200)]
                scripts_after = await script_calls(client)
        finally:
            await client.aclose()
    assert all(d.allowed for d in decisions)
    assert scripts_after == scripts_before


async def script_calls(client: redis_asyncio.Redis) -> int:
    stats = await client.info("commandstats")
    count: Callable[[str], int] = lambda name: int(stats.get(f"cmdstat_{name}", {}).get("calls", 0))  # noqa: E731
    return count("evalsha") + count("eval")
