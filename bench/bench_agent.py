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
3. Before/after (--ab): two commits' meshes (default e29c26d, the agent before its ports, and
   HEAD), each checked out into a temporary git worktree and run as its own session +
   document + agent processes against the same scripted LLM, measured alternately (A B, then
   B A, ...) at each concurrency (default 32 and 256 concurrent Chat turns), first turns of new
   sessions and then an edit of each of those sessions (--no-ab-edits: first turns only):
   turns per second, the whole machine's CPU per turn, the CPU of what serves the side's turns
   ("own": the mesh, the PostgreSQL server, the Redis server and this load generator, read from
   /proc: on a machine shared with other work the machine figure moves with that work, this one
   does not when the benchmark has a PostgreSQL and a Redis of its own, e.g.
   DOCMESH_TEST_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5433/test
   DOCMESH_TEST_REDIS_URL=redis://127.0.0.1:6380/0) and the agent's, and the invoice's
   proto<->model conversions per turn in each process. The conversions are counted by running each service
   under this script (`--counted MODULE`), which wraps to_proto/from_proto (and the totals' and
   json_format's conversions) in counters before the service is imported: production code is
   not instrumented.
   --ab-provider builtin: the agents answer with the built-in provider (no LLM, no wait), so
   the figure is the mesh's own CPU per turn; --ab-gateway: each side also runs its gateway
   and the turns are POST /api/v1/chat through it (HTTP + JSON), the gateway's CPU included.

Usage: .venv/bin/python bench/bench_agent.py [--turns 256] [--llm-delay 1.0]
       [--builtin-turns 300] [--builtin-concurrency 16]
       [--ab] [--ab-only] [--before e29c26d [COMMIT ...]] [--after HEAD] [--ab-concurrency 32 256]
       [--ab-waves 2] [--ab-rounds 2] [--no-ab-edits] [--ab-provider builtin] [--ab-gateway]

Chat turns with the built-in provider through the gateway, before/after (issue 16):
       .venv/bin/python bench/bench_agent.py --ab-only --ab-provider builtin --ab-gateway \
           --before <commit> --after HEAD --ab-concurrency 8 32
Several --before commits are each a side of their own, in the same alternating rounds (A B C,
then C B A, ...); every side's line gives its ratios to each side printed above it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime
import functools
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from machine_cpu import CpuMeter, machine_busy, machine_ms, process_cpu  # noqa: E402

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
        # env may name another PYTHONPATH (a worktree's packages ahead of this checkout's).
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


# ---- 3. before/after: two commits' meshes, measured alternately ---------------------------------

MESH = ("agent", "session", "document")
CONVERSIONS = ("invoice to_proto", "invoice from_proto", "totals to_proto", "json_format")


def serve_counted(module: str) -> None:
    """`bench_agent.py --counted MODULE`: a service's main with its conversions counted.

    The counters wrap the model's conversions before the service imports them (so its
    `from ... import to_proto` binds the counted one), and a thread writes them to the file
    $DOCMESH_BENCH_COUNTS every 0.1 s. json_format counts proto <-> dict/JSON conversions.
    """
    import importlib
    import runpy

    from google.protobuf import json_format

    def first_module(*names: str) -> Any:
        # Before the model package (a "before" commit) the same conversions lived in the old
        # modules; those are tried first, since this checkout's editable install could also
        # resolve the new names for a "before" tree.
        for name in names:
            try:
                return importlib.import_module(name)
            except ModuleNotFoundError:
                continue
        raise ModuleNotFoundError(names[0])

    invoice = first_module("docmesh_common.invoice", "docmesh_common.model.invoice")
    totals = first_module("docmesh_document.totals", "docmesh_common.model.totals")

    counts: Counter[str] = Counter()

    def counted(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            counts[name] += 1
            return function(*args, **kwargs)

        return wrapper

    invoice.to_proto = counted("invoice to_proto", invoice.to_proto)  # type: ignore[assignment]
    invoice.from_proto = counted("invoice from_proto", invoice.from_proto)  # type: ignore[assignment]
    totals.InvoiceTotals.to_proto = counted("totals to_proto", totals.InvoiceTotals.to_proto)  # type: ignore[method-assign]
    for name in ("MessageToDict", "ParseDict", "MessageToJson", "Parse"):
        setattr(json_format, name, counted("json_format", getattr(json_format, name)))
    path = Path(os.environ["DOCMESH_BENCH_COUNTS"])

    def flush() -> None:
        while True:
            temporary = path.with_suffix(".tmp")
            temporary.write_text(json.dumps(dict(counts)))
            os.replace(temporary, path)
            time.sleep(0.1)

    threading.Thread(target=flush, daemon=True).start()
    sys.argv = [module]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


@contextlib.contextmanager
def worktree(commit: str) -> Iterator[tuple[str, Path]]:
    """`commit` checked out into a temporary git worktree: (short sha, folder)."""
    sha = subprocess.run(
        ["git", "rev-parse", "--short", commit], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.strip()
    folder = Path(tempfile.mkdtemp(prefix=f"docmesh-bench-{sha}-")) / "tree"
    subprocess.run(
        ["git", "worktree", "add", "--detach", str(folder), sha], cwd=ROOT, check=True, capture_output=True
    )
    try:
        yield sha, folder
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(folder)], cwd=ROOT, capture_output=True)
        shutil.rmtree(folder.parent, ignore_errors=True)


@dataclass
class Run:
    """One measured wave of turns on one side."""

    kind: str  # "first": a new session's first turn; "edit": a second turn editing its document
    turns: int
    errors: int
    wall: float
    latencies: list[float]
    machine: float  # CPU seconds of the whole machine
    processes: dict[str, float]  # CPU seconds of each mesh process
    conversions: dict[str, Counter[str]]
    # CPU seconds of what else served this side's turns: its database's PostgreSQL backends,
    # the Redis server, this load generator (see own_cpu).
    own: dict[str, float] = field(default_factory=dict)


@dataclass
class Side:
    """One commit's mesh: its worktree, processes and measured runs."""

    label: str
    folder: Path
    ports: dict[str, int] = field(default_factory=dict)
    pids: dict[str, int] = field(default_factory=dict)
    gateway_url: str = ""  # set when the turns go through this side's gateway
    gateway_key: str = ""
    database_url: str = ""  # this side's session database
    count_files: dict[str, Path] = field(default_factory=dict)
    runs: dict[tuple[str, int], list[Run]] = field(default_factory=dict)

    @property
    def pythonpath(self) -> str:
        # The worktree's packages ahead of this checkout's editable install.
        packages = [self.folder / "services" / name for name in ("agent", "common", "session", "document")]
        return os.pathsep.join(
            [*(str(p) for p in packages), str(self.folder / "gateway"), str(self.folder / "dev"), str(ROOT)]
        )

    async def turns(
        self, count: int, concurrency: int, sessions: list[tuple[str, str]] | None = None
    ) -> tuple[list[float], int, float]:
        if self.gateway_url:
            return await gateway_turns(self.gateway_url, self.gateway_key, count, concurrency, sessions)
        return await grpc_turns(self.ports["agent"], count, concurrency, sessions)

    def counts(self) -> dict[str, Counter[str]]:
        found: dict[str, Counter[str]] = {}
        for name, path in self.count_files.items():
            try:
                found[name] = Counter(json.loads(path.read_text()))
            except (OSError, ValueError):
                found[name] = Counter()
        return found


SCRIPT = str(Path(__file__).resolve())


async def wait_http_ready(url: str, timeout: float = 60.0) -> None:
    import aiohttp

    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as http:
        while time.monotonic() < deadline:
            with contextlib.suppress(aiohttp.ClientError):
                async with http.get(f"{url}/readyz") as reply:
                    if reply.status == 200:
                        return
            await asyncio.sleep(0.2)
    raise RuntimeError(f"{url} never became ready")


async def start_side(
    children: Processes, side: Side, store: dict[str, str], base_url: str, options: argparse.Namespace
) -> None:
    python = sys.executable
    script = SCRIPT
    side.ports = {name: free_port() for name in (*MESH, "gateway")}
    side.database_url = store["DOCMESH_DATABASE_URL"]
    if options.ab_provider == "builtin":
        llm = {"DOCMESH_LLM_PROVIDER": "builtin"}
    else:
        llm = {
            "DOCMESH_LLM_PROVIDER": "openai",
            "DOCMESH_LLM_BASE_URL": base_url,
            "DOCMESH_LLM_API_KEY": "bench",
            "DOCMESH_LLM_MODEL": "bench-model",
        }

    def start(name: str, module: str, env: dict[str, str]) -> None:
        side.count_files[name] = side.folder.parent / f"{name}.counts.json"
        child = children.start(
            [python, script, "--counted", module],
            {**env, "PYTHONPATH": side.pythonpath, "DOCMESH_BENCH_COUNTS": str(side.count_files[name])},
        )
        side.pids[name] = child.pid

    start(
        "session",
        "docmesh_session.main",
        {**store, "DOCMESH_SESSION_PORT": str(side.ports["session"]), "DOCMESH_SESSION_METRICS_PORT": "0"},
    )
    start(
        "document",
        "docmesh_document.main",
        {"DOCMESH_DOCUMENT_PORT": str(side.ports["document"]), "DOCMESH_DOCUMENT_METRICS_PORT": "0"},
    )
    await wait_serving(side.ports["session"])
    await wait_serving(side.ports["document"])
    start(
        "agent",
        "docmesh_agent.main",
        {
            "DOCMESH_SESSION_TARGET": f"127.0.0.1:{side.ports['session']}",
            "DOCMESH_DOCUMENT_TARGET": f"127.0.0.1:{side.ports['document']}",
            "DOCMESH_AGENT_PORT": str(side.ports["agent"]),
            "DOCMESH_AGENT_METRICS_PORT": "0",
            "DOCMESH_UPSTREAM_TIMEOUT_SECONDS": "60",
            **llm,
        },
    )
    await wait_serving(side.ports["agent"])
    if options.ab_gateway:
        side.gateway_key = "dev-bench-" + uuid.uuid4().hex
        start(
            "gateway",
            "docmesh_gateway.main",
            {
                "DOCMESH_GATEWAY_PORT": str(side.ports["gateway"]),
                "DOCMESH_SESSION_TARGET": f"127.0.0.1:{side.ports['session']}",
                "DOCMESH_DOCUMENT_TARGET": f"127.0.0.1:{side.ports['document']}",
                "DOCMESH_AGENT_TARGET": f"127.0.0.1:{side.ports['agent']}",
                "DOCMESH_DEV_MODE": "true",
                "DOCMESH_DEV_API_KEY": side.gateway_key,
                # No Redis for the gateway: the limiter is not what is measured here.
                "DOCMESH_REDIS_URL": "",
                "DOCMESH_RATE_LIMIT_RPS": "1000000",
                "DOCMESH_RATE_LIMIT_BURST": "1000000",
            },
        )
        side.gateway_url = f"http://127.0.0.1:{side.ports['gateway']}"
        await wait_http_ready(side.gateway_url)


async def measure(
    side: Side, concurrency: int, count: int, sessions: list[tuple[str, str]] | None = None
) -> Run:
    """A wave of first turns (they add their sessions to `sessions`), or of edits of `sessions`."""
    kind = "edit" if sessions else "first"
    await asyncio.sleep(0.3)  # the counters' files catch up with the previous wave
    counts_before = side.counts()
    own_before = own_cpu(await postgres_server(side.database_url))
    machine_before = machine_busy()
    cpu_before = {name: process_cpu(pid) for name, pid in side.pids.items()}
    latencies, errors, wall = await side.turns(count, concurrency, sessions)
    machine_after = machine_busy()
    cpu_after = {name: process_cpu(pid) for name, pid in side.pids.items()}
    own_after = own_cpu(await postgres_server(side.database_url))
    await asyncio.sleep(0.3)
    counts_after = side.counts()
    return Run(
        kind=kind,
        turns=len(latencies),
        errors=errors,
        wall=wall,
        latencies=latencies,
        machine=machine_after - machine_before,
        processes={name: cpu_after[name] - cpu_before[name] for name in side.pids},
        conversions={name: counts_after[name] - counts_before[name] for name in side.pids},
        own={name: own_after[name] - own_before.get(name, 0.0) for name in own_after},
    )


_POSTMASTERS: dict[str, int | None] = {}


async def postgres_server(database_url: str) -> int | None:
    """The pid of the PostgreSQL server (postmaster) holding this side's database, when it runs
    on this machine; None for SQLite or a remote server."""
    if not database_url.startswith("postgresql"):
        return None
    if database_url not in _POSTMASTERS:
        import asyncpg

        conn = await asyncpg.connect(database_url.replace("+asyncpg", ""))
        try:
            backend = int(await conn.fetchval("SELECT pg_backend_pid()"))
            # Its parent, read while it is connected (a closed connection's backend exits).
            _POSTMASTERS[database_url] = _stat(backend)[1]
        except OSError:
            _POSTMASTERS[database_url] = None
        finally:
            await conn.close()
    return _POSTMASTERS[database_url]


def _stat(pid: int) -> list[int]:
    """/proc/<pid>/stat's fields after the command name as numbers, the state as 0: [0, ppid, ...]."""
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return [0, *(int(f) for f in fields[1:])]


def postgres_cpu(postmaster: int) -> float:
    """CPU seconds of the whole PostgreSQL server so far: the postmaster, its live children
    (backends, WAL writer, checkpointer, autovacuum) and, through the postmaster's children
    times, every child that has exited (a pool's overflow connections close after a burst)."""
    fields = _stat(postmaster)
    total = sum(fields[11:15])  # utime, stime, cutime, cstime
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                child = _stat(int(entry.name))
            except (OSError, ValueError):
                continue
            if child[1] == postmaster:
                total += child[11] + child[12]
    return total / os.sysconf("SC_CLK_TCK")


@functools.cache
def redis_server_pid() -> int | None:
    """The local redis-server of the run's Redis URL (None when there is none on this machine)."""
    port = str(urlsplit(testenv.redis_url()).port or 6379)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if command.startswith("redis-server") and f":{port}" in command:
            return int(entry.name)
    return None


def own_cpu(postmaster: int | None) -> dict[str, float]:
    """CPU seconds so far of what serves a side's turns besides its mesh: the PostgreSQL server
    and the Redis server (the sides run one at a time; anything else using them counts too, so
    give the benchmark its own with DOCMESH_TEST_DATABASE_URL / DOCMESH_TEST_REDIS_URL on a
    shared machine) and this load generator."""
    redis = redis_server_pid()
    return {
        "postgres": postgres_cpu(postmaster) if postmaster is not None else 0.0,
        "redis": process_cpu(redis) if redis is not None else 0.0,
        "load": process_cpu(os.getpid()),
    }


def report_sides(sides: list[Side], concurrencies: list[int]) -> None:
    print(
        "  turns  concurrency  side              turns/s  machine CPU/turn  own CPU/turn  mesh CPU/turn"
        "  agent CPU/turn  p50 latency  errors"
    )
    for kind, concurrency in [(k, c) for k in ("first", "edit") for c in concurrencies]:
        # Each side's (turns/s, machine and own CPU per turn), for the ratios of the sides after it.
        bases: list[tuple[str, float, float, float]] = []
        for side in sides:
            runs = side.runs.get((kind, concurrency), [])
            if not runs:
                continue
            turns = sum(r.turns for r in runs) or 1
            rate = sum(r.turns for r in runs) / sum(r.wall for r in runs)
            machine = sum(r.machine for r in runs) / turns * 1000
            mesh = sum(sum(r.processes.values()) for r in runs) / turns * 1000
            own = mesh + sum(sum(r.own.values()) for r in runs) / turns * 1000
            agent = sum(r.processes["agent"] for r in runs) / turns * 1000
            p50 = percentile([x for r in runs for x in r.latencies], 0.5) * 1000
            errors = sum(r.errors for r in runs)
            ratio = "".join(
                f"   (vs {label.split()[-1]}: x{rate / base_rate:.2f} turns/s, x{machine / base_machine:.2f} machine"
                f" x{own / base_own:.2f} own CPU)"
                for label, base_rate, base_machine, base_own in bases
            )
            bases.append((side.label, rate, machine, own))
            print(
                f"  {kind:<5}  {concurrency:>11}  {side.label:<16}  {rate:7.1f}  {machine:13.2f} ms  {own:9.2f} ms"
                f"  {mesh:10.2f} ms  {agent:11.2f} ms  {p50:8.0f} ms  {errors:6}{ratio}"
            )
            print(
                "  "
                + " " * 38
                + "CPU/turn: "
                + ", ".join(
                    f"{name} {sum(r.processes[name] for r in runs) / turns * 1000:.2f} ms"
                    for name in side.pids
                )
                + ", "
                + ", ".join(
                    f"{name} {sum(r.own.get(name, 0.0) for r in runs) / turns * 1000:.2f} ms"
                    for name in ("postgres", "redis", "load")
                )
            )
            # Each run on its own: the spread shows how much the other load on the machine moved them.
            print(
                "  "
                + " " * 38
                + "runs: "
                + ", ".join(
                    f"{r.turns / r.wall:.1f}/s {r.machine / max(r.turns, 1) * 1000:.0f} ms" for r in runs
                )
            )
    print("  proto<->model conversions per turn (" + " / ".join(CONVERSIONS) + "):")
    for kind in ("first", "edit"):
        for side in sides:
            runs = [r for (k, _), rs in side.runs.items() if k == kind for r in rs]
            if not runs:
                continue
            turns = sum(r.turns for r in runs) or 1
            cells = []
            for name in side.pids:
                total: Counter[str] = Counter()
                for r in runs:
                    total.update(r.conversions.get(name, Counter()))
                cells.append(f"{name} " + "/".join(f"{total[c] / turns:.2f}" for c in CONVERSIONS))
            print(f"    {kind:<5}  {side.label:<16}  " + "   ".join(cells))


async def before_after(children: Processes, options: argparse.Namespace, base_url: str) -> None:
    concurrencies = sorted(options.ab_concurrency)
    with contextlib.ExitStack() as trees:
        sides = []
        for role, commit in [*(("before", c) for c in options.before), ("after", options.after)]:
            sha, folder = trees.enter_context(worktree(commit))
            sides.append(Side(label=f"{role} {sha}", folder=folder))
        async with contextlib.AsyncExitStack() as stores:
            for side in sides:
                store = await stores.enter_async_context(session_store())
                await start_side(children, side, store, base_url, options)
                # Warm-up: connections, caches, the first render, then a wave as large as the largest.
                await side.turns(8, 8)
                await side.turns(concurrencies[-1], concurrencies[-1])
            for round_number in range(options.ab_rounds):
                order = sides if round_number % 2 == 0 else sides[::-1]
                for concurrency in concurrencies:
                    for side in order:
                        count = concurrency * options.ab_waves
                        made: list[tuple[str, str]] = []
                        first = await measure(side, concurrency, count, made)
                        side.runs.setdefault(("first", concurrency), []).append(first)
                        if options.ab_edits and made:
                            edit = await measure(side, concurrency, len(made), made)
                            side.runs.setdefault(("edit", concurrency), []).append(edit)
            provider = (
                "the built-in provider"
                if options.ab_provider == "builtin"
                else f"the openai provider (LLM answers in {options.llm_delay:.1f} s)"
            )
            path = "POST /api/v1/chat through the gateway" if options.ab_gateway else "Chat over gRPC"
            print(
                f"\n3. Before/after: {path}, {provider}, {options.ab_waves} wave(s) per concurrency, "
                f"{options.ab_rounds} round(s), sides alternating; CPU in ms; machine = every core, "
                "PostgreSQL, Redis and other load included; own = mesh + the PostgreSQL server + "
                "the Redis server + this load generator (what serves the side's turns, without the "
                "machine's other load); mesh = agent + session + document"
                + (" + gateway" if options.ab_gateway else "")
            )
            report_sides(sides, concurrencies)


async def this_tree(
    children: Processes, options: argparse.Namespace, base_url: str, llm: subprocess.Popen[bytes]
) -> None:
    """Sections 1 and 2 on this checkout's code."""
    python = sys.executable
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
        cpu_bound = options.turns * machine_ms(before, after, options.turns) / 1000 / (os.cpu_count() or 1)
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


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=256)
    parser.add_argument("--llm-delay", type=float, default=1.0)
    parser.add_argument("--builtin-turns", type=int, default=300)
    parser.add_argument("--builtin-concurrency", type=int, default=16)
    parser.add_argument("--ab", action="store_true", help="also run 3. before/after")
    parser.add_argument("--ab-only", action="store_true", help="run only 3. before/after")
    parser.add_argument(
        "--before",
        nargs="+",
        default=["e29c26d"],
        help="the before commit(s): each is a side of its own, measured in turn with the after one",
    )
    parser.add_argument("--after", default="HEAD", help="the after commit")
    parser.add_argument("--ab-concurrency", type=int, nargs="+", default=[32, 256])
    parser.add_argument("--ab-waves", type=int, default=2, help="turns per measurement = concurrency x waves")
    parser.add_argument("--ab-rounds", type=int, default=2, help="measurements per side and concurrency")
    parser.add_argument(
        "--ab-edits",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="after each wave of first turns, a wave editing each of those sessions' documents",
    )
    parser.add_argument(
        "--ab-provider",
        choices=("openai", "builtin"),
        default="openai",
        help="the agents' provider in 3.: the scripted LLM, or the built-in one (no LLM wait)",
    )
    parser.add_argument(
        "--ab-gateway", action="store_true", help="3. sends the turns through each side's gateway (REST)"
    )
    options = parser.parse_args()
    python = sys.executable
    children = Processes()
    try:
        llm = children.start([python, "-m", "tests.agent.fake_llm", "--delay", str(options.llm_delay)], {})
        assert llm.stdout is not None
        llm_port = json.loads(llm.stdout.readline())["port"]
        base_url = f"http://127.0.0.1:{llm_port}/v1"
        print(f"docmesh agent benchmark: {os.cpu_count()} CPU(s), scripted LLM on :{llm_port}")

        if not options.ab_only:
            await this_tree(children, options, base_url, llm)
        if options.ab or options.ab_only:
            await before_after(children, options, base_url)
    finally:
        children.stop()


if __name__ == "__main__":
    if sys.argv[1:2] == ["--counted"]:
        serve_counted(sys.argv[2])
    else:
        asyncio.run(main())
