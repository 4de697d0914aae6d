"""The agent benchmark's turns (bench_agent.py): the child processes it starts, Chat turns offered
at once over gRPC or through a gateway, and their figures. Sections 1-2 (this checkout) and
section 3 (commits side by side, agent_sides.py) both measure with these.

(Not named bench_*.py: `make bench` runs those.)
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import statistics
import subprocess
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import grpc
from common import REPO_ROOT, postgres_database, postgres_reachable

from docmesh.agent.v1 import agent_service_pb2 as pb
from docmesh.agent.v1 import agent_service_pb2_grpc as pb_grpc
from docmesh_dev import launcher, testenv

ACME = "Invoice Acme Corp for 10 hours of consulting at $150/h, 8% tax, due in 30 days"
START_TIMEOUT = 60.0


class Processes:
    """Child processes started by the benchmark, stopped with SIGTERM at the end."""

    def __init__(self) -> None:
        self.children: list[subprocess.Popen[bytes]] = []

    def start(self, args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        # env may name another PYTHONPATH (a worktree's packages ahead of this checkout's).
        full_env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "DOCMESH_LOG_LEVEL": "WARNING", **env}
        child = subprocess.Popen(
            args, cwd=REPO_ROOT, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
        )
        self.children.append(child)
        return child

    def stop(self) -> None:
        for child in self.children:
            child.terminate()
        for child in self.children:
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()


def provider_env(provider: str, base_url: str) -> dict[str, str]:
    """An agent's environment for its provider: "builtin", or "openai" against the scripted LLM at `base_url`."""
    if provider == "builtin":
        return {"DOCMESH_LLM_PROVIDER": "builtin"}
    return {
        "DOCMESH_LLM_PROVIDER": "openai",
        "DOCMESH_LLM_BASE_URL": base_url,
        "DOCMESH_LLM_API_KEY": "bench",
        "DOCMESH_LLM_MODEL": "bench-model",
    }


async def wait_serving(port: int, child: subprocess.Popen[bytes]) -> None:
    """Until the gRPC server `child` started on `port` reports SERVING (the launcher's check)."""
    await asyncio.to_thread(launcher._wait_grpc_serving, port, child, time.monotonic() + START_TIMEOUT)


async def wait_http_ready(port: int, child: subprocess.Popen[bytes]) -> None:
    """Until the gateway `child` started on `port` answers /readyz with 200 (the launcher's check)."""
    await asyncio.to_thread(launcher._wait_http_ready, port, child, time.monotonic() + START_TIMEOUT)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def report(
    title: str, latencies: list[float], offered: int, wall: float, errors: int, floor: float | None
) -> None:
    completed = len(latencies)
    print(f"\n{title}")
    print(f"  turns offered        {offered}")
    print(f"  turns completed      {completed}  (errors {errors})")
    print(f"  wall time            {wall:.3f} s")
    print(f"  turns per second     {completed / wall:.1f}")
    if latencies:
        p50, p99 = percentile(latencies, 0.5), percentile(latencies, 0.99)
        line = f"  p50 / p99            {p50 * 1000:.0f} ms / {p99 * 1000:.0f} ms"
        if floor:
            line += f"   (floor {floor * 1000:.0f} ms: p50 {p50 / floor:.2f}x, p99 {p99 / floor:.2f}x)"
        print(line)
        print(f"  mean                 {statistics.fmean(latencies) * 1000:.0f} ms")


async def offer(
    count: int, concurrency: int, turn: Callable[[int], Awaitable[None]]
) -> tuple[list[float], int, float]:
    latencies: list[float] = []
    errors = 0
    gate = asyncio.Semaphore(concurrency)
    first_error: list[str] = []

    async def one(index: int) -> None:
        nonlocal errors
        async with gate:
            started = time.perf_counter()
            try:
                await turn(index)
            except Exception as error:  # the figure counts failures; the first is shown
                errors += 1
                if not first_error:
                    first_error.append(repr(error)[:300])
                return
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(count)))
    wall = time.perf_counter() - started
    if first_error:
        print(f"  first error: {first_error[0]}")
    return latencies, errors, wall


@contextlib.asynccontextmanager
async def session_store() -> AsyncIterator[dict[str, str]]:
    """PostgreSQL + Redis when reachable (a database of this run), else SQLite."""
    if postgres_reachable():
        async with postgres_database("docmesh_bench") as url:
            env = {"DOCMESH_DATABASE_URL": url, "DOCMESH_AUTO_MIGRATE": "true", "DOCMESH_DB_POOL_SIZE": "20"}
            if testenv.reachable(testenv.redis_url(), 6379):
                env["DOCMESH_REDIS_URL"] = testenv.redis_url()
                env["DOCMESH_REDIS_NAMESPACE"] = f"docmesh-bench-{uuid.uuid4().hex[:8]}"
            print(f"session store: PostgreSQL{' + Redis' if 'DOCMESH_REDIS_URL' in env else ''}")
            yield env
        return
    with tempfile.TemporaryDirectory() as folder:
        print("session store: SQLite (PostgreSQL not reachable)")
        yield {"DOCMESH_DATABASE_URL": f"sqlite+aiosqlite:///{folder}/bench.db"}


async def grpc_turns(
    port: int, count: int, concurrency: int, sessions: list[tuple[str, str]] | None = None
) -> tuple[list[float], int, float]:
    """`count` Chat turns, `concurrency` at a time: first turns of new sessions, or with
    `sessions` ((owner, session id) pairs, one turn each) an edit of each session's document.
    Every session a turn used is added to `sessions` when that is an empty list."""
    new_sessions = sessions is not None and not sessions
    async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
        stub = pb_grpc.AgentServiceStub(channel)

        async def turn(index: int) -> None:
            if sessions and not new_sessions:
                owner, session_id = sessions[index]
                request = pb.ChatRequest(session_id=session_id, message="add 2 hours of QA at $80")
            else:
                owner, request = f"bench-{index % 32}", pb.ChatRequest(message=ACME)
            response = await stub.Chat(request, metadata=(("x-owner-id", owner),), timeout=120)
            if not response.msc:
                raise RuntimeError(f"turn without a document: {response.reply}")
            if new_sessions and sessions is not None:
                sessions.append((owner, response.session_id))

        return await offer(count, concurrency, turn)


async def gateway_turns(
    base_url: str, key: str, count: int, concurrency: int, sessions: list[tuple[str, str]] | None = None
) -> tuple[list[float], int, float]:
    """Like grpc_turns, through a gateway's POST /api/v1/chat (the dev key's owner)."""
    import aiohttp

    new_sessions = sessions is not None and not sessions
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(
        base_url=base_url,
        headers={"X-API-Key": key},
        connector=connector,
        timeout=aiohttp.ClientTimeout(total=120),
    ) as http:

        async def turn(index: int) -> None:
            if sessions and not new_sessions:
                owner, session_id = sessions[index]
                body = {"session_id": session_id, "message": "add 2 hours of QA at $80"}
            else:
                owner, body = "dev", {"message": ACME}
            async with http.post("/api/v1/chat", json=body) as reply:
                data = await reply.json()
                if reply.status != 200 or not data.get("msc"):
                    raise RuntimeError(f"turn without a document: {reply.status} {str(data)[:200]}")
            if new_sessions and sessions is not None:
                sessions.append((owner, data["session_id"]))

        return await offer(count, concurrency, turn)
