"""Agent test fixtures: the scripted OpenAI-compatible server and settings pointing at it."""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import grpc
import pytest

from docmesh.agent.v1 import agent_service_pb2, agent_service_pb2_grpc, invoice_app_service_pb2_grpc
from docmesh.session.v1 import session_service_pb2_grpc
from docmesh_agent.settings import AgentSettings
from tests.agent.fake_llm import FakeLLM

TODAY = dt.date(2026, 3, 2)

INVOICE = {
    "currency_code": "USD",
    "buyer": {"name": "Acme Corp"},
    "line_items": [{"description": "Consulting", "quantity": "10", "unit": "hours", "unit_price": "150"}],
    "taxes": [{"name": "Tax", "rate_percent": "8"}],
}

ANSWER = {
    "reply": "Here is the invoice for Acme Corp.",
    "action": "generate",
    "invoice": INVOICE,
    "summary": "Invoice for Acme Corp",
}


@pytest.fixture(scope="session")
async def llm_server() -> AsyncIterator[FakeLLM]:
    async with FakeLLM() as server:
        yield server


@pytest.fixture
def llm(llm_server: FakeLLM) -> FakeLLM:
    """The scripted LLM, with an empty script (unscripted requests get HTTP 500)."""
    llm_server.reset()
    return llm_server


@pytest.fixture
def openai_settings(llm: FakeLLM) -> Callable[..., AgentSettings]:
    """Settings for the openai provider against the scripted server; keyword overrides by field name."""

    def make(**overrides: Any) -> AgentSettings:
        values: dict[str, Any] = {
            "llm_provider": "openai",
            "llm_base_url": llm.base_url,
            "llm_api_key": "test-key",
            "llm_model": "test-model",
            "llm_max_retries": 2,
            "llm_backoff_base_seconds": 0.01,
            "llm_backoff_cap_seconds": 1.0,
            "llm_timeout_seconds": 5.0,
            "llm_breaker_fail_max": 5,
            "llm_breaker_reset_seconds": 30.0,
            "llm_prices": {"test-model": {"prompt": "2.5", "completion": "10"}},
            "port": 0,
            "metrics_port": 0,
        }
        values.update(overrides)
        return AgentSettings(**values)

    return make


# ---- end to end: real session and document services, agents on top -------------------------


@dataclass
class Caller:
    """An owner talking to one agent replica over gRPC."""

    channel: grpc.aio.Channel
    owner_id: str = field(default_factory=lambda: f"owner-{uuid.uuid4().hex[:12]}")

    @property
    def md(self) -> tuple[tuple[str, str], ...]:
        return (("x-owner-id", self.owner_id),)

    @property
    def agent(self) -> agent_service_pb2_grpc.AgentServiceStub:
        return agent_service_pb2_grpc.AgentServiceStub(self.channel)

    @property
    def app(self) -> invoice_app_service_pb2_grpc.InvoiceAppServiceStub:
        return invoice_app_service_pb2_grpc.InvoiceAppServiceStub(self.channel)

    async def chat(self, message: str, session_id: str = "", **fields: Any) -> agent_service_pb2.ChatResponse:
        timeout = fields.pop("timeout", 30)
        return await self.agent.Chat(
            agent_service_pb2.ChatRequest(session_id=session_id, message=message, **fields),
            metadata=self.md,
            timeout=timeout,
        )

    def on(self, other: Caller) -> Caller:
        """The same owner on another replica."""
        return Caller(other.channel, self.owner_id)


@dataclass
class Mesh:
    """Running session + document services and agent replicas (builtin and scripted-LLM ones)."""

    session_port: int
    document_port: int
    session_channel: grpc.aio.Channel
    builtin: list[grpc.aio.Channel]
    llm: list[grpc.aio.Channel]
    # `await mesh.start_agent(**settings)` -> (server, channel): one more agent replica.
    start_agent: Callable[..., Awaitable[tuple[Any, grpc.aio.Channel]]]
    llm_settings: dict[str, Any]

    def builtin_caller(self, replica: int = 0) -> Caller:
        return Caller(self.builtin[replica])

    def llm_caller(self, replica: int = 0) -> Caller:
        return Caller(self.llm[replica])

    def sessions(self) -> session_service_pb2_grpc.SessionServiceStub:
        return session_service_pb2_grpc.SessionServiceStub(self.session_channel)


