"""An upstream's LLM-bound calls have their own breaker and are never retried by the client."""

from __future__ import annotations

from collections.abc import AsyncIterator

import grpc
import pytest

from docmesh.document.v1 import document_service_pb2 as pb
from docmesh.document.v1 import document_service_pb2_grpc as pb_grpc
from docmesh_common import clients
from docmesh_common.clients import DEFAULT_KIND, LLM_BOUND, Upstream, call_kind
from docmesh_common.errors import Unavailable
from docmesh_common.settings import ServiceSettings

FAIL_MAX = 2
CHAT = "/docmesh.agent.v1.AgentService/Chat"
EXPORT = "/docmesh.agent.v1.AgentService/ExportSessionDocument"


class _Counting(grpc.GenericRpcHandler):
    """Answers UNAVAILABLE to every agent method, counting the attempts of each."""

    def __init__(self) -> None:
        self.attempts: dict[str, int] = {}

    def service(self, details: grpc.HandlerCallDetails) -> grpc.RpcMethodHandler | None:
        name = details.method.decode() if isinstance(details.method, bytes) else details.method
        if not name.startswith("/docmesh.agent."):
            return None  # health checks: UNIMPLEMENTED, which client-side health checking takes as healthy

        async def unavailable(request: bytes, ctx: grpc.aio.ServicerContext) -> bytes:
            self.attempts[name] = self.attempts.get(name, 0) + 1
            await ctx.abort(grpc.StatusCode.UNAVAILABLE, "the language model is down")
            return b""

        return grpc.unary_unary_rpc_method_handler(unavailable)


@pytest.fixture
async def failing_agent() -> AsyncIterator[tuple[_Counting, Upstream[pb_grpc.DocumentServiceStub]]]:
    handler = _Counting()
    server = grpc.aio.server()
    server.add_generic_rpc_handlers((handler,))
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    settings = ServiceSettings(breaker_fail_max=FAIL_MAX)
    client = Upstream("agent", f"127.0.0.1:{port}", pb_grpc.DocumentServiceStub, settings)
    yield handler, client
    await client.close()
    await server.stop(0)


def _raw(client: Upstream[pb_grpc.DocumentServiceStub], method: str) -> grpc.aio.UnaryUnaryMultiCallable:
    return client.channel.unary_unary(method)


def test_chat_turns_are_llm_bound_and_exports_are_not() -> None:
    assert call_kind(CHAT) == LLM_BOUND
    assert call_kind("/docmesh.agent.v1.AgentService/ChatStream") == LLM_BOUND
    assert call_kind("/docmesh.agent.v1.InvoiceAppService/SendChatMessage") == LLM_BOUND
    assert call_kind(EXPORT) == DEFAULT_KIND
    assert call_kind("/docmesh.agent.v1.AgentService/RevertRevision") == DEFAULT_KIND


async def test_an_llm_bound_call_answered_unavailable_is_made_once(failing_agent) -> None:
    handler, client = failing_agent
    with pytest.raises(Unavailable):
        await client.call(_raw(client, CHAT), b"")
    assert handler.attempts[CHAT] == 1


async def test_other_calls_answered_unavailable_are_retried_by_grpc(failing_agent) -> None:
    handler, client = failing_agent
    with pytest.raises(Unavailable):
        await client.call(_raw(client, EXPORT), b"")
    assert handler.attempts[EXPORT] > 1


async def test_failing_turns_open_the_llm_breaker_and_leave_exports_alone(failing_agent) -> None:
    handler, client = failing_agent
    for _ in range(FAIL_MAX):
        with pytest.raises(Unavailable):
            await client.call(_raw(client, CHAT), b"")
    assert client.breaker_for(LLM_BOUND).state == "open"
    assert client.breaker.state == "closed"
    with pytest.raises(Unavailable) as refused:
        await client.call(_raw(client, CHAT), b"")
    assert refused.value.reason == "CIRCUIT_OPEN"
    with pytest.raises(Unavailable) as answered:
        await client.call(_raw(client, EXPORT), b"")
    assert answered.value.reason != "CIRCUIT_OPEN"
    assert handler.attempts[EXPORT] >= 1


async def test_a_stubs_own_multicallables_keep_their_kind_past_the_remembered_bound(
    failing_agent, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each multi-callable's breaker is remembered (up to a bound); the ones past the bound are
    # judged on every call, so neither a remembered nor a forgotten one lands in another kind's.
    monkeypatch.setattr(clients, "MAX_REMEMBERED_METHODS", 1)
    _, client = failing_agent
    export, chat = _raw(client, EXPORT), _raw(client, CHAT)
    for _ in range(FAIL_MAX):
        with pytest.raises(Unavailable):
            await client.call(export, b"")  # remembered: the bound is one
        with pytest.raises(Unavailable):
            await client.call(chat, b"")  # past the bound
    assert client.breaker_for(LLM_BOUND).state == "open"
    assert client.breaker.state == "open"
    with pytest.raises(Unavailable) as refused:
        await client.call(chat, b"")
    assert refused.value.reason == "CIRCUIT_OPEN"


async def test_a_refusal_quotes_the_time_left_until_the_probe() -> None:
    settings = ServiceSettings(breaker_fail_max=1, breaker_first_open_seconds=5.0, breaker_reset_seconds=30.0)
    client = Upstream("nowhere", "127.0.0.1:1", pb_grpc.DocumentServiceStub, settings)
    try:
        with pytest.raises(Unavailable):
            await client.call(client.stub.Parse, pb.ParseRequest(msc="ok"), timeout=0.5)
        with pytest.raises(Unavailable) as refused:
            await client.call(client.stub.Parse, pb.ParseRequest(msc="ok"))
        assert refused.value.reason == "CIRCUIT_OPEN"
        left = client.breaker.seconds_until_probe()
        assert left - 0.5 <= refused.value.retry_after_seconds <= left + 0.5
        assert refused.value.retry_after_seconds < 30.0
    finally:
        await client.close()
