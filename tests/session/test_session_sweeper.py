"""The sweeper: idle sessions become abandoned, old soft deletions are purged, once each."""

from __future__ import annotations

import asyncio

import grpc
import pytest

from docmesh.session.v1 import session_service_pb2 as pb


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, sqlite_url: str) -> str:
    return request.getfixturevalue("migrated_pg_url") if request.param == "postgres" else sqlite_url


async def _two_instances(start_instance, database_url: str, **settings):
    values = {"DOCMESH_SESSION_SWEEP_BATCH_SIZE": 7, **settings}
    return (
        await start_instance(database_url, **values),
        await start_instance(database_url, DOCMESH_AUTO_MIGRATE=False, **values),
    )


async def test_two_instances_abandon_each_idle_session_exactly_once(start_instance, database_url) -> None:
    one, two = await _two_instances(start_instance, database_url, DOCMESH_SESSION_TTL_SECONDS=1)
    alice = one.owner()
    sessions = await asyncio.gather(*(alice.create(title=f"s{i}") for i in range(60)))
    await asyncio.sleep(1.1)

    first, second = await asyncio.gather(one.app.sweeper.sweep_once(), two.app.sweeper.sweep_once())

    ours = {s.id for s in sessions}
    by_one = {str(i) for i in first.abandoned} & ours
    by_two = {str(i) for i in second.abandoned} & ours
    assert by_one.isdisjoint(by_two)
    assert by_one | by_two == ours
    # Through the other instance's API: abandoned, and changed once (version 1 -> 2).
    reader = two.owner(alice.owner_id)
    for session in sessions:
        got = (await reader.get(session.id)).session
        assert got.status == pb.SESSION_STATUS_ABANDONED
        assert got.version == 2


async def test_sessions_still_within_their_ttl_are_left_alone(start_instance, database_url) -> None:
    one, _ = await _two_instances(start_instance, database_url)
    alice = one.owner()
    session = await alice.create()
    swept = await one.app.sweeper.sweep_once()
    assert session.id not in {str(i) for i in swept.abandoned}
    assert (await alice.get(session.id)).session.status == pb.SESSION_STATUS_ACTIVE


async def test_the_sweeper_runs_by_itself_and_an_abandoned_session_can_be_resumed(
    start_instance, database_url
) -> None:
    instance = await start_instance(
        database_url, DOCMESH_SESSION_TTL_SECONDS=1, DOCMESH_SESSION_SWEEP_INTERVAL_SECONDS=0.2
    )
    alice = instance.owner()
    session = await alice.create()
    for _ in range(40):
        await asyncio.sleep(0.1)
        if (await alice.get(session.id)).session.status == pb.SESSION_STATUS_ABANDONED:
            break
    assert (await alice.get(session.id)).session.status == pb.SESSION_STATUS_ABANDONED

    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await alice.append(session.id, "hello again")
    assert caught.value.code() == grpc.StatusCode.FAILED_PRECONDITION

    resumed = await alice.stub.ResumeSession(
        pb.ResumeSessionRequest(session_id=session.id), metadata=alice.md
    )
    assert resumed.session.status == pb.SESSION_STATUS_ACTIVE
    assert (await alice.append(session.id, "hello again")).session.message_count == 1


async def test_soft_deleted_sessions_are_purged_after_retention_once_each(
    start_instance, database_url
) -> None:
    one, two = await _two_instances(start_instance, database_url, DOCMESH_SESSION_DELETED_RETENTION_SECONDS=0)
    alice = one.owner()
    sessions = await asyncio.gather(*(alice.create() for _ in range(20)))
    kept = await alice.create()
    for session in sessions:
        await alice.append(session.id, "hello world")
        await alice.stub.DeleteSession(pb.DeleteSessionRequest(session_id=session.id), metadata=alice.md)

    first, second = await asyncio.gather(one.app.sweeper.sweep_once(), two.app.sweeper.sweep_once())

    ours = {s.id for s in sessions}
    by_one = {str(i) for i in first.purged} & ours
    by_two = {str(i) for i in second.purged} & ours
    assert by_one.isdisjoint(by_two)
    assert by_one | by_two == ours
    for session in sessions:
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await alice.get(session.id)
        assert caught.value.code() == grpc.StatusCode.NOT_FOUND
    listed = await alice.stub.ListSessions(pb.ListSessionsRequest(show_deleted=True), metadata=alice.md)
    assert [s.id for s in listed.sessions] == [kept.id]


async def test_soft_deleted_sessions_within_retention_are_kept(start_instance, database_url) -> None:
    one, _ = await _two_instances(start_instance, database_url)
    alice = one.owner()
    session = await alice.create()
    await alice.stub.DeleteSession(pb.DeleteSessionRequest(session_id=session.id), metadata=alice.md)
    await one.app.sweeper.sweep_once()
    assert (await alice.get(session.id)).session.HasField("delete_time")
