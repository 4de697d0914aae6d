"""Turns interrupted after their user message was saved (issue 14, item 4), with real processes:
the agent is a process of the test's own, killed with SIGKILL while the scripted LLM hangs.

A dead holder frees its session within its short lease (renewed by a heartbeat while the turn
runs), and a retry with the same idempotency key then completes the turn; while the lease
holds, the gateway's 409 carries Retry-After with the lease time actually left. The lease lives
apart from the session (the session service's turn lease RPCs): edits of the session's metadata
during a turn survive its renewals.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import pytest

from docmesh.agent.v1 import agent_service_pb2 as agent_pb
from docmesh.agent.v1 import agent_service_pb2_grpc as agent_grpc
from docmesh.session.v1 import session_service_pb2 as session_pb
from docmesh.session.v1 import session_service_pb2_grpc as session_grpc
from docmesh_dev.ports import reserve_port
from tests.agent.conftest import ANSWER
from tests.agent.fake_llm import FakeLLM, Step, ok
from tests.faults.test_llm_errors import ACME, llm_mesh

# With the shipped settings (no tuning), a killed holder frees its session within seconds.
WITHIN_SECONDS = 15.0
OWNER = (("x-owner-id", "faults-owner"),)
HANG = Step(content="", delay=60)


@dataclass
class Backends:
    session: str
    document: str
    llm: FakeLLM


@pytest.fixture
async def backends(tmp_path: Path) -> AsyncIterator[Backends]:
    """Session (SQLite) and document services and the scripted LLM, in this process."""
    from docmesh_document.server import create_server as create_document
    from docmesh_document.settings import DocumentSettings
    from docmesh_session.server import create_server as create_session
    from docmesh_session.settings import SessionSettings

    async with contextlib.AsyncExitStack() as stack:
        llm = await stack.enter_async_context(FakeLLM())
        session, session_port = await create_session(
            SessionSettings(
                DOCMESH_SESSION_PORT=0,
                DOCMESH_SESSION_METRICS_PORT=0,
                DOCMESH_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'sessions.db'}",
                DOCMESH_AUTO_MIGRATE=True,
                DOCMESH_SESSION_SWEEP_INTERVAL_SECONDS=0,
            )
        )
        await session.start()
        stack.push_async_callback(session.stop, 0.2)
        document, document_port = await create_document(
            DocumentSettings(DOCMESH_DOCUMENT_PORT=0, DOCMESH_DOCUMENT_METRICS_PORT=0)
        )
        await document.start()
        stack.push_async_callback(document.stop, 0.2)
        yield Backends(f"127.0.0.1:{session_port}", f"127.0.0.1:{document_port}", llm)


class AgentProcess:
    """`python -m docmesh_agent.main` on a fixed port, started again on the same port."""

    def __init__(self, backends: Backends) -> None:
        # Reserved for the object's life: the agent starts again on this port after a kill.
        self._reservation = reserve_port()
        self.port = self._reservation.port
        self.env = {
            **os.environ,
            "DOCMESH_AGENT_PORT": str(self.port),
            "DOCMESH_AGENT_METRICS_PORT": "0",
            "DOCMESH_SESSION_TARGET": backends.session,
            "DOCMESH_DOCUMENT_TARGET": backends.document,
            "DOCMESH_LLM_PROVIDER": "openai",
            "DOCMESH_LLM_BASE_URL": backends.llm.base_url,
            "DOCMESH_LLM_API_KEY": "sk-test-agent-process",
            "DOCMESH_LLM_MODEL": "test-model",
            "DOCMESH_LLM_MAX_RETRIES": "0",
        }
        self.process: asyncio.subprocess.Process | None = None

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.port}"

    async def start(self) -> None:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "docmesh_agent.main",
            env=self.env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        async with grpc.aio.insecure_channel(self.target) as channel:
            await asyncio.wait_for(channel.channel_ready(), 30)

    async def kill(self) -> None:
        """SIGKILL: no cleanup of any kind, as when a node dies."""
        if self.process is not None and self.process.returncode is None:
            os.kill(self.process.pid, signal.SIGKILL)
            await self.process.wait()

    async def close(self) -> None:
        await self.kill()
        self._reservation.release()


@contextlib.asynccontextmanager
async def agent_process(backends: Backends) -> AsyncIterator[AgentProcess]:
    agent = AgentProcess(backends)
    try:
        yield agent
    finally:
        await agent.close()


async def requests_seen(llm: FakeLLM, count: int) -> None:
    """Until the scripted LLM has received `count` requests."""
    deadline = time.monotonic() + 30
    while len(llm.requests) < count:
        assert time.monotonic() < deadline, f"the LLM saw {len(llm.requests)} request(s), not {count}"
        await asyncio.sleep(0.05)


async def chat(target: str, key: str, timeout: float = 30) -> agent_pb.ChatResponse:
    async with grpc.aio.insecure_channel(target) as channel:
        response: agent_pb.ChatResponse = await agent_grpc.AgentServiceStub(channel).Chat(
            agent_pb.ChatRequest(message=ACME, idempotency_key=key), metadata=OWNER, timeout=timeout
        )
        return response


async def messages(backends: Backends, session_id: str) -> list[session_pb.Message]:
    async with grpc.aio.insecure_channel(backends.session) as channel:
        listed = await session_grpc.SessionServiceStub(channel).ListMessages(
            session_pb.ListMessagesRequest(session_id=session_id), metadata=OWNER
        )
        return list(listed.messages)


async def test_a_turn_whose_agent_was_killed_completes_on_a_retry_within_seconds(
    backends: Backends,
) -> None:
    backends.llm.reset(ok(ANSWER))
    backends.llm.push(HANG)
    async with agent_process(backends) as agent:
        await agent.start()
        interrupted = asyncio.create_task(chat(agent.target, "killed-turn"))
        await requests_seen(backends.llm, 1)  # the user message is saved before the LLM call
        await agent.kill()
        with pytest.raises(grpc.aio.AioRpcError):
            await interrupted
        await agent.start()
        restarted = time.monotonic()
        while True:
            try:
                answered = await chat(agent.target, "killed-turn")
                break
            except grpc.aio.AioRpcError as refused:
                assert refused.code() == grpc.StatusCode.ABORTED, refused.details()
                assert time.monotonic() - restarted < WITHIN_SECONDS, "the session stayed locked"
                await asyncio.sleep(0.2)
        assert time.monotonic() - restarted < WITHIN_SECONDS
    assert answered.invoice.buyer.name == "Acme Corp"
    stored = await messages(backends, answered.session_id)
    assert [m.role for m in stored] == [session_pb.MESSAGE_ROLE_USER, session_pb.MESSAGE_ROLE_ASSISTANT]


async def test_a_running_turn_keeps_its_session_past_its_first_lease(tmp_path: Path) -> None:
    async with llm_mesh(tmp_path, turn_lease_seconds=1.0) as mesh:
        mesh.llm.reset(ok(ANSWER))
        async with mesh.client() as client:
            first = await client.post("/api/v1/chat", json={"message": ACME})
            session_id = first.json()["session_id"]
            mesh.llm.push(Step(content="", delay=2.5, status=500))
            running = asyncio.create_task(
                client.post("/api/v1/chat", json={"session_id": session_id, "message": "add QA"})
            )
            await requests_seen(mesh.llm, 2)
            await asyncio.sleep(1.5)  # past the first lease: only the heartbeat holds it now
            refused = await client.post("/api/v1/chat", json={"session_id": session_id, "message": "again"})
            assert refused.status_code == 409, refused.text
            # The lease time actually left: under one lease, never a fixed 5 s.
            assert 0 < float(refused.headers["Retry-After"]) <= 2
            await running


async def test_metadata_edits_during_a_running_turn_survive_its_lease_renewals(backends: Backends) -> None:
    # The lease used to be a session metadata entry that each renewal wrote back with
    # UpdateSession (the whole map): an edit made meanwhile could be lost, and the client's
    # metadata carried the agent's entry. Now the lease lives apart from the session.
    backends.llm.reset(ok(ANSWER))
    async with agent_process(backends) as agent:
        agent.env["DOCMESH_AGENT_TURN_LEASE_SECONDS"] = "0.6"  # a renewal every 0.2 s
        await agent.start()
        session_id = (await chat(agent.target, "first-turn")).session_id
        backends.llm.push(ok(ANSWER, delay=2.0))
        async with grpc.aio.insecure_channel(agent.target) as to_agent:
            running = asyncio.ensure_future(
                agent_grpc.AgentServiceStub(to_agent).Chat(
                    agent_pb.ChatRequest(session_id=session_id, message="add 2 hours of QA at $100"),
                    metadata=OWNER,
                    timeout=30,
                )
            )
            await requests_seen(backends.llm, 2)
            async with grpc.aio.insecure_channel(backends.session) as to_session:
                sessions = session_grpc.SessionServiceStub(to_session)
                got = await sessions.GetSession(
                    session_pb.GetSessionRequest(session_id=session_id), metadata=OWNER
                )
                expected = dict(got.session.metadata)
                for ref in ("PO-7", "PO-8", "PO-9"):
                    expected["ref"] = ref
                    edit = session_pb.Session(id=session_id, metadata=expected)
                    await sessions.UpdateSession(
                        session_pb.UpdateSessionRequest(session=edit, update_mask={"paths": ["metadata"]}),
                        metadata=OWNER,
                    )
                    await asyncio.sleep(0.15)
                await running  # the turn renewed its lease several times after the last edit
                got = await sessions.GetSession(
                    session_pb.GetSessionRequest(session_id=session_id), metadata=OWNER
                )
    assert dict(got.session.metadata) == expected
