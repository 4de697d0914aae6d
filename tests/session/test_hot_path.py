"""CreateSession and GetSession, the calls under every REST request: made cheaper, they keep
durability, the owner check, the request id and the metrics (real servers, PostgreSQL, Redis)."""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import grpc
import pytest
from prometheus_client import REGISTRY

from docmesh.session.v1 import session_service_pb2 as pb
from docmesh_session.database import Database, create_engine
from tests.session.conftest import Instance, Owner

CREATE = "/docmesh.session.v1.SessionService/CreateSession"
GET = "/docmesh.session.v1.SessionService/GetSession"


def handled(method: str, code: str) -> float:
    value = REGISTRY.get_sample_value(
        "docmesh_grpc_server_handled_total", {"service": "session", "method": method, "code": code}
    )
    return value or 0.0


@pytest.mark.parametrize("backend", ["postgres+redis"], indirect=True)
async def test_an_acknowledged_create_is_committed_in_postgresql(
    alice: Owner, backend_settings: tuple[str, dict[str, object]]
) -> None:
    created = await alice.create("durable")
    parts = urlsplit(backend_settings[0])
    # Another connection, as another process would see it: only committed rows are visible.
    conn = await asyncpg.connect(f"postgresql://{parts.netloc}{parts.path}")
    try:
        row = await conn.fetchrow("SELECT owner_id, title FROM sessions WHERE id = $1", uuid.UUID(created.id))
    finally:
        await conn.close()
    assert row is not None and (row["owner_id"], row["title"]) == (alice.owner_id, "durable")


@pytest.mark.parametrize("backend", ["postgres+redis"], indirect=True)
async def test_another_owner_gets_not_found_for_a_session_served_from_the_cache(
    alice: Owner, bob: Owner
) -> None:
    created = await alice.create()
    await alice.get(created.id)  # the session is in the cache now (written through, then read)
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await bob.get(created.id)
    assert refused.value.code() == grpc.StatusCode.NOT_FOUND


@pytest.mark.parametrize("backend", ["postgres+redis"], indirect=True)
async def test_another_owner_gets_not_found_for_a_session_read_from_the_database(
    alice: Owner, bob: Owner, instance: Instance
) -> None:
    created = await alice.create()
    await instance.app.cache.delete(uuid.UUID(created.id))  # a cold cache
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await bob.get(created.id)
    assert refused.value.code() == grpc.StatusCode.NOT_FOUND


@pytest.mark.parametrize("backend", ["postgres+redis"], indirect=True)
async def test_every_create_and_get_is_counted_whether_or_not_its_line_is_logged(alice: Owner) -> None:
    creates, gets = handled(CREATE, "OK"), handled(GET, "OK")
    created = await alice.create()
    for _ in range(3):
        await alice.get(created.id)
    assert handled(CREATE, "OK") - creates == 1
    assert handled(GET, "OK") - gets == 3


@pytest.mark.parametrize("backend", ["postgres+redis"], indirect=True)
async def test_a_failed_get_is_logged_with_the_callers_request_id(
    alice: Owner, caplog: pytest.LogCaptureFixture
) -> None:
    missing = str(uuid.uuid4())
    with caplog.at_level(logging.INFO, logger="docmesh.server"):
        with pytest.raises(grpc.aio.AioRpcError):
            await alice.stub.GetSession(
                pb.GetSessionRequest(session_id=missing), metadata=(*alice.md, ("x-request-id", "hot-get-1"))
            )
        # An aborted call's status reaches the client before the handler's line is written
        # (the server logs after ctx.abort has sent it): wait for the line, briefly.
        for _ in range(200):
            lines = [r for r in caplog.records if r.getMessage() == "rpc" and r.request_id == "hot-get-1"]  # type: ignore[attr-defined]
            if lines:
                break
            await asyncio.sleep(0.01)
    assert [(r.method, r.code) for r in lines] == [(GET, "NOT_FOUND")]  # type: ignore[attr-defined]


async def test_a_create_after_the_database_dropped_its_idle_connections_is_answered_and_committed(
    start_instance: Any, private_pg_url: str
) -> None:
    # The insert runs on the pooled driver connection; one the server closed while it sat idle
    # in the pool is dropped at checkout, so the first create after a restart does not fail.
    from tests.pg_admin import _dsn

    instance = await start_instance(private_pg_url)
    alice = instance.owner()
    await asyncio.gather(*(alice.create() for _ in range(4)))  # several pooled connections
    admin = await asyncpg.connect(_dsn(private_pg_url))
    try:
        killed = await admin.fetchval(
            "select count(pg_terminate_backend(pid)) from pg_stat_activity "
            "where datname = current_database() and pid <> pg_backend_pid()"
        )
        assert killed >= 1
        await asyncio.sleep(0.5)  # the service's event loop sees the connections end
        created = await alice.create("after the restart")
        owner = await admin.fetchval("SELECT owner_id FROM sessions WHERE id = $1", uuid.UUID(created.id))
    finally:
        await admin.close()
    assert owner == alice.owner_id


async def test_driver_connections_beyond_the_pool_are_closed_when_returned(
    private_pg_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    # Overflow connections the pool has no room for are closed on return (an await: SQLAlchemy's
    # asyncpg adapter closes in a greenlet), never left open or failing to close.
    from tests.pg_admin import _dsn

    engine = create_engine(private_pg_url, pool_size=1, max_overflow=2)
    database = Database(engine)

    async def hold() -> None:
        async with database.driver() as driver:
            await driver.execute("SELECT pg_sleep(0.2)")

    try:
        with caplog.at_level(logging.ERROR):
            await asyncio.gather(hold(), hold(), hold())
        admin = await asyncpg.connect(_dsn(private_pg_url))
        try:
            others = await admin.fetchval(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        finally:
            await admin.close()
    finally:
        await engine.dispose()
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert others == 1  # the one the pool keeps


async def test_a_caller_cancelled_while_its_overflow_connection_closes_leaves_it_closed(
    private_pg_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    # A client that goes away cancels the handler; if that lands while the connection the pool
    # has no room for is being closed, the close still finishes (no error, nothing left open).
    from tests.pg_admin import _dsn

    engine = create_engine(private_pg_url, pool_size=1, max_overflow=1)
    database = Database(engine)
    release = asyncio.Event()

    async def hold() -> None:
        async with database.driver() as driver:
            await driver.execute("SELECT 1")
            await release.wait()

    try:
        with caplog.at_level(logging.ERROR):
            kept, overflow = asyncio.ensure_future(hold()), asyncio.ensure_future(hold())
            await asyncio.sleep(0.3)  # both hold a connection
            release.set()
            await asyncio.sleep(0)  # the first is back in the pool; the second is closing
            overflow.cancel()
            await kept
            await asyncio.sleep(0.3)
        admin = await asyncpg.connect(_dsn(private_pg_url))
        try:
            others = await admin.fetchval(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        finally:
            await admin.close()
    finally:
        await engine.dispose()
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert others == 1
