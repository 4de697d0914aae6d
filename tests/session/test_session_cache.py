"""Redis is a hot cache that may vanish at any moment: the answers never change."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import json
import uuid

import pytest
from google.protobuf import json_format
from grpc_health.v1 import health_pb2, health_pb2_grpc

from docmesh.session.v1 import session_service_pb2 as pb
from docmesh_session.cache import SessionCache
from tests.session.conftest import invoice

pytestmark = pytest.mark.redis


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, sqlite_url: str) -> str:
    return request.getfixturevalue("migrated_pg_url") if request.param == "postgres" else sqlite_url


async def _scenario_state(owner, session_id: str) -> tuple[pb.GetSessionResponse, pb.GetSessionResponse]:
    return await owner.get(session_id), await owner.get(session_id, pb.SESSION_VIEW_FULL)


async def _serving(instance) -> int:
    health = health_pb2_grpc.HealthStub(instance.channel)
    response = await health.Check(health_pb2.HealthCheckRequest(service=""))
    return response.status


async def test_get_session_is_served_from_redis_under_a_namespaced_versioned_key(
    start_instance, database_url, redis_url, redis_namespace, redis_client
) -> None:
    instance = await start_instance(
        database_url, DOCMESH_REDIS_URL=redis_url, DOCMESH_REDIS_NAMESPACE=redis_namespace
    )
    alice = instance.owner()
    session = await alice.create()
    await alice.save_revision(session.id)
    key = f"{redis_namespace}:session:v1:{session.id}"
    raw = await redis_client.get(key)
    assert raw is not None
    assert raw.split(b":", 1)[0] == b"2"  # the session's version
    assert await redis_client.exists(f"{key}:revision") == 1
    # Served from Redis: the cached state is what GetSession answers, even for a field
    # only the cache holds (a test-only edit that the database does not have).
    edited = raw.replace(b'"title": "Invoice for Acme"', b'"title": "from redis"')
    await redis_client.set(key, edited)
    assert (await alice.get(session.id)).session.title == "from redis"


async def test_a_revision_cached_by_the_previous_release_is_dropped_and_read_from_the_database(
    start_instance, database_url, redis_url, redis_namespace, redis_client
) -> None:
    instance = await start_instance(
        database_url, DOCMESH_REDIS_URL=redis_url, DOCMESH_REDIS_NAMESPACE=redis_namespace
    )
    alice = instance.owner()
    session = await alice.create()
    saved = await alice.save_revision(session.id, hours="12")
    key = f"{redis_namespace}:session:v1:{session.id}:revision"
    # Until migration 0003 the entry held the invoice and totals as protobuf JSON.
    entry = {
        "number": 1,
        "invoice": json_format.MessageToDict(invoice("99")),
        "totals": None,
        "msc": "stale",
        "message_id": "",
        "summary": "",
        "create_time": saved.create_time.ToDatetime(tzinfo=dt.UTC).isoformat(),
    }
    await redis_client.set(key, f"1:{json.dumps(entry)}")

    latest = (await alice.get(session.id)).latest_revision

    assert latest == saved
    # ... and the database's revision took its place in the cache.
    assert b"stale" not in await redis_client.get(key)
    assert (await alice.get(session.id)).latest_revision == saved


async def test_reads_slide_the_cache_ttl(
    start_instance, database_url, redis_url, redis_namespace, redis_client
) -> None:
    instance = await start_instance(
        database_url,
        DOCMESH_REDIS_URL=redis_url,
        DOCMESH_REDIS_NAMESPACE=redis_namespace,
        DOCMESH_SESSION_CACHE_TTL_SECONDS=100,
    )
    alice = instance.owner()
    session = await alice.create()
    key = f"{redis_namespace}:session:v1:{session.id}"
    await redis_client.pexpire(key, 5_000)
    await alice.get(session.id)
    assert await redis_client.pttl(key) > 90_000


async def test_redis_flushed_mid_test_gives_the_same_answers(
    start_instance, database_url, redis_url, redis_namespace, flush_redis
) -> None:
    instance = await start_instance(
        database_url, DOCMESH_REDIS_URL=redis_url, DOCMESH_REDIS_NAMESPACE=redis_namespace
    )
    alice = instance.owner()
    session = await alice.create(metadata={"k": "v"})
    await alice.append(session.id, "hello world")
    await alice.save_revision(session.id)
    before = await _scenario_state(alice, session.id)

    assert await flush_redis() >= 2
    assert await _scenario_state(alice, session.id) == before

    await flush_redis()
    appended = await alice.append(session.id, "one two three four")
    await flush_redis()
    after = await alice.get(session.id)
    assert after.session == appended.session
    assert after.latest_revision == before[0].latest_revision


async def test_redis_stopped_gives_the_same_answers_and_the_service_stays_serving(
    start_instance, database_url, redis_proxy, redis_namespace, redis_client, caplog
) -> None:
    instance = await start_instance(
        database_url,
        DOCMESH_REDIS_URL=f"redis://127.0.0.1:{redis_proxy.port}/0",
        DOCMESH_REDIS_NAMESPACE=redis_namespace,
        DOCMESH_REDIS_RETRY_SECONDS=0.2,
    )
    alice = instance.owner()
    session = await alice.create()
    await alice.append(session.id, "hello world")
    await alice.save_revision(session.id)
    before = await _scenario_state(alice, session.id)

    await redis_proxy.stop()
    with caplog.at_level("WARNING", logger="docmesh_session.cache"):
        assert await _scenario_state(alice, session.id) == before
    assert any("answering from the database" in r.getMessage() for r in caplog.records)
    appended = await alice.append(session.id, "while redis is down")
    assert appended.session.message_count == 2
    assert (await alice.get(session.id)).session == appended.session
    listed = await alice.stub.ListSessions(pb.ListSessionsRequest(), metadata=alice.md)
    assert [s.id for s in listed.sessions] == [session.id]
    await instance.server._check_readiness()
    assert await _serving(instance) == health_pb2.HealthCheckResponse.SERVING

    # Redis comes back with the entry written before the outage: the service must not
    # serve that stale state.
    await redis_proxy.start()
    await asyncio.sleep(0.3)
    assert (await alice.get(session.id)).session == appended.session
    # ...and it reconnects by itself (within a few back-off periods): the cache holds the
    # current state again.
    key = f"{redis_namespace}:session:v1:{session.id}"
    cached = None
    for _ in range(20):
        assert (await alice.get(session.id)).session == appended.session
        cached = await redis_client.get(key)
        if cached is not None:
            break
        await asyncio.sleep(0.25)
    assert cached is not None
    assert cached.startswith(f"{appended.session.version}:".encode())


async def test_unreachable_redis_from_the_start_is_not_an_error(start_instance, database_url) -> None:
    instance = await start_instance(database_url, DOCMESH_REDIS_URL="redis://127.0.0.1:1/0")
    alice = instance.owner()
    session = await alice.create()
    await alice.append(session.id, "hello world")
    assert (await alice.get(session.id)).session.message_count == 1
    assert await _serving(instance) == health_pb2.HealthCheckResponse.SERVING


async def test_an_older_write_through_never_replaces_a_newer_one(
    redis_url, redis_namespace, redis_client
) -> None:
    from docmesh_session.domain import SessionRecord, Stage, Status

    cache = SessionCache(redis_url, ttl_seconds=60, namespace=redis_namespace)
    import datetime as dt

    now = dt.datetime.now(dt.UTC)
    record = SessionRecord(
        id=uuid.uuid4(),
        owner_id="o",
        title="v5",
        status=Status.ACTIVE,
        stage=Stage.COLLECTING,
        document_kind="invoice",
        metadata={},
        token_count=0,
        message_count=0,
        latest_revision_number=0,
        version=5,
        create_time=now,
        update_time=now,
        last_activity_time=now,
        expire_time=now,
    )
    await cache.put_session(record)
    await cache.put_session(dataclasses.replace(record, version=4, title="v4"))
    cached, _ = await cache.get(record.id)
    assert isinstance(cached, SessionRecord)
    assert cached.title == "v5"
    await cache.tombstone(record.id)
    await cache.put_session(dataclasses.replace(record, version=6, title="late"))
    from docmesh_session.cache import GONE

    assert (await cache.get(record.id))[0] is GONE
    await cache.close()


async def test_a_late_write_through_of_a_revision_and_session_replaces_neither_newer_entry(
    redis_url, redis_namespace
) -> None:
    import datetime as dt

    from docmesh_session.domain import RevisionRecord, SessionRecord, Stage, Status

    cache = SessionCache(redis_url, ttl_seconds=60, namespace=redis_namespace)
    now = dt.datetime.now(dt.UTC)
    session = SessionRecord(
        id=uuid.uuid4(),
        owner_id="o",
        title="v5",
        status=Status.ACTIVE,
        stage=Stage.DRAFTED,
        document_kind="invoice",
        metadata={},
        token_count=0,
        message_count=0,
        latest_revision_number=2,
        version=5,
        create_time=now,
        update_time=now,
        last_activity_time=now,
        expire_time=now,
    )
    revision = RevisionRecord(
        session_id=session.id,
        number=2,
        invoice=b"",
        totals=None,
        msc="second",
        message_id="",
        summary="",
        create_time=now,
    )
    await cache.put_revision_and_session(revision, session)

    await cache.put_revision_and_session(
        dataclasses.replace(revision, number=1, msc="first"),
        dataclasses.replace(session, version=4, title="v4", latest_revision_number=1),
    )

    cached, latest = await cache.get(session.id)
    assert isinstance(cached, SessionRecord)
    assert (cached.version, cached.title) == (5, "v5")
    assert latest is not None and (latest.number, latest.msc) == (2, "second")
    await cache.close()


async def test_an_append_whose_caller_gives_up_after_the_commit_still_updates_the_cache(
    start_instance, database_url, redis_proxy, redis_namespace
) -> None:
    import grpc

    instance = await start_instance(
        database_url,
        DOCMESH_REDIS_URL=f"redis://127.0.0.1:{redis_proxy.port}/0",
        DOCMESH_REDIS_NAMESPACE=redis_namespace,
    )
    alice = instance.owner()
    session = await alice.create()  # cached at version 1
    # Every Redis round trip now takes >= 100 ms, so the caller's 60 ms deadline passes
    # after the database commit, while the write-through is on its way.
    redis_proxy.delay = 0.05
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await instance.stub.AppendMessages(
            pb.AppendMessagesRequest(
                session_id=session.id,
                messages=[pb.NewMessage(role=pb.MESSAGE_ROLE_USER, content="hello world")],
            ),
            metadata=alice.md,
            timeout=0.06,
        )
    assert caught.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    await asyncio.sleep(0.3)
    redis_proxy.delay = 0.0
    basic = await alice.get(session.id)  # from Redis
    full = await alice.get(session.id, pb.SESSION_VIEW_FULL)  # from the database
    assert full.session.message_count == 1
    assert basic.session == full.session


async def test_resume_warms_the_cache_with_the_resumed_session_and_its_revision(
    start_instance, database_url, redis_url, redis_namespace, flush_redis, redis_client
) -> None:
    instance = await start_instance(
        database_url, DOCMESH_REDIS_URL=redis_url, DOCMESH_REDIS_NAMESPACE=redis_namespace
    )
    alice = instance.owner()
    session = await alice.create()
    await alice.save_revision(session.id)
    await alice.stub.CompleteSession(pb.CompleteSessionRequest(session_id=session.id), metadata=alice.md)
    await flush_redis()

    resumed = await alice.stub.ResumeSession(
        pb.ResumeSessionRequest(session_id=session.id), metadata=alice.md
    )

    key = f"{redis_namespace}:session:v1:{session.id}"
    assert (await redis_client.get(key)).startswith(f"{resumed.session.version}:".encode())
    assert (await redis_client.get(f"{key}:revision")).startswith(b"1:")


async def test_cache_hits_and_redis_errors_are_counted_in_metrics(
    start_instance, database_url, redis_url, redis_namespace
) -> None:
    from prometheus_client import REGISTRY

    def hits() -> float:
        return REGISTRY.get_sample_value("docmesh_session_cache_reads_total", {"result": "hit"}) or 0.0

    def errors() -> float:
        return REGISTRY.get_sample_value("docmesh_session_cache_errors_total", {"operation": "get"}) or 0.0

    cached = await start_instance(
        database_url, DOCMESH_REDIS_URL=redis_url, DOCMESH_REDIS_NAMESPACE=redis_namespace
    )
    alice = cached.owner()
    session = await alice.create()
    before = hits()
    await alice.get(session.id)
    assert hits() == before + 1

    broken = await start_instance(
        database_url, DOCMESH_REDIS_URL="redis://127.0.0.1:1/0", DOCMESH_AUTO_MIGRATE=False
    )
    before_errors = errors()
    await broken.owner(alice.owner_id).get(session.id)
    assert errors() == before_errors + 1
