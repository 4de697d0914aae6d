"""Agent benchmark (printed figures).

1. Concurrency: N turns (default 256) offered at once against a scripted OpenAI-compatible
   LLM that answers each request after 1 s. The floor is 1 s: a turn cannot finish sooner.
   a) the LLM leg alone (the openai provider in this process: real HTTP, real client),
      next to the bare-HTTP floor of the same requests on this machine;
   b) whole turns through the agent's gRPC API, with the real session service (PostgreSQL +
      Redis when reachable, else SQLite) and document service, each its own process. Each
      turn also makes 6 session/document calls, so on a small machine this figure is bound
      by their CPU (compare with 2.), not by the LLM wait.
   Each is measured after a first wave that opens the connections.
2. Built-in provider: turns per second end to end (agent + session + document processes).

Usage: .venv/bin/python bench/bench_agent.py [--turns 256] [--llm-delay 1.0]
       [--builtin-turns 300] [--builtin-concurrency 16]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from machine_cpu import CpuMeter, machine_ms  # noqa: E402

from docmesh.agent.v1 import agent_service_pb2 as pb  # noqa: E402
from docmesh.agent.v1 import agent_service_pb2_grpc as pb_grpc  # noqa: E402
from docmesh_dev import testenv  # noqa: E402

ACME = "Invoice Acme Corp for 10 hours of consulting at $150/h, 8% tax, due in 30 days"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Processes:
    """Child processes started by the benchmark, stopped with SIGTERM at the end."""

    def __init__(self) -> None:
        self.children: list[subprocess.Popen[bytes]] = []

    def start(self, args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        full_env = {**os.environ, "PYTHONPATH": str(ROOT), "DOCMESH_LOG_LEVEL": "WARNING", **env}
        child = subprocess.Popen(
            args, cwd=ROOT, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
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


async def wait_serving(port: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        while time.monotonic() < deadline:
            with contextlib.suppress(grpc.aio.AioRpcError):
                reply = await stub.Check(health_pb2.HealthCheckRequest(), timeout=1)
                if reply.status == health_pb2.HealthCheckResponse.SERVING:
                    return
            await asyncio.sleep(0.2)
    raise RuntimeError(f"port {port} never reported SERVING")


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
    base = testenv.database_url()
    if testenv.reachable(base, 5432):
        from tests import pg_admin

        name = f"docmesh_bench_{uuid.uuid4().hex[:8]}"
        await asyncio.to_thread(pg_admin.create_database, base, name)
        url = base.rsplit("/", 1)[0] + f"/{name}"
        env = {"DOCMESH_DATABASE_URL": url, "DOCMESH_AUTO_MIGRATE": "true", "DOCMESH_DB_POOL_SIZE": "20"}
        if testenv.reachable(testenv.redis_url(), 6379):
            env["DOCMESH_REDIS_URL"] = testenv.redis_url()
            env["DOCMESH_REDIS_NAMESPACE"] = f"docmesh-bench-{uuid.uuid4().hex[:8]}"
        print(f"session store: PostgreSQL{' + Redis' if 'DOCMESH_REDIS_URL' in env else ''}")
        try:
            yield env
        finally:
            await asyncio.to_thread(pg_admin.drop_database, base, name)
        return
    with tempfile.TemporaryDirectory() as folder:
        print("session store: SQLite (PostgreSQL not reachable)")
        yield {"DOCMESH_DATABASE_URL": f"sqlite+aiosqlite:///{folder}/bench.db"}


async def llm_leg(base_url: str, turns: int, delay: float) -> None:
    from docmesh_agent.providers.base import TurnRequest
    from docmesh_agent.providers.openai_provider import OpenAIProvider
    from docmesh_agent.settings import AgentSettings
    from docmesh_agent.usage import TurnUsage

    settings = AgentSettings(
        llm_provider="openai",
        llm_base_url=base_url,
        llm_api_key="bench",
        llm_model="bench-model",
        llm_max_retries=0,
    )
    provider = OpenAIProvider(settings)
    request = TurnRequest(message=ACME, current=None, today=datetime.date.today())

    async def turn(_: int) -> None:
        answer = await provider.answer(request, TurnUsage())
        assert answer.invoice is not None

    # A first wave opens the connections (a long-running agent keeps them alive).
    await offer(turns, turns, turn)
    latencies, errors, wall = await offer(turns, turns, turn)
    report(
        f"1a. LLM leg: {turns} concurrent openai-provider calls, LLM answers in {delay:.1f} s",
        latencies,
        turns,
        wall,
        errors,
        delay,
    )
    await provider.close()


async def http_floor(base_url: str, turns: int, delay: float) -> None:
    """The same number of bare HTTP requests (aiohttp, no SDK, no parsing): what the machine allows."""
    import aiohttp

    from docmesh_agent.providers.base import TurnRequest
    from docmesh_agent.providers.prompt import build_messages

    body = {
        "model": "bench-model",
        "messages": build_messages(
            TurnRequest(message=ACME, current=None, today=datetime.date.today()), context_tokens=8000
        ),
    }
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=1000)) as http:

        async def turn(_: int) -> None:
            async with http.post(f"{base_url}/chat/completions", json=body) as response:
                await response.read()

        await offer(turns, turns, turn)
        latencies, errors, wall = await offer(turns, turns, turn)
    report(
        f"1a'. HTTP floor: {turns} concurrent bare aiohttp POSTs to the same scripted LLM",
        latencies,
        turns,
        wall,
        errors,
        delay,
    )


async def grpc_turns(port: int, count: int, concurrency: int) -> tuple[list[float], int, float]:
    async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
        stub = pb_grpc.AgentServiceStub(channel)

        async def turn(index: int) -> None:
            response = await stub.Chat(
                pb.ChatRequest(message=ACME),
                metadata=(("x-owner-id", f"bench-{index % 32}"),),
                timeout=120,
            )
            if not response.msc:
                raise RuntimeError(f"turn without a document: {response.reply}")

        return await offer(count, concurrency, turn)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=256)
    parser.add_argument("--llm-delay", type=float, default=1.0)
    parser.add_argument("--builtin-turns", type=int, default=300)
    parser.add_argument("--builtin-concurrency", type=int, default=16)
    options = parser.parse_args()
    python = sys.executable
    children = Processes()
    try:
        llm = children.start([python, "-m", "tests.agent.fake_llm", "--delay", str(options.llm_delay)], {})
        assert llm.stdout is not None
        llm_port = json.loads(llm.stdout.readline())["port"]
        base_url = f"http://127.0.0.1:{llm_port}/v1"
        print(f"docmesh agent benchmark: {os.cpu_count()} CPU(s), scripted LLM on :{llm_port}")

        await http_floor(base_url, options.turns, options.llm_delay)
        await llm_leg(base_url, options.turns, options.llm_delay)

        async with session_store() as store:
            ports = {name: free_port() for name in ("session", "document", "agent_llm", "agent_builtin")}
            session = children.start(
                [python, "-m", "docmesh_session.main"],
                {**store, "DOCMESH_SESSION_PORT": str(ports["session"]), "DOCMESH_SESSION_METRICS_PORT": "0"},
            )
            document = children.start(
                [python, "-m", "docmesh_document.main"],
                {"DOCMESH_DOCUMENT_PORT": str(ports["document"]), "DOCMESH_DOCUMENT_METRICS_PORT": "0"},
            )
            await wait_serving(ports["session"])
            await wait_serving(ports["document"])
            upstreams = {
                "DOCMESH_SESSION_TARGET": f"127.0.0.1:{ports['session']}",
                "DOCMESH_DOCUMENT_TARGET": f"127.0.0.1:{ports['document']}",
                "DOCMESH_AGENT_METRICS_PORT": "0",
                "DOCMESH_UPSTREAM_TIMEOUT_SECONDS": "60",
            }
            agent = children.start(
                [python, "-m", "docmesh_agent.main"],
                {
                    **upstreams,
                    "DOCMESH_AGENT_PORT": str(ports["agent_llm"]),
                    "DOCMESH_LLM_PROVIDER": "openai",
                    "DOCMESH_LLM_BASE_URL": base_url,
                    "DOCMESH_LLM_API_KEY": "bench",
                    "DOCMESH_LLM_MODEL": "bench-model",
                },
            )
            children.start(
                [python, "-m", "docmesh_agent.main"],
                {
                    **upstreams,
                    "DOCMESH_AGENT_PORT": str(ports["agent_builtin"]),
                    "DOCMESH_LLM_PROVIDER": "builtin",
                },
            )
            await wait_serving(ports["agent_llm"])
            await wait_serving(ports["agent_builtin"])

            # Warm-up: connections, caches, the first render.
            await grpc_turns(ports["agent_llm"], 4, 4)
            await grpc_turns(ports["agent_builtin"], 8, 4)

            await grpc_turns(ports["agent_llm"], options.turns, options.turns)
            meter = CpuMeter(
                {
                    "agent": agent.pid,
                    "session": session.pid,
                    "document": document.pid,
                    "scripted LLM": llm.pid,
                    "load (this process)": os.getpid(),
                }
            )
            before = meter.snapshot()
            latencies, errors, wall = await grpc_turns(ports["agent_llm"], options.turns, options.turns)
            after = meter.snapshot()
            report(
                f"1b. Whole turns: {options.turns} concurrent Chat calls (agent + session + document processes), "
                f"LLM answers in {options.llm_delay:.1f} s",
                latencies,
                options.turns,
                wall,
                errors,
                options.llm_delay,
            )
            for text in meter.report(before, after, options.turns, "turn"):
                print(text)
            cpu_bound = (
                options.turns * machine_ms(before, after, options.turns) / 1000 / (os.cpu_count() or 1)
            )
            print(
                f"  CPU-bound floor      {options.turns} turns x that CPU / {os.cpu_count()} cores = "
                f"{cpu_bound:.2f} s of wall time, however the waits overlap"
            )

            latencies, errors, wall = await grpc_turns(
                ports["agent_builtin"], options.builtin_turns, options.builtin_concurrency
            )
            report(
                f"2. Built-in provider end to end: {options.builtin_turns} turns at concurrency "
                f"{options.builtin_concurrency} (agent + session + document processes)",
                latencies,
                options.builtin_turns,
                wall,
                errors,
                None,
            )
            latencies, errors, wall = await grpc_turns(ports["agent_builtin"], 100, 1)
            report("2b. Built-in provider end to end, one turn at a time", latencies, 100, wall, errors, None)
    finally:
        children.stop()


if __name__ == "__main__":
    asyncio.run(main())
