"""The session cache while its Redis hangs and comes back (a Redis of the test's own)."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from docmesh_session.cache import CACHE_READS, SessionCache
from tests.faults.servers import OwnRedis, own_redis

pytestmark = pytest.mark.redis

TIMEOUT_SECONDS = 0.25
FIRST_BACKOFF_SECONDS = 0.2


@pytest.fixture
async def redis_and_cache(tmp_path: Path) -> AsyncIterator[tuple[OwnRedis, SessionCache]]:
    with own_redis(tmp_path) as server:
        cache = SessionCache(
            server.url,
            ttl_seconds=60,
            timeout_seconds=TIMEOUT_SECONDS,
            retry_seconds=FIRST_BACKOFF_SECONDS,
            namespace="test",
        )
        try:
            yield server, cache
        finally:
            server.thaw()
            await cache.close()


async def _timed_read(cache: SessionCache) -> float:
    started = time.perf_counter()
    await cache.get(uuid.uuid4())
    return time.perf_counter() - started


async def test_a_hung_redis_costs_one_read_its_timeout_and_no_later_read_waits(redis_and_cache) -> None:
    server, cache = redis_and_cache
    await _timed_read(cache)
    server.freeze()
    first = await _timed_read(cache)
    # Several back-off intervals long: the probes after each run in the background.
    later = []
    deadline = time.monotonic() + 8 * FIRST_BACKOFF_SECONDS
    while time.monotonic() < deadline:
        later.append(await _timed_read(cache))
        await asyncio.sleep(0.02)
    assert first >= TIMEOUT_SECONDS * 0.9  # the read that found the outage waited the time-out
    assert max(later) < 0.05


async def test_the_cache_is_used_again_once_redis_answers(redis_and_cache) -> None:
    server, cache = redis_and_cache
    session_id = uuid.uuid4()
    server.freeze()
    await cache.delete(session_id)  # fails: the cache backs off
    server.thaw()
    answered = CACHE_READS.labels("miss")
    before = answered._value.get()
    deadline = time.monotonic() + 5
    while answered._value.get() == before and time.monotonic() < deadline:
        await cache.get(uuid.uuid4())
        await asyncio.sleep(0.05)
    assert answered._value.get() > before  # a read that Redis answered (a miss), not skipped
