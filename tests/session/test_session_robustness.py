"""Bad input never reaches the database as a 500; readiness follows the database; the process runs."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

import grpc
import pytest
from google.protobuf import field_mask_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc

from docmesh.session.v1 import session_service_pb2 as pb
from docmesh.session.v1 import session_service_pb2_grpc
from docmesh_common.errors import error_from_rpc


async def test_nul_in_message_content_is_invalid_argument(alice) -> None:
    session = await alice.create()
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await alice.append(session.id, "bad\x00text")
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "messages[0].content" in error_from_rpc(caught.value).violations


@pytest.mark.parametrize(
    ("session", "field"),
    [
        (pb.Session(title="a\x00b"), "session.title"),
        (pb.Session(metadata={"k": "v\x00"}), "session.metadata"),
    ],
)
async def test_nul_in_session_fields_is_invalid_argument(alice, session, field) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await alice.stub.CreateSession(pb.CreateSessionRequest(session=session), metadata=alice.md)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field in error_from_rpc(caught.value).violations


async def test_nul_in_update_title_is_invalid_argument(alice) -> None:
    created = await alice.create()
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await alice.stub.UpdateSession(
            pb.UpdateSessionRequest(
                session=pb.Session(id=created.id, title="x\x00"),
                update_mask=field_mask_pb2.FieldMask(paths=["title"]),
            ),
            metadata=alice.md,
        )
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_cost_beyond_what_is_stored_is_invalid_argument(alice) -> None:
    session = await alice.create()
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await alice.stub.RecordUsage(
            pb.RecordUsageRequest(
                usage=pb.UsageRecord(session_id=session.id, model="m", cost_usd="12345678901")
            ),
            metadata=alice.md,
        )
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "usage.cost_usd" in error_from_rpc(caught.value).violations


async def test_cost_finer_than_ten_decimal_places_is_rounded_half_up(alice) -> None:
    session = await alice.create()
    stored = await alice.stub.RecordUsage(
        pb.RecordUsageRequest(
            usage=pb.UsageRecord(session_id=session.id, model="m", cost_usd="0.00000000015")
        ),
        metadata=alice.md,
    )
    assert stored.usage.cost_usd == "0.0000000002"
    usage = await alice.stub.GetUsage(pb.GetUsageRequest(session_id=session.id), metadata=alice.md)
    assert usage.totals.cost_usd == "0.0000000002"


async def test_oversized_owner_id_is_invalid_argument(instance) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await instance.stub.CreateSession(pb.CreateSessionRequest(), metadata=(("x-owner-id", "o" * 129),))
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_service_is_not_serving_and_calls_are_unavailable_while_its_database_does_not_answer(
    start_instance,
) -> None:
    instance = await start_instance(
        f"postgresql+asyncpg://postgres@127.0.0.1:{_closed_port()}/nowhere", DOCMESH_AUTO_MIGRATE=False
    )
    health = health_pb2_grpc.HealthStub(instance.channel)
    reply = await health.Check(health_pb2.HealthCheckRequest(service=""))
    assert reply.status == health_pb2.HealthCheckResponse.NOT_SERVING
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await instance.owner().create()
    # Retryable, not an internal error: the caller may try again later.
    assert caught.value.code() == grpc.StatusCode.UNAVAILABLE


async def test_the_service_process_starts_on_sqlite_defaults_and_stops_cleanly_on_sigterm(
    tmp_path: Path,
) -> None:
    port = _closed_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCMESH_")}
    env.update({"DOCMESH_SESSION_PORT": str(port), "DOCMESH_SESSION_METRICS_PORT": "0"})
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "docmesh_session.main",
        cwd=tmp_path,  # the default database is .state/docmesh.db under the working directory
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            health = health_pb2_grpc.HealthStub(channel)
            status = None
            for _ in range(150):
                try:
                    status = (await health.Check(health_pb2.HealthCheckRequest(), timeout=1)).status
                    if status == health_pb2.HealthCheckResponse.SERVING:
                        break
                except grpc.aio.AioRpcError:
                    pass
                await asyncio.sleep(0.1)
            assert status == health_pb2.HealthCheckResponse.SERVING
            stub = session_service_pb2_grpc.SessionServiceStub(channel)
            reply = await stub.CreateSession(pb.CreateSessionRequest(), metadata=(("x-owner-id", "me"),))
            assert reply.session.id
        assert (tmp_path / ".state" / "docmesh.db").exists()
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 0, stderr.decode()[-2000:]


async def test_after_the_database_drops_its_connections_calls_are_unavailable_then_recover(
    start_instance, private_pg_url
) -> None:
    import asyncpg

    from tests.pg_admin import _dsn

    instance = await start_instance(private_pg_url)
    alice = instance.owner()
    session = await alice.create()
    await alice.get(session.id, pb.SESSION_VIEW_FULL)

    admin = await asyncpg.connect(_dsn(private_pg_url))
    try:
        killed = await admin.fetchval(
            "select count(pg_terminate_backend(pid)) from pg_stat_activity "
            "where datname = current_database() and pid <> pg_backend_pid()"
        )
    finally:
        await admin.close()
    assert killed >= 1

    codes = []
    for _ in range(3):
        try:
            await alice.append(session.id, "hello world")
            codes.append(grpc.StatusCode.OK)
        except grpc.aio.AioRpcError as error:
            codes.append(error.code())
    assert set(codes) <= {grpc.StatusCode.OK, grpc.StatusCode.UNAVAILABLE}
    assert codes[-1] == grpc.StatusCode.OK
