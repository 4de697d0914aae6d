"""What a caller of Upstream.call sees of a unary call: the answer through the method's
serializers, the request id and owner forwarded, errors with their code and details, the
deadline, cancellation reaching the upstream, and a channel's interceptors (tracing) run."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import grpc
import pytest

from docmesh_common import context
from docmesh_common.clients import Upstream
from docmesh_common.errors import DeadlineExceeded, NotFound
from docmesh_common.settings import ServiceSettings

ECHO = "/test.Upstream/Echo"
MISSING = "/test.Upstream/Missing"
SLOW = "/test.Upstream/Slow"


class _Handler(grpc.GenericRpcHandler):
    def __init__(self) -> None:
        self.slow_cancelled = asyncio.Event()

    def service(self, details: grpc.HandlerCallDetails) -> grpc.RpcMethodHandler | None:
        name = details.method.decode() if isinstance(details.method, bytes) else details.method

        async def echo(request: bytes, ctx: grpc.aio.ServicerContext) -> bytes:
            seen = dict(ctx.invocation_metadata() or ())
            return b"|".join([request, seen["x-request-id"].encode(), seen["x-owner-id"].encode()])

        async def missing(request: bytes, ctx: grpc.aio.ServicerContext) -> bytes:
            await ctx.abort(grpc.StatusCode.NOT_FOUND, "no such session", (("why", "gone"),))
            return b""

        async def slow(request: bytes, ctx: grpc.aio.ServicerContext) -> bytes:
            try:
                await asyncio.sleep(30)
            except asyncio.CancelledError:
                self.slow_cancelled.set()
                raise
            return b""

        found = {ECHO: echo, MISSING: missing, SLOW: slow}.get(name)
        return grpc.unary_unary_rpc_method_handler(found) if found else None


@pytest.fixture
async def upstream() -> AsyncIterator[tuple[_Handler, Upstream[Any]]]:
    handler = _Handler()
    server = grpc.aio.server()
    server.add_generic_rpc_handlers((handler,))
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    client: Upstream[Any] = Upstream("test", f"127.0.0.1:{port}", lambda channel: None, ServiceSettings())
    context.bind(request_id="direct-1", owner_id="alice")
    yield handler, client
    await client.close()
    await server.stop(0)


def _method(client: Upstream[Any], name: str) -> Any:
    return client.channel.unary_unary(
        name, request_serializer=lambda text: text.encode(), response_deserializer=bytes.decode
    )


async def test_the_answer_comes_back_through_the_methods_serializers_with_id_and_owner(upstream) -> None:
    _, client = upstream
    assert await client.call(_method(client, ECHO), "hello") == "hello|direct-1|alice"


async def test_an_error_keeps_its_code_details_and_trailing_metadata(upstream) -> None:
    _, client = upstream
    with pytest.raises(NotFound) as raised:
        await client.call(_method(client, MISSING), "x")
    assert "no such session" in raised.value.message
    assert client.breaker.state == "closed"  # NOT_FOUND is the caller's: never counted


async def test_the_deadline_ends_the_call(upstream) -> None:
    _, client = upstream
    with pytest.raises(DeadlineExceeded):
        await client.call(_method(client, SLOW), "x", timeout=0.2)


@pytest.mark.parametrize("timeout", [1e-9, 0.0, 0.0009])
async def test_a_deadline_with_no_time_left_fails_every_time_without_a_call(upstream, timeout: float) -> None:
    # A fast upstream could answer before gRPC's deadline timer fired: such a call succeeded or
    # failed by chance (a gateway test with 'Grpc-Timeout: 1n' got 200 once in four full runs).
    _, client = upstream
    calls = []

    async def counting(request: str, **kwargs: Any) -> str:
        calls.append(request)
        return await _method(client, ECHO)(request, **kwargs)

    for _ in range(20):
        with pytest.raises(DeadlineExceeded):
            await client.call(counting, "x", timeout=timeout)
    assert calls == []
    assert client.breaker.state == "closed"


async def test_cancelling_the_caller_cancels_the_call_at_the_upstream(upstream) -> None:
    handler, client = upstream
    task = asyncio.ensure_future(client.call(_method(client, SLOW), "x", timeout=10))
    await asyncio.sleep(0.3)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await asyncio.wait_for(handler.slow_cancelled.wait(), 5)


async def test_a_channels_interceptor_still_runs(upstream) -> None:
    _, client = upstream
    seen: list[str] = []

    class Recording(grpc.aio.UnaryUnaryClientInterceptor):
        async def intercept_unary_unary(self, continuation: Any, details: Any, request: Any) -> Any:
            seen.append(details.method.decode() if isinstance(details.method, bytes) else details.method)
            return await continuation(details, request)

    async with grpc.aio.insecure_channel(client.target, interceptors=[Recording()]) as channel:
        method = channel.unary_unary(
            ECHO, request_serializer=lambda text: text.encode(), response_deserializer=bytes.decode
        )
        assert await client.call(method, "traced") == "traced|direct-1|alice"
    assert seen == [ECHO]
