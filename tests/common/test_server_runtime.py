"""The shared server runtime: health, reflection, metrics, errors, request ids, deadlines."""

from __future__ import annotations

import asyncio
import json
import logging
import urllib.request

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from docmesh.document.v1 import document_service_pb2 as pb
from docmesh.document.v1 import document_service_pb2_grpc as pb_grpc
from docmesh_common import context
from docmesh_common.clients import Upstream
from docmesh_common.errors import InvalidArgument, status_from_metadata
from docmesh_common.settings import ServiceSettings
from tests.common.runtime_fixtures import SERVICE_NAME, ScriptedDocuments, start_scripted


async def _health(port: int, service: str = "") -> int:
    async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
        reply = await health_pb2_grpc.HealthStub(channel).Check(
            health_pb2.HealthCheckRequest(service=service)
        )
        return reply.status


async def test_server_reports_serving_for_itself_and_each_service() -> None:
    server = await start_scripted(ScriptedDocuments())
    try:
        assert await _health(server.port) == health_pb2.HealthCheckResponse.SERVING
        assert await _health(server.port, SERVICE_NAME) == health_pb2.HealthCheckResponse.SERVING
    finally:
        await server.stop(0)


async def test_server_is_not_serving_while_a_dependency_does_not_answer() -> None:
    async def database_down() -> bool:
        return False

    server = await start_scripted(ScriptedDocuments(), readiness=database_down)
    try:
        assert await _health(server.port) == health_pb2.HealthCheckResponse.NOT_SERVING
    finally:
        await server.stop(0)


async def test_reflection_lists_the_service_health_and_reflection() -> None:
    server = await start_scripted(ScriptedDocuments())
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{server.port}") as channel:
            stub = reflection_pb2_grpc.ServerReflectionStub(channel)
            call = stub.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")]))
            reply = await call.read()
            names = {s.name for s in reply.list_services_response.service}
            call.cancel()
    finally:
        await server.stop(0)
    assert {SERVICE_NAME, "grpc.health.v1.Health", "grpc.reflection.v1alpha.ServerReflection"} <= names


async def test_metrics_endpoint_counts_a_call_by_method_and_code() -> None:
    server = await start_scripted(ScriptedDocuments())
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{server.port}") as channel:
            await pb_grpc.DocumentServiceStub(channel).Parse(pb.ParseRequest(msc="ok"))
        body = await asyncio.to_thread(
            lambda: urllib.request.urlopen(f"http://127.0.0.1:{server.metrics_port}/metrics").read().decode()
        )
    finally:
        await server.stop(0)
    method = "/docmesh.document.v1.DocumentService/Parse"
    assert f'docmesh_grpc_server_handled_total{{code="OK",method="{method}",service="scripted"}}' in body
    assert f'docmesh_grpc_server_handling_seconds_count{{method="{method}",service="scripted"}}' in body


async def test_domain_error_becomes_its_status_code_with_a_field_violation() -> None:
    server = await start_scripted(ScriptedDocuments())
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{server.port}") as channel:
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                await pb_grpc.DocumentServiceStub(channel).Parse(pb.ParseRequest(msc="invalid"))
    finally:
        await server.stop(0)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    status = status_from_metadata(caught.value.trailing_metadata())
    assert status is not None
    bad = error_details_pb2.BadRequest()
    assert any(d.Unpack(bad) for d in status.details if d.Is(bad.DESCRIPTOR))
    assert [(v.field, v.description) for v in bad.field_violations] == [("msc", "msc is not MSC")]


async def test_unexpected_exception_is_internal_without_the_traceback() -> None:
    server = await start_scripted(ScriptedDocuments())
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{server.port}") as channel:
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                await pb_grpc.DocumentServiceStub(channel).Parse(
                    pb.ParseRequest(msc="crash"), metadata=[("x-request-id", "req-crash")]
                )
    finally:
        await server.stop(0)
    assert caught.value.code() == grpc.StatusCode.INTERNAL
    assert "secret internals" not in caught.value.details()
    assert "req-crash" in caught.value.details()


async def test_client_rebuilds_the_domain_error_with_its_details() -> None:
    server = await start_scripted(ScriptedDocuments())
    client = Upstream("scripted", f"127.0.0.1:{server.port}", pb_grpc.DocumentServiceStub, ServiceSettings())
    try:
        with pytest.raises(InvalidArgument) as caught:
            await client.call(client.stub.Parse, pb.ParseRequest(msc="invalid"))
    finally:
        await client.close()
        await server.stop(0)
    assert caught.value.violations == {"msc": "msc is not MSC"}


