"""The session cache's Redis client (docmesh_session.redis_link): commands pipelined on one
connection still give every caller its own reply, fail in bounded time when Redis hangs, and
use what the URL says (real Redis: the shared one, or one of the test's own)."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import uvloop

from docmesh_dev import testenv
from docmesh_session.redis_link import RedisLink, ReplyError, Script
from tests.faults.servers import OwnRedis, own_redis

pytestmark = pytest.mark.redis

TIMEOUT_SECONDS = 0.25


@pytest.fixture
async def link() -> AsyncIterator[RedisLink]:
    client = RedisLink(testenv.redis_url(), timeout=2.0)
    try:
        await client.execute("PING")
    except OSError:
        pytest.skip("Redis is not reachable (DOCMESH_TEST_REDIS_URL)")
    yield client
    await client.close()


@pytest.fixture
async def keys(link: RedisLink) -> AsyncIterator[list[str]]:
    names = [f"test-redis-link:{uuid.uuid4().hex}:{i}" for i in range(200)]
    yield names
    await link.execute("DEL", *names)


@pytest.fixture
def server(tmp_path: Path) -> AsyncIterator[OwnRedis]:
    with own_redis(tmp_path) as own:
        yield own
        own.thaw()


async def test_concurrent_commands_on_the_one_connection_each_get_their_own_reply(
    link: RedisLink, keys: list[str]
) -> None:
    await asyncio.gather(*(link.execute("SET", key, f"value-{i}") for i, key in enumerate(keys)))

    replies = await asyncio.gather(*(link.execute("GET", key) for key in keys))

    assert replies == [f"value-{i}".encode() for i in range(len(keys))]


async def test_a_caller_that_went_away_does_not_shift_the_replies_of_later_callers(
    link: RedisLink, keys: list[str]
) -> None:
    first, second = keys[:2]
    await link.execute("SET", first, "first")
    await link.execute("SET", second, "second")
    gone = asyncio.ensure_future(link.execute("GET", first))
    await asyncio.sleep(0)  # its command is written
    gone.cancel()

    assert await link.execute("GET", second) == b"second"
    assert gone.cancelled()


async def test_an_error_reply_is_raised_to_its_caller_only(link: RedisLink, keys: list[str]) -> None:
    await link.execute("SET", keys[0], "not a number")

    outcomes = await asyncio.gather(
        link.execute("INCR", keys[0]), link.execute("GET", keys[0]), return_exceptions=True
    )

    assert isinstance(outcomes[0], ReplyError)
    assert outcomes[1] == b"not a number"


async def test_commands_beyond_the_in_flight_bound_wait_for_room_and_are_answered(keys: list[str]) -> None:
    narrow = RedisLink(testenv.redis_url(), timeout=2.0, max_in_flight=2)
    try:
        await asyncio.gather(*(narrow.execute("SET", key, key) for key in keys[:50]))
        replies = await asyncio.gather(*(narrow.execute("GET", key) for key in keys[:50]))
        await narrow.execute("DEL", *keys[:50])
    finally:
        await narrow.close()
    assert replies == [key.encode() for key in keys[:50]]


async def test_a_hung_redis_fails_every_pending_command_within_the_timeout_then_the_link_reconnects(
    server: OwnRedis,
) -> None:
    client = RedisLink(server.url, timeout=TIMEOUT_SECONDS)
    try:
        await client.execute("SET", "k", "v")
        server.freeze()
        started = time.monotonic()
        outcomes = await asyncio.gather(
            client.execute("GET", "k"), client.execute("GET", "k"), return_exceptions=True
        )
        waited = time.monotonic() - started
        server.thaw()

        assert [type(o) for o in outcomes] == [TimeoutError, TimeoutError]
        assert waited < TIMEOUT_SECONDS * 4
        assert await client.execute("GET", "k") == b"v"  # a new connection
    finally:
        await client.close()


async def test_a_script_runs_again_after_the_server_forgot_it(server: OwnRedis) -> None:
    client = RedisLink(server.url, timeout=2.0)
    script = Script(client, "return redis.call('INCR', KEYS[1]) + tonumber(ARGV[1])")
    try:
        assert await script(keys=["n"], args=[10]) == 11
        await client.execute("SCRIPT", "FLUSH")
        assert await script(keys=["n"], args=[10]) == 12
    finally:
        await client.close()


async def test_the_urls_password_and_database_are_used(server: OwnRedis) -> None:
    admin = RedisLink(server.url, timeout=2.0)
    await admin.execute("CONFIG", "SET", "requirepass", "s3cret")
    await admin.close()
    url = f"redis://:s3cret@127.0.0.1:{server.port}/3"
    authenticated = RedisLink(url, timeout=2.0)
    same_database = RedisLink(url, timeout=2.0)
    database_zero = RedisLink(f"redis://:s3cret@127.0.0.1:{server.port}/0", timeout=2.0)
    anonymous = RedisLink(server.url, timeout=2.0)
    try:
        await authenticated.execute("SET", "where", "db3")

        assert await same_database.execute("GET", "where") == b"db3"
        assert await database_zero.execute("GET", "where") is None
        with pytest.raises(ReplyError):
            await anonymous.execute("GET", "where")
    finally:
        for client in (authenticated, same_database, database_zero, anonymous):
            await client.close()


def test_the_link_works_on_uvloop_the_loop_the_service_runs(keys: list[str]) -> None:
    async def round_trip() -> list[object]:
        client = RedisLink(testenv.redis_url(), timeout=2.0)
        try:
            await client.execute("SET", keys[0], "on uvloop")
            return await asyncio.gather(client.execute("GET", keys[0]), client.execute("PING"))
        finally:
            await client.close()

    assert uvloop.run(round_trip()) == [b"on uvloop", b"PONG"]


def test_a_url_the_client_does_not_understand_is_refused_at_startup() -> None:
    with pytest.raises(ValueError, match="redis://"):
        RedisLink("unix:///run/redis.sock", timeout=1.0)
    with pytest.raises(ValueError, match="query"):
        RedisLink("redis://127.0.0.1:6379/0?ssl_cert_reqs=none", timeout=1.0)
