"""A failing language model endpoint, through the whole mesh: gateway, agent (openai provider),
session and document services, with the scripted LLM of tests/agent/fake_llm.py.

* The endpoint's text never reaches anyone: an endpoint that echoes our Authorization header
  into its errors leaves no trace of the key in the HTTP response, the stored conversation or
  any log line (issue 14, item 8).
* One turn against an endpoint answering 500 makes the agent's own bounded retries only and
  stores ONE error reply; a client retry with the same Idempotency-Key stores no second one
  (issue 14, item 3).
* An LLM outage is the agent's dependency failing, not the agent: the gateway's breaker on the
  agent stays closed, so turns succeed as soon as the endpoint is back (issue 14, llm-500).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from docmesh_agent.settings import AgentSettings
from docmesh_agent.turn import ERROR_REPLY_PREFIX
from tests.agent.conftest import ANSWER
from tests.agent.fake_llm import FakeLLM, Step, error, ok
from tests.gateway.conftest import Backends, Gateway, running_gateway

# The agent's key; the endpoint echoes it back as "Bearer <key>".
SECRET = "sk-test-echoed-0123456789abcdefABCDEF"
MAX_RETRIES = 2
ACME = "Invoice Acme Corp for 10 hours of consulting at $150/h, 8% tax"


@dataclass
class Mesh:
    gateway: Gateway
    llm: FakeLLM

    def client(self) -> httpx.AsyncClient:
        return self.gateway.client("alice")


@contextlib.asynccontextmanager
async def llm_mesh(
    tmp_path: Path, gateway: dict[str, Any] | None = None, **agent: Any
) -> AsyncIterator[Mesh]:
    """Session (SQLite), document and agent services in this process, the gateway in front."""
    from docmesh_agent.server import create_server as create_agent
    from docmesh_document.server import create_server as create_document
    from docmesh_document.settings import DocumentSettings
    from docmesh_session.server import create_server as create_session
    from docmesh_session.settings import SessionSettings

    async with contextlib.AsyncExitStack() as stack:
        llm = await stack.enter_async_context(FakeLLM())

        async def start(factory: Any, settings: Any) -> str:
            server, port = await factory(settings)
            await server.start()
            stack.push_async_callback(server.stop, 0.2)
            return f"127.0.0.1:{port}"

        backends = Backends()
        backends.session = await start(
            create_session,
            SessionSettings(
                DOCMESH_SESSION_PORT=0,
                DOCMESH_SESSION_METRICS_PORT=0,
                DOCMESH_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'sessions.db'}",
                DOCMESH_AUTO_MIGRATE=True,
                DOCMESH_SESSION_SWEEP_INTERVAL_SECONDS=0,
            ),
        )
        backends.document = await start(
            create_document, DocumentSettings(DOCMESH_DOCUMENT_PORT=0, DOCMESH_DOCUMENT_METRICS_PORT=0)
        )
        values: dict[str, Any] = {
            "port": 0,
            "metrics_port": 0,
            "session_target": backends.session,
            "document_target": backends.document,
            "llm_provider": "openai",
            "llm_base_url": llm.base_url,
            "llm_api_key": SECRET,
            "llm_model": "test-model",
            "llm_max_retries": MAX_RETRIES,
            "llm_backoff_base_seconds": 0.01,
            "llm_backoff_cap_seconds": 0.05,
            "llm_breaker_fail_max": 1000,
            **agent,
        }
        backends.agent = await start(create_agent, AgentSettings(**values))
        keys = tmp_path / "keys"
        keys.mkdir()
        front = await stack.enter_async_context(running_gateway(backends, keys, **(gateway or {})))
        yield Mesh(front, llm)


@pytest.fixture
async def mesh(tmp_path: Path) -> AsyncIterator[Mesh]:
    async with llm_mesh(tmp_path) as running:
        yield running


async def turn(mesh: Mesh, key: str, session_id: str = "") -> httpx.Response:
    async with mesh.client() as client:
        return await client.post(
            "/api/v1/chat",
            json={"session_id": session_id, "message": ACME},
            headers={"Idempotency-Key": key},
        )


async def conversation(mesh: Mesh, session_id: str) -> tuple[str, list[dict[str, Any]]]:
    """The session as GetSession and ListMessages answer it: (both bodies' text, messages)."""
    async with mesh.client() as client:
        got = await client.get(f"/api/v1/sessions/{session_id}")
        listed = await client.get(f"/api/v1/sessions/{session_id}/messages")
    assert got.status_code == 200 and listed.status_code == 200
    return got.text + listed.text, listed.json()["messages"]


async def session_of(mesh: Mesh) -> str:
    async with mesh.client() as client:
        listed = await client.get("/api/v1/sessions")
    (only,) = listed.json()["sessions"]
    return str(only["id"])


def logged(caplog: pytest.LogCaptureFixture) -> str:
    """Every captured log line, message and traceback, as one text."""
    formatter = logging.Formatter()
    return "\n".join(
        record.getMessage() + (formatter.formatException(record.exc_info) if record.exc_info else "")
        for record in caplog.records
    )


# ---- item 8: no upstream text or secret reaches a client, a stored message or a log --------


@pytest.mark.parametrize("status", [401, 403, 400, 500, 429])
async def test_an_endpoint_echoing_our_key_leaks_it_nowhere(
    mesh: Mesh, caplog: pytest.LogCaptureFixture, status: int
) -> None:
    caplog.set_level(logging.DEBUG)
    mesh.llm.reset(Step(status=status, echo_authorization=True, error_message="denied"))
    response = await turn(mesh, f"leak-{status}")
    assert response.status_code == 503, response.text
    assert SECRET not in response.text
    stored, messages = await conversation(mesh, await session_of(mesh))
    assert messages[-1]["content"].startswith(ERROR_REPLY_PREFIX)
    assert SECRET not in stored
    assert "denied" not in response.text + stored  # nothing of the endpoint's text at all
    assert SECRET not in logged(caplog)


async def test_rejected_credentials_are_ours_to_fix_not_the_clients(mesh: Mesh) -> None:
    mesh.llm.reset(error(401, echo_authorization=True))
    response = await turn(mesh, "credentials")
    assert response.status_code == 503
    assert "the language model endpoint rejected our credentials" in response.json()["error"]["message"]
    assert "Retry-After" in response.headers
    assert len(mesh.llm.requests) == 1  # a rejected key is not retried


# ---- item 3: one turn, the agent's bounded retries, one error reply ------------------------


async def test_a_turn_against_an_endpoint_answering_500_is_tried_by_the_agent_alone(mesh: Mesh) -> None:
    mesh.llm.reset(error(500))
    response = await turn(mesh, "turn-500")
    assert response.status_code == 503
    assert len(mesh.llm.requests) == 1 + MAX_RETRIES
    _, messages = await conversation(mesh, await session_of(mesh))
    assert [m["role"] for m in messages] == ["MESSAGE_ROLE_USER", "MESSAGE_ROLE_ASSISTANT"]


async def test_a_client_retry_of_a_failed_turn_stores_no_second_error_reply(mesh: Mesh) -> None:
    mesh.llm.reset(error(500))
    for _ in range(3):
        assert (await turn(mesh, "turn-500-retried")).status_code == 503
    _, messages = await conversation(mesh, await session_of(mesh))
    assert [m["role"] for m in messages] == ["MESSAGE_ROLE_USER", "MESSAGE_ROLE_ASSISTANT"]


async def test_a_failed_turn_retried_once_the_endpoint_is_back_is_answered_once(mesh: Mesh) -> None:
    mesh.llm.reset(error(500))
    assert (await turn(mesh, "turn-recovers")).status_code == 503
    mesh.llm.reset(ok(ANSWER))
    answered = await turn(mesh, "turn-recovers")
    assert answered.status_code == 200, answered.text
    _, messages = await conversation(mesh, answered.json()["session_id"])
    users = [m for m in messages if m["role"] == "MESSAGE_ROLE_USER"]
    answers = [
        m
        for m in messages
        if m["role"] == "MESSAGE_ROLE_ASSISTANT" and not m["content"].startswith(ERROR_REPLY_PREFIX)
    ]
    assert len(users) == 1
    assert [a["content"] for a in answers] == [answered.json()["reply"]]


# ---- an LLM outage trips no breaker of the gateway: turns work once the endpoint is back -----


def reason_of(response: httpx.Response) -> str:
    (info,) = [d for d in response.json()["error"]["details"] if d["@type"].endswith("ErrorInfo")]
    return str(info["reason"])


async def test_an_llm_outage_never_opens_the_gateways_breaker_on_the_agent(tmp_path: Path) -> None:
    # The gateway's breakers open after 2 failures and stay open 30 s: had the agent's answers
    # counted, every turn after the second would be refused CIRCUIT_OPEN, the last one included.
    breakers = {"breaker_fail_max": 2, "breaker_first_open_seconds": 30.0, "breaker_reset_seconds": 30.0}
    async with llm_mesh(tmp_path, gateway=breakers) as mesh:
        mesh.llm.reset(error(500))
        for attempt in range(4):
            failed = await turn(mesh, f"outage-{attempt}")
            assert failed.status_code == 503
            assert reason_of(failed) == "LLM_UNAVAILABLE"
        assert len(mesh.llm.requests) == 4 * (1 + MAX_RETRIES)
        mesh.llm.reset(ok(ANSWER))
        answered = await turn(mesh, "after-the-outage")
        assert answered.status_code == 200, answered.text