async def test_request_id_from_the_client_is_logged_and_forwarded_downstream(caplog) -> None:
    downstream_servicer = ScriptedDocuments()
    downstream = await start_scripted(downstream_servicer, access_log_sample_rate=1.0)
    client = Upstream("down", f"127.0.0.1:{downstream.port}", pb_grpc.DocumentServiceStub, ServiceSettings())
    upstream_servicer = ScriptedDocuments(downstream=client)
    upstream = await start_scripted(upstream_servicer, access_log_sample_rate=1.0)
    try:
        with caplog.at_level(logging.INFO, logger="docmesh.server"):
            async with grpc.aio.insecure_channel(f"127.0.0.1:{upstream.port}") as channel:
                reply = await pb_grpc.DocumentServiceStub(channel).Parse(
                    pb.ParseRequest(msc="forward"),
                    metadata=[("x-request-id", "req-42"), ("x-owner-id", "alice")],
                )
    finally:
        await client.close()
        await upstream.stop(0)
        await downstream.stop(0)
    assert reply.form == "forwarded:ok"
    assert downstream_servicer.seen_request_ids == ["req-42"]
    assert downstream_servicer.seen_owners == ["alice"]
    rpc_lines = [r for r in caplog.records if r.getMessage() == "rpc"]
    assert len(rpc_lines) == 2
    from docmesh_common.logging import JsonFormatter

    logged = [json.loads(JsonFormatter("t").format(r)) for r in rpc_lines]
    assert {line["request_id"] for line in logged} == {"req-42"}
    assert {line["code"] for line in logged} == {"OK"}


async def test_a_server_creates_a_request_id_when_the_client_sends_none() -> None:
    servicer = ScriptedDocuments()
    server = await start_scripted(servicer)
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{server.port}") as channel:
            await pb_grpc.DocumentServiceStub(channel).Parse(pb.ParseRequest(msc="ok"))
    finally:
        await server.stop(0)
    assert len(servicer.seen_request_ids) == 1 and len(servicer.seen_request_ids[0]) == 32


async def test_outbound_deadline_is_the_callers_remaining_deadline() -> None:
    servicer = ScriptedDocuments()
    server = await start_scripted(servicer)
    client = Upstream("d", f"127.0.0.1:{server.port}", pb_grpc.DocumentServiceStub, ServiceSettings())
    try:
        context.bind(request_id="r", owner_id="o", timeout=0.3)
        from docmesh_common.errors import DeadlineExceeded

        with pytest.raises(DeadlineExceeded):
            await client.call(client.stub.Parse, pb.ParseRequest(msc="sleep:2"))
    finally:
        context.bind(request_id="", owner_id="", timeout=None)
        await client.close()
        await server.stop(0)


async def test_stop_lets_an_in_flight_call_finish_within_the_grace_period() -> None:
    server = await start_scripted(ScriptedDocuments())
    async with grpc.aio.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        call = asyncio.ensure_future(
            pb_grpc.DocumentServiceStub(channel).Parse(pb.ParseRequest(msc="sleep:0.8"))
        )
        await asyncio.sleep(0.2)
        await server.stop(5)
        reply = await call
    assert reply.form == "ok"


async def test_liveness_entry_stays_serving_while_a_dependency_is_down() -> None:
    async def database_down() -> bool:
        return False

    server = await start_scripted(ScriptedDocuments(), readiness=database_down)
    try:
        assert await _health(server.port, "liveness") == health_pb2.HealthCheckResponse.SERVING
        assert await _health(server.port) == health_pb2.HealthCheckResponse.NOT_SERVING
    finally:
        await server.stop(0)


async def test_health_watch_streams_the_change_to_not_serving_on_stop() -> None:
    server = await start_scripted(ScriptedDocuments())
    async with grpc.aio.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        watch = health_pb2_grpc.HealthStub(channel).Watch(health_pb2.HealthCheckRequest(service=""))
        first = await watch.read()
        stopping = asyncio.ensure_future(server.stop())
        second = await watch.read()
        watch.cancel()
        await stopping
    assert first.status == health_pb2.HealthCheckResponse.SERVING
    assert second.status == health_pb2.HealthCheckResponse.NOT_SERVING
