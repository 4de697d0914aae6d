"""The gateway in front of the REAL session, agent and document services, all in this process.

Each service is started from its own `create_server` on port 0 (session over SQLite, agent with
the built-in provider); the gateway is started from its `create_server` with a keys file holding
two keys (alice and bob). Nothing is faked.
"""

from __future__ import annotations

import contextlib
import importlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from docmesh_gateway.auth import ApiKey, generate_key, hash_key, save_keys_file
from docmesh_gateway.server import GatewayServer, create_server
from docmesh_gateway.settings import GatewaySettings

UNREACHABLE = "127.0.0.1:1"


@dataclass
class Backends:
    session: str = UNREACHABLE
    agent: str = UNREACHABLE
    document: str = UNREACHABLE
    servers: dict[str, Any] = field(default_factory=dict)


@pytest.fixture(scope="session")
async def backends(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Backends]:
    """The three services, each on a free port; the agent talks to the other two."""
    stack = contextlib.AsyncExitStack()
    found = Backends()
    state = tmp_path_factory.mktemp("gateway-mesh")

    async def start(module: Any, settings: Any) -> int:
        server, port = await module.create_server(settings)
        await server.start()
        stack.push_async_callback(server.stop, 0.5)
        return int(port)

    async with stack:
        session_module = _optional("session")
        if session_module is not None:
            from docmesh_session.settings import SessionSettings

            settings = SessionSettings(
                DOCMESH_SESSION_PORT=0,
                DOCMESH_SESSION_METRICS_PORT=0,
                DOCMESH_DATABASE_URL=f"sqlite+aiosqlite:///{state / 'sessions.db'}",
                DOCMESH_AUTO_MIGRATE=True,
                DOCMESH_SESSION_SWEEP_INTERVAL_SECONDS=0,
                access_log_sample_rate=1.0,  # tests follow calls by their rpc lines
            )
            port = await start(session_module, settings)
            found.session = f"127.0.0.1:{port}"
            found.servers["session"] = session_module
        document_module = _optional("document")
        if document_module is not None:
            from docmesh_document.settings import DocumentSettings

            port = await start(
                document_module, DocumentSettings(DOCMESH_DOCUMENT_PORT=0, DOCMESH_DOCUMENT_METRICS_PORT=0)
            )
            found.document = f"127.0.0.1:{port}"
            found.servers["document"] = document_module
        agent_module = _optional("agent")
        if agent_module is not None and "session" in found.servers and "document" in found.servers:
            from docmesh_agent.settings import AgentSettings

            settings = AgentSettings(
                port=0,
                metrics_port=0,
                session_target=found.session,
                document_target=found.document,
                llm_provider="builtin",
            )
            port = await start(agent_module, settings)
            found.agent = f"127.0.0.1:{port}"
            found.servers["agent"] = agent_module
        yield found


def _optional(name: str) -> Any:
    try:
        module = importlib.import_module(f"docmesh_{name}.server")
        importlib.import_module(f"docmesh_{name}.settings")
    except ImportError:
        return None
    return module


def require(backends: Backends, *names: str) -> None:
    missing = [n for n in names if n not in backends.servers]
    if missing:
        pytest.skip(f"needs the {', '.join(missing)} service(s), not available yet")


@dataclass
class Gateway:
    server: GatewayServer
    url: str
    keys: dict[str, str]  # owner -> API key

    def client(self, owner: str | None = "alice", **kwargs: Any) -> httpx.AsyncClient:
        headers = {"X-API-Key": self.keys[owner]} if owner else {}
        headers.update(kwargs.pop("headers", {}))
        return httpx.AsyncClient(base_url=self.url, headers=headers, timeout=60, **kwargs)


StartGateway = Callable[..., Awaitable[Gateway]]


def write_keys(path: Path, owners: list[str]) -> dict[str, str]:
    keys = {owner: generate_key() for owner in owners}
    save_keys_file(path, [ApiKey(hash_key(key), owner) for owner, key in keys.items()])
    return keys


@contextlib.asynccontextmanager
async def running_gateway(
    backends: Backends, keys_dir: Path, owners: tuple[str, ...] = ("alice", "bob"), **overrides: Any
) -> AsyncIterator[Gateway]:
    keys = write_keys(keys_dir / "keys.json", list(owners))
    values: dict[str, Any] = {
        "port": 0,
        "session_target": backends.session,
        "agent_target": backends.agent,
        "document_target": backends.document,
        "api_keys_file": str(keys_dir / "keys.json"),
        "rate_limit_rps": 1000,
        "rate_limit_burst": 1000,
        "upstream_timeout_seconds": 10,
    }
    values.update(overrides)
    settings = GatewaySettings(**values)
    server, port = await create_server(settings)
    await server.start()
    try:
        yield Gateway(server, f"http://127.0.0.1:{port}", keys)
    finally:
        await server.stop(1.0)


@pytest.fixture(scope="session")
async def gateway(backends: Backends, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Gateway]:
    """One gateway for the whole run, in front of every available service."""
    async with running_gateway(backends, tmp_path_factory.mktemp("gateway-keys")) as found:
        yield found


@pytest.fixture
async def start_gateway(backends: Backends, tmp_path: Path) -> AsyncIterator[StartGateway]:
    """`await start_gateway(**settings)`: a gateway of the test's own (stopped after the test);
    `owners=(...)` names the owners it has keys for (a profile of the test's own)."""
    stack = contextlib.AsyncExitStack()
    count = 0

    async def start(**overrides: Any) -> Gateway:
        nonlocal count
        count += 1
        folder = tmp_path / f"keys-{count}"
        folder.mkdir()
        return await stack.enter_async_context(running_gateway(backends, folder, **overrides))

    async with stack:
        yield start


def error_of(response: httpx.Response) -> dict[str, Any]:
    """The gateway's error object, checking the shape every error has."""
    assert response.headers["content-type"].startswith("application/json"), response.text
    body = json.loads(response.content)
    error = body["error"]
    assert set(error) == {"code", "status", "message", "details", "request_id"}
    assert error["code"] == response.status_code
    return error
