"""With DOCMESH_OTLP_ENDPOINT set, one trace spans every gRPC hop; without it, nothing is traced."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Callable

import grpc
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2 as otlp
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2_grpc as otlp_grpc

from docmesh.document.v1 import document_service_pb2 as pb
from docmesh.document.v1 import document_service_pb2_grpc as pb_grpc
from docmesh_common.tracing import tracing_enabled
from tests.conftest import REPO_ROOT


class Collector(otlp_grpc.TraceServiceServicer):
    """A real OTLP/gRPC trace receiver that keeps what it is sent."""

    def __init__(self) -> None:
        self.spans: list[tuple[str, str, bytes]] = []  # (service.name, span name, trace id)

    async def Export(
        self, request: otlp.ExportTraceServiceRequest, context
    ) -> otlp.ExportTraceServiceResponse:
        for resource_spans in request.resource_spans:
            attrs = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
            for scope in resource_spans.scope_spans:
                for span in scope.spans:
                    self.spans.append((attrs.get("service.name", ""), span.name, span.trace_id))
        return otlp.ExportTraceServiceResponse()


def _spawn(port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    full = {**os.environ, "DOCMESH_SCRIPTED_PORT": str(port), "DOCMESH_SCRIPTED_METRICS_PORT": "0", **env}
    return subprocess.Popen(
        [sys.executable, "-m", "tests.common.scripted_main"],
        env=full,
        cwd=REPO_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _spawn_gateway(port: int, document_port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    full = {
        **os.environ,
        **env,
        "DOCMESH_GATEWAY_PORT": str(port),
        "DOCMESH_DOCUMENT_TARGET": f"127.0.0.1:{document_port}",
        "DOCMESH_DEV_MODE": "true",
        "DOCMESH_DEV_API_KEY": "dev-trace-key",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "docmesh_gateway.main"],
        env=full,
        cwd=REPO_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def _wait_serving(port: int) -> None:
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    for _ in range(100):
        try:
            async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
                await health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=0.5)
                return
        except grpc.aio.AioRpcError:
            await asyncio.sleep(0.1)
    raise AssertionError(f"port {port} never served")


async def test_one_trace_spans_both_processes_of_a_forwarded_call(free_port: Callable[[], int]) -> None:
    collector = Collector()
    receiver = grpc.aio.server()
    otlp_grpc.add_TraceServiceServicer_to_server(collector, receiver)
    receiver_port = receiver.add_insecure_port("127.0.0.1:0")
    await receiver.start()
    endpoint = {"DOCMESH_OTLP_ENDPOINT": f"http://127.0.0.1:{receiver_port}"}
    down_port, up_port = free_port(), free_port()
    down = _spawn(down_port, endpoint)
    up = _spawn(up_port, {**endpoint, "DOCMESH_SCRIPTED_DOWNSTREAM": f"127.0.0.1:{down_port}"})
    try:
        await _wait_serving(down_port)
        await _wait_serving(up_port)
        async with grpc.aio.insecure_channel(f"127.0.0.1:{up_port}") as channel:
            reply = await pb_grpc.DocumentServiceStub(channel).Parse(pb.ParseRequest(msc="forward"))
        assert reply.form == "forwarded:ok"
    finally:
        for process in (up, down):
            process.send_signal(signal.SIGTERM)
        for process in (up, down):
            await asyncio.to_thread(process.wait, 20)
        await receiver.stop(0)
    parse_spans = [s for s in collector.spans if s[1].endswith("DocumentService/Parse")]
    # upstream server span, its client span to downstream, downstream server span
    assert len(parse_spans) >= 3
    assert len({trace_id for _, _, trace_id in parse_spans}) == 1


def test_tracing_is_off_when_no_endpoint_is_set() -> None:
    assert tracing_enabled() is False


async def test_gateway_continues_the_callers_trace_into_the_grpc_hop(
    free_port: Callable[[], int],
) -> None:
    import httpx

    collector = Collector()
    receiver = grpc.aio.server()
    otlp_grpc.add_TraceServiceServicer_to_server(collector, receiver)
    receiver_port = receiver.add_insecure_port("127.0.0.1:0")
    await receiver.start()
    endpoint = {"DOCMESH_OTLP_ENDPOINT": f"http://127.0.0.1:{receiver_port}"}
    upstream_port, gateway_port = free_port(), free_port()
    upstream = _spawn(upstream_port, endpoint)
    gateway = _spawn_gateway(gateway_port, upstream_port, endpoint)
    trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"
    try:
        await _wait_serving(upstream_port)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{gateway_port}") as client:
            for _ in range(100):
                try:
                    if (await client.get("/healthz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
            reply = await client.post(
                "/api/v1/documents:parse",
                json={"msc": "ok"},
                headers={"X-API-Key": "dev-trace-key", "traceparent": f"00-{trace_id}-00f067aa0ba902b7-01"},
            )
        assert reply.status_code == 200, reply.text
    finally:
        for process in (gateway, upstream):
            process.send_signal(signal.SIGTERM)
        for process in (gateway, upstream):
            await asyncio.to_thread(process.wait, 20)
        await receiver.stop(0)
    traced = [(service, name) for service, name, tid in collector.spans if tid.hex() == trace_id]
    services = {service for service, _ in traced}
    assert {"docmesh-gateway", "docmesh-scripted"} <= services, collector.spans
    assert any(
        name.endswith("DocumentService/Parse") for service, name in traced if service == "docmesh-scripted"
    )
