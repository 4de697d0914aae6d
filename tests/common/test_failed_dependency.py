"""An upstream's error that names a failed dependency of its own never trips the caller's breaker.

The agent answers a turn whose language model failed with UNAVAILABLE and ErrorInfo metadata
`failed_dependency: llm`: the agent answered, so the gateway's breaker on the agent must not
count it (the agent's own LLM breaker fails fast and probes). Counting it chained two breakers
that each had to let a probe through in turn: turns failed ~4 s after an LLM outage ended
(issue 14, bench_faults llm-500).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import grpc
import pytest

from docmesh.document.v1 import document_service_pb2_grpc as pb_grpc
from docmesh_common.clients import LLM_BOUND, Upstream
from docmesh_common.errors import FAILED_DEPENDENCY_KEY, Unavailable, failed_dependency
from docmesh_common.settings import ServiceSettings

FAIL_MAX = 2
CHAT = "/docmesh.agent.v1.AgentService/Chat"
HINT_SECONDS = 3.0


class _Answering(grpc.GenericRpcHandler):
    """Answers every agent method with `error`, counting the calls that reached it."""

    def __init__(self, error: Unavailable) -> None:
        self.error = error
        self.calls = 0

    def service(self, details: grpc.HandlerCallDetails) -> grpc.RpcMethodHandler | None:
        name = details.method.decode() if isinstance(details.method, bytes) else details.method
        if not name.startswith("/docmesh.agent."):
            return None

        async def answer(request: bytes, ctx: grpc.aio.ServicerContext) -> bytes:
            self.calls += 1
            await ctx.abort(
                self.error.code, self.error.message, trailing_metadata=self.error.trailing_metadata()
            )
            return b""

        return grpc.unary_unary_rpc_method_handler(answer)


@pytest.fixture
async def serve() -> AsyncIterator[object]:
    started: list[tuple[grpc.aio.Server, Upstream[pb_grpc.DocumentServiceStub]]] = []

    async def start(error: Unavailable) -> tuple[_Answering, Upstream[pb_grpc.DocumentServiceStub]]:
        handler = _Answering(error)
        server = grpc.aio.server()
        server.add_generic_rpc_handlers((handler,))
        port = server.add_insecure_port("127.0.0.1:0")
        await server.start()
        # A long open: a breaker that opened would refuse every later call of the test.
        settings = ServiceSettings(
            breaker_fail_max=FAIL_MAX, breaker_first_open_seconds=30.0, breaker_reset_seconds=30.0
        )
        client = Upstream("agent", f"127.0.0.1:{port}", pb_grpc.DocumentServiceStub, settings)
        started.append((server, client))
        return handler, client

    yield start
    for server, client in started:
        await client.close()
        await server.stop(0)


def _llm_down() -> Unavailable:
    return Unavailable(
        "the language model is unavailable",
        reason="LLM_UNAVAILABLE",
        retry_after_seconds=HINT_SECONDS,
        metadata={FAILED_DEPENDENCY_KEY: "llm"},
    )


async def _chat(client: Upstream[pb_grpc.DocumentServiceStub]) -> Unavailable:
    with pytest.raises(Unavailable) as failed:
        await client.call(client.channel.unary_unary(CHAT), b"")
    return failed.value


async def test_errors_naming_a_failed_dependency_never_open_the_callers_breaker(serve) -> None:
    handler, client = await serve(_llm_down())
    for _ in range(FAIL_MAX * 3):
        assert (await _chat(client)).reason == "LLM_UNAVAILABLE"
    assert client.breaker_for(LLM_BOUND).state == "closed"
    assert handler.calls == FAIL_MAX * 3


async def test_the_dependencys_retry_hint_and_name_reach_the_caller(serve) -> None:
    _, client = await serve(_llm_down())
    error = await _chat(client)
    assert error.retry_after_seconds == HINT_SECONDS
    assert error.metadata[FAILED_DEPENDENCY_KEY] == "llm"


async def test_an_upstreams_own_unavailable_still_opens_its_breaker(serve) -> None:
    _, client = await serve(Unavailable("down", reason="UNAVAILABLE"))
    for _ in range(FAIL_MAX):
        await _chat(client)
    assert client.breaker_for(LLM_BOUND).state == "open"
    assert (await _chat(client)).reason == "CIRCUIT_OPEN"


async def test_a_failed_upstream_is_named_to_whoever_called_us(serve) -> None:
    # What a middle service (the agent) passes on when its upstream (the session) failed: the
    # gateway's breaker on the middle service then leaves it alone.
    _, client = await serve(Unavailable("down", reason="UNAVAILABLE"))
    assert (await _chat(client)).metadata[FAILED_DEPENDENCY_KEY] == "agent"
    for _ in range(FAIL_MAX):
        await _chat(client)
    refused = await _chat(client)
    assert refused.reason == "CIRCUIT_OPEN"
    assert failed_dependency(refused.to_status()) == "agent"


async def test_a_dependency_named_deeper_down_is_kept(serve) -> None:
    _, client = await serve(_llm_down())
    assert (await _chat(client)).metadata[FAILED_DEPENDENCY_KEY] == "llm"