E2E_LLM_SETTINGS: dict[str, Any] = {
    "llm_max_retries": 0,
    "llm_breaker_fail_max": 1000,
    "llm_timeout_seconds": 5.0,
    "turn_lease_seconds": 60.0,
}


@pytest.fixture(scope="session")
def e2e_stores(pg_url: str, redis_url: str, run_id: str) -> dict[str, str]:
    """Sync on purpose: the shared store fixtures must not run inside the event loop."""
    return {"database_url": pg_url, "redis_url": redis_url, "redis_namespace": f"docmesh-test-{run_id}-agent"}


@pytest.fixture(scope="session")
async def mesh(e2e_stores: dict[str, str], llm_server: FakeLLM) -> AsyncIterator[Mesh]:
    from docmesh_agent.server import create_server as create_agent_server
    from docmesh_document.server import create_server as create_document_server
    from docmesh_document.settings import DocumentSettings
    from docmesh_session.migrate import upgrade_url
    from docmesh_session.server import create_server as create_session_server
    from docmesh_session.settings import SessionSettings

    await upgrade_url(e2e_stores["database_url"])
    stack = contextlib.AsyncExitStack()
    session_server, session_port = await create_session_server(
        SessionSettings(
            DOCMESH_SESSION_PORT=0,
            DOCMESH_SESSION_METRICS_PORT=0,
            DOCMESH_DATABASE_URL=e2e_stores["database_url"],
            DOCMESH_REDIS_URL=e2e_stores["redis_url"],
            DOCMESH_REDIS_NAMESPACE=e2e_stores["redis_namespace"],
            DOCMESH_AUTO_MIGRATE=False,
            DOCMESH_SESSION_SWEEP_INTERVAL_SECONDS=0,
        )
    )
    await session_server.start()
    stack.push_async_callback(session_server.stop, 0.2)
    document_server, document_port = await create_document_server(
        DocumentSettings(DOCMESH_DOCUMENT_PORT=0, DOCMESH_DOCUMENT_METRICS_PORT=0)
    )
    await document_server.start()
    stack.push_async_callback(document_server.stop, 0.2)

    async def start_agent(**overrides: Any) -> tuple[Any, grpc.aio.Channel]:
        values: dict[str, Any] = {
            "port": 0,
            "metrics_port": 0,
            "session_target": f"127.0.0.1:{session_port}",
            "document_target": f"127.0.0.1:{document_port}",
            "llm_provider": "builtin",
        }
        values.update(overrides)
        server, port = await create_agent_server(AgentSettings(**values))
        await server.start()
        stack.push_async_callback(server.stop, 0.2)
        channel = grpc.aio.insecure_channel(f"127.0.0.1:{port}")
        stack.push_async_callback(channel.close)
        return server, channel

    async def agent(**overrides: Any) -> grpc.aio.Channel:
        return (await start_agent(**overrides))[1]

    llm_values = {
        "llm_provider": "openai",
        "llm_base_url": llm_server.base_url,
        "llm_api_key": "test-key",
        "llm_model": "test-model",
        "llm_prices": {"test-model": {"prompt": "2.5", "completion": "10"}},
        **E2E_LLM_SETTINGS,
    }
    session_channel = grpc.aio.insecure_channel(f"127.0.0.1:{session_port}")
    stack.push_async_callback(session_channel.close)
    built = Mesh(
        session_port=session_port,
        document_port=document_port,
        session_channel=session_channel,
        builtin=[await agent(), await agent()],
        llm=[await agent(**llm_values), await agent(**llm_values)],
        start_agent=start_agent,
        llm_settings=llm_values,
    )
    try:
        yield built
    finally:
        await stack.aclose()
