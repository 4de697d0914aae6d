"""Gateway benchmark: the same calls through the REST gateway and directly over gRPC, side by side.

Starts the real mesh with the launcher (session on PostgreSQL when reachable, else SQLite; document; agent with the built-in
provider, gateway; one process each), then for GET session, create session and a chat turn that
appends to a session (built-in provider) runs a closed loop at concurrency 32 and 128 over HTTP
through the gateway and over gRPC straight to the service, and prints req/s, p50 and p99.
It also prints the gateway's own time per request (its docmesh_gateway_overhead_seconds histogram:
request time minus the upstream call), which is what the gateway adds when the machine is not
saturated, the machine-wide CPU per request on both paths, and the same 32 clients again paced at
half the gateway's saturated rate (what the gateway adds when the cores are not the bottleneck).
Target: the gateway adds <= 1 ms at p50 at concurrency 32.

With --ab COMMIT it compares gateways instead: one session service (this checkout, PostgreSQL and
Redis) with two gateways in front of it, COMMIT's (from a temporary git worktree) and this
checkout's, measured in turn with wrk (GET of a session, then a create) for --rounds rounds in
alternating order. It prints each gateway's CPU ms per request (from /proc), req/s and p99: the
gateway's own cost, apart from how fast the session service behind it answers (through a whole
mesh a faster upstream also lowers the gateway's CPU per request: fewer wake-ups per request).

Run: .venv/bin/python bench/bench_gateway.py [--seconds 5] [--concurrency 32 128]
     .venv/bin/python bench/bench_gateway.py --ab COMMIT [--seconds 5] [--rounds 4] [--concurrency 32]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
import grpc
from bench_rest_hop import (
    POST_LUA,
    ensure_wrk,
    http_json,
    parse_wrk,
    tree_pythonpath,
    wait_http,
)
from common import closed_loop, postgres_database, postgres_reachable, worktree
from machine_cpu import machine_busy, process_cpu

from docmesh.agent.v1 import agent_service_pb2 as agent_pb
from docmesh.agent.v1 import agent_service_pb2_grpc
from docmesh.session.v1 import session_service_pb2 as session_pb
from docmesh.session.v1 import session_service_pb2_grpc
from docmesh_dev import launcher, testenv
from docmesh_dev.ports import reserve_port
from docmesh_gateway.auth import ApiKey, generate_key, hash_key, save_keys_file

REPO_ROOT = Path(__file__).resolve().parent.parent
OWNER = "bench"
FIRST_TURN = "Invoice Acme for 10 hours of consulting at $150, 8% tax, due in 30 days"
# Chat appends alternate an edit and its undo so documents stay the same size during a run.
EDIT_TURNS = ("add 1 hour of QA at $80", "undo")


async def metrics_text(http: aiohttp.ClientSession) -> str:
    async with http.get("/metrics") as reply:
        return await reply.text()


def overhead_quantiles(metrics: str, route: str) -> tuple[float, float]:
    """p50 and p99 (ms) of the gateway's own time for a route, interpolated from its histogram."""
    pattern = re.compile(
        r'docmesh_gateway_overhead_seconds_bucket\{le="([^"]+)",route="' + re.escape(route) + r'"\} (\S+)'
    )
    buckets = sorted(
        ((float("inf") if le == "+Inf" else float(le)), float(count))
        for le, count in pattern.findall(metrics)
    )
    if not buckets or buckets[-1][1] == 0:
        return float("nan"), float("nan")
    total = buckets[-1][1]

    def quantile(q: float) -> float:
        target = q * total
        lower_bound, lower_count = 0.0, 0.0
        for bound, count in buckets:
            if count >= target:
                if bound == float("inf"):
                    return lower_bound * 1000
                share = (target - lower_count) / max(count - lower_count, 1e-9)
                return (lower_bound + (bound - lower_bound) * share) * 1000
            lower_bound, lower_count = bound, count
        return lower_bound * 1000

    return quantile(0.5), quantile(0.99)


def diff_histogram(before: str, after: str) -> str:
    """The histogram lines of `after` minus `before` (the scenario's own observations)."""
    line = re.compile(r"^(docmesh_gateway_overhead_seconds_bucket\{.*\}) (\S+)$", re.M)
    old = dict(line.findall(before))
    lines = []
    for key, value in line.findall(after):
        lines.append(f"{key} {float(value) - float(old.get(key, 0))}")
    return "\n".join(lines)


@contextlib.asynccontextmanager
async def session_database() -> AsyncIterator[dict[str, str]]:
    """A PostgreSQL database of this run when PostgreSQL is reachable (as deployed), else SQLite.

    No Redis: DOCMESH_REDIS_URL would also move the gateway's rate limiter to Redis, and this
    benchmark measures the gateway's own cost.
    """
    if postgres_reachable():
        print("session store: PostgreSQL")
        async with postgres_database("docmesh_bench_gw") as url:
            yield {"DOCMESH_DATABASE_URL": url, "DOCMESH_AUTO_MIGRATE": "true", "DOCMESH_DB_POOL_SIZE": "20"}
        return
    print("session store: SQLite (PostgreSQL not reachable)")
    yield {}


async def run(seconds: float, warmup: float, concurrencies: list[int]) -> None:
    async with session_database() as database:
        await run_with(seconds, warmup, concurrencies, database)


async def run_with(seconds: float, warmup: float, concurrencies: list[int], database: dict[str, str]) -> None:
    root = Path(tempfile.mkdtemp(prefix="docmesh-bench-gw-"))
    env = launcher.base_environment(root)
    env.pop("DOCMESH_REDIS_URL", None)
    env.update(database)
    env.update(
        {
            "DOCMESH_LOG_LEVEL": "WARNING",
            "DOCMESH_LLM_PROVIDER": "builtin",
            "DOCMESH_RATE_LIMIT_RPS": "1000000",
            "DOCMESH_RATE_LIMIT_BURST": "1000000",
            "DOCMESH_SESSION_SWEEP_INTERVAL_SECONDS": "0",
        }
    )
    mesh = launcher.plan(1, free_ports=True)
    launcher.start_mesh(mesh, env)
    assert mesh.gateway is not None
    gateway_pid = mesh.gateway.pid
    key = env["DOCMESH_DEV_API_KEY"]
    owner = env.get("DOCMESH_DEV_OWNER_ID", "dev")
    metadata = (("x-owner-id", owner),)
    base = f"http://127.0.0.1:{mesh.gateway_port}"
    try:
        # aiohttp as the load generator: it costs the client a fraction of the CPU httpx does per
        # request, and on 2 shared cores the client's CPU is taken from the gateway and services.
        connector = aiohttp.TCPConnector(limit=max(concurrencies), force_close=False)
        async with (
            aiohttp.ClientSession(
                base_url=base,
                headers={"X-API-Key": key},
                connector=connector,
                timeout=aiohttp.ClientTimeout(total=60),
            ) as http,
            grpc.aio.insecure_channel(mesh.target("session")) as session_channel,
            grpc.aio.insecure_channel(mesh.target("agent")) as agent_channel,
        ):
            sessions = session_service_pb2_grpc.SessionServiceStub(session_channel)
            agent = agent_service_pb2_grpc.AgentServiceStub(agent_channel)

            # A session with a document for GET, and a pool of sessions for chat turns.
            created = await sessions.CreateSession(
                session_pb.CreateSessionRequest(session=session_pb.Session(title="bench")), metadata=metadata
            )
            session_id = created.session.id

            async def new_chat_session() -> str:
                reply = await agent.Chat(
                    agent_pb.ChatRequest(message=FIRST_TURN), metadata=metadata, timeout=60
                )
                return reply.session_id

            async def http_get(worker: int) -> bool:
                async with http.get(f"/api/v1/sessions/{session_id}") as reply:
                    await reply.read()
                    return reply.status == 200

            async def grpc_get(_: int) -> bool:
                await sessions.GetSession(
                    session_pb.GetSessionRequest(session_id=session_id), metadata=metadata
                )
                return True

            async def http_create(worker: int) -> bool:
                async with http.post("/api/v1/sessions", json={"title": "bench"}) as reply:
                    await reply.read()
                    return reply.status == 200

            async def grpc_create(_: int) -> bool:
                await sessions.CreateSession(
                    session_pb.CreateSessionRequest(session=session_pb.Session(title="bench")),
                    metadata=metadata,
                )
                return True

            scenarios: list[
                tuple[str, str, Callable[[int], Awaitable[bool]], Callable[[int], Awaitable[bool]]]
            ] = [
                ("GET session", "/api/v1/sessions/{session_id}", http_get, grpc_get),
                ("create session", "/api/v1/sessions", http_create, grpc_create),
            ]
            print(
                f"gateway benchmark: {os.cpu_count()} cores, {seconds:.0f}s per run after {warmup:.0f}s warm-up"
            )
            print("every process (load generator, gateway, session, document, agent) shares these cores\n")
            header = (
                f"{'call':<16}{'conc':>5}  {'gateway req/s':>13}{'p50 ms':>9}{'p99 ms':>9}   "
                f"{'gRPC req/s':>10}{'p50 ms':>9}{'p99 ms':>9}   {'+p50 ms':>8}   "
                f"{'gw own p50':>10}{'gw own p99':>11}{'gw CPU/req':>12}"
                f"{'all CPU/req':>12}{'direct':>8}{'floor +ms':>10}"
            )
            print(header)
            print("-" * len(header))
            # Rows run again at half the saturated rate, same clients: what the gateway adds when
            # the cores are not the bottleneck.
            paced: list[
                tuple[str, Callable[[int], Awaitable[bool]], Callable[[int], Awaitable[bool]], float]
            ] = []
            for concurrency in concurrencies:
                # Each chat worker appends to a session of its own: a second turn on a session
                # while one is running is ABORTED by design, and we measure appends, not conflicts.
                # Sessions grow with every turn, so each path gets fresh sessions of its own.
                http_pool = ChatPool([await new_chat_session() for _ in range(concurrency)])
                grpc_pool = ChatPool([await new_chat_session() for _ in range(concurrency)])
                chat_rows = [
                    (
                        "chat append",
                        "/api/v1/chat",
                        http_pool.via_http(http),
                        grpc_pool.via_grpc(agent, metadata),
                    )
                ]
                for name, route, via_http, via_grpc in scenarios + chat_rows:
                    before = await metrics_text(http)
                    cpu_before, machine_before = process_cpu(gateway_pid), machine_busy()
                    through = await closed_loop(name, via_http, concurrency, seconds, warmup)
                    cpu_per_request = (process_cpu(gateway_pid) - cpu_before) / max(1, through.calls) * 1000
                    machine_via_gateway = (machine_busy() - machine_before) / max(1, through.calls) * 1000
                    after = await metrics_text(http)
                    machine_before = machine_busy()
                    direct = await closed_loop(name, safe(via_grpc), concurrency, seconds, warmup)
                    machine_direct = (machine_busy() - machine_before) / max(1, direct.calls) * 1000
                    # Little's law on saturated cores: the extra CPU per request, times the requests
                    # in flight, shared by the cores, is latency no gateway code can hide.
                    floor = concurrency * (machine_via_gateway - machine_direct) / (os.cpu_count() or 1)
                    own50, own99 = overhead_quantiles(diff_histogram(before, after), route)
                    added = through.quantile(0.5) - direct.quantile(0.5)
                    print(
                        f"{name:<16}{concurrency:>5}  {through.rps:>13.0f}{through.quantile(0.5):>9.2f}"
                        f"{through.quantile(0.99):>9.2f}   {direct.rps:>10.0f}{direct.quantile(0.5):>9.2f}"
                        f"{direct.quantile(0.99):>9.2f}   {added:>8.2f}   {own50:>10.3f}{own99:>11.3f}"
                        f"{cpu_per_request:>12.2f}{machine_via_gateway:>12.2f}{machine_direct:>8.2f}{floor:>10.2f}"
                        + (
                            f"   errors: {through.errors} via gateway, {direct.errors} direct"
                            if through.errors or direct.errors
                            else ""
                        )
                    )
                    sys.stdout.flush()
                    if concurrency == min(concurrencies):
                        paced.append((name, via_http, via_grpc, through.rps / 2))
            for name, via_http, via_grpc, rate in paced:
                through = await closed_loop(name, via_http, min(concurrencies), seconds, warmup, rate)
                direct = await closed_loop(name, safe(via_grpc), min(concurrencies), seconds, warmup, rate)
                print(
                    f"{name + ' (paced)':<21}{through.rps:>13.0f}{through.quantile(0.5):>9.2f}"
                    f"{through.quantile(0.99):>9.2f}   {direct.rps:>10.0f}{direct.quantile(0.5):>9.2f}"
                    f"{direct.quantile(0.99):>9.2f}   {through.quantile(0.5) - direct.quantile(0.5):>8.2f}"
                )
            print(
                "\n+p50 ms: gateway p50 minus direct gRPC p50 (includes the HTTP client's cost and queueing "
                "behind the shared cores).\ngw own: time inside the gateway per request besides the upstream call "
                "(docmesh_gateway_overhead_seconds). Target: <= 1 ms at p50 at concurrency 32.\n"
                "gw CPU/req: CPU ms the gateway process used per request (HTTP, transcoding and its gRPC client).\n"
                "all CPU/req, direct: CPU ms the whole machine used per request via the gateway and direct.\n"
                "floor +ms: concurrency x (all - direct) / cores, the added p50 that extra CPU forces once the "
                "cores are saturated.\n"
                "(paced): the same clients at half the gateway's saturated rate, both paths at that rate."
            )
            own = [overhead_quantiles(await metrics_text(http), route)[0] for _, route, _, _ in scenarios]
            print(
                f"gateway own p50 over the whole run: {statistics.mean(own):.3f} ms (mean over unary scenarios)"
            )
    finally:
        launcher.stop_mesh(mesh)


class ChatPool:
    """One session per worker for chat turns, alternating an edit and its undo."""

    def __init__(self, sessions: list[str]) -> None:
        self.sessions = sessions
        self.turns = [0] * len(sessions)

    def next_turn(self, worker: int) -> tuple[str, str]:
        self.turns[worker] += 1
        return self.sessions[worker], EDIT_TURNS[(self.turns[worker] - 1) % 2]

    def via_http(self, http: aiohttp.ClientSession) -> Callable[[int], Awaitable[bool]]:
        async def call(worker: int) -> bool:
            sid, text = self.next_turn(worker)
            body = {"session_id": sid, "message": text, "idempotency_key": uuid.uuid4().hex}
            async with http.post("/api/v1/chat", json=body) as reply:
                await reply.read()
                return reply.status == 200

        return call

    def via_grpc(self, agent: Any, metadata: Any) -> Callable[[int], Awaitable[bool]]:
        async def call(worker: int) -> bool:
            sid, text = self.next_turn(worker)
            request = agent_pb.ChatRequest(session_id=sid, message=text, idempotency_key=uuid.uuid4().hex)
            await agent.Chat(request, metadata=metadata, timeout=60)
            return True

        return call


def safe(call: Callable[[int], Awaitable[bool]]) -> Callable[[int], Awaitable[bool]]:
    async def wrapped(i: int) -> bool:
        try:
            return await call(i)
        except grpc.aio.AioRpcError:
            return False

    return wrapped


async def run_ab(commit: str, seconds: float, rounds: int, concurrency: int) -> None:
    """Two gateways (COMMIT's and this checkout's) in front of one session service; see --ab."""
    async with postgres_database("docmesh_bench_gw_ab") as database_url:
        await asyncio.to_thread(ab_rounds, database_url, commit, seconds, rounds, concurrency)


def ab_rounds(database_url: str, commit: str, seconds: float, rounds: int, concurrency: int) -> None:
    wrk = ensure_wrk()
    work = Path(tempfile.mkdtemp(prefix="docmesh-gw-ab-"))
    key = generate_key()
    save_keys_file(work / "keys.json", [ApiKey(hash_key(key), OWNER)])
    lua = work / "post.lua"
    lua.write_text(POST_LUA)
    tag = uuid.uuid4().hex[:6]
    env = launcher.base_environment(work)
    env.update(
        {
            "DOCMESH_DATABASE_URL": database_url,
            "DOCMESH_AUTO_MIGRATE": "true",
            "DOCMESH_REDIS_URL": testenv.redis_url(),
            "DOCMESH_REDIS_NAMESPACE": f"gw-ab-{tag}",
            "DOCMESH_RATE_LIMIT_RPS": "1000000",
            "DOCMESH_RATE_LIMIT_BURST": "1000000",
            "DOCMESH_API_KEYS_FILE": str(work / "keys.json"),
            "DOCMESH_DEV_MODE": "false",
            "DOCMESH_LOG_LEVEL": "INFO",  # as deployed
            "DOCMESH_SESSION_SWEEP_INTERVAL_SECONDS": "0",
        }
    )
    env.pop("DOCMESH_DEV_API_KEY", None)
    scripts = Path(sys.executable).parent
    # Held until this function returns: nothing else is handed the ports before the children bind.
    held = [reserve_port(), reserve_port()]
    port, metrics_port = held[0].port, held[1].port
    processes: list[subprocess.Popen[bytes]] = []
    samples: dict[tuple[str, str], list[tuple[float, float, float]]] = {}
    with worktree(commit, "docmesh-gateway") as (sha, tree), open(work / "processes.log", "wb") as log:

        def start(script: str, extra: dict[str, str]) -> subprocess.Popen[bytes]:
            process = subprocess.Popen(
                [str(scripts / script)], env={**env, **extra}, stdout=log, stderr=log, start_new_session=True
            )
            processes.append(process)
            return process

        try:
            session = start(
                "docmesh-session",
                {"DOCMESH_SESSION_PORT": str(port), "DOCMESH_SESSION_METRICS_PORT": str(metrics_port)},
            )
            launcher._wait_grpc_serving(port, session, time.monotonic() + 60)
            gateways: dict[str, tuple[str, int]] = {}
            for label, pythonpath in ((sha, tree_pythonpath(tree)), ("HEAD", "")):
                held.append(reserve_port())
                http_port = held[-1].port
                extra = {
                    "DOCMESH_SESSION_TARGET": f"127.0.0.1:{port}",
                    "DOCMESH_GATEWAY_PORT": str(http_port),
                    "DOCMESH_RATE_LIMIT_KEY_PREFIX": f"gw-ab-{tag}-{label}:ratelimit:",
                }
                if pythonpath:
                    extra["PYTHONPATH"] = pythonpath
                gateway = start("docmesh-gateway", extra)
                wait_http(f"http://127.0.0.1:{http_port}/healthz", gateway)
                gateways[label] = (f"http://127.0.0.1:{http_port}", gateway.pid)
            created = http_json("POST", gateways["HEAD"][0] + "/api/v1/sessions", key, {"title": "bench"})
            session_id = str(created["session"]["id"])  # type: ignore[index]
            for round_number in range(rounds):
                order = list(gateways) if round_number % 2 == 0 else list(reversed(gateways))
                for call in ("get", "create"):
                    for label in order:
                        url, pid = gateways[label]
                        args = [wrk, "-t2", f"-c{concurrency}", f"-d{max(1, round(seconds))}s", "--latency"]
                        args += ["-H", f"X-API-Key: {key}", *(["-s", str(lua)] if call == "create" else [])]
                        target = url + "/api/v1/sessions" + (f"/{session_id}" if call == "get" else "")
                        before = process_cpu(pid)
                        done = subprocess.run([*args, target], capture_output=True, text=True)
                        cpu = process_cpu(pid) - before
                        requests, errors, wall, _, p99 = parse_wrk(done.stdout)
                        samples.setdefault((call, label), []).append(
                            (cpu / max(1, requests) * 1000, (requests - errors) / wall, p99)
                        )
                print(f"round {round_number + 1} done", flush=True)
        finally:
            for process in processes:
                with contextlib.suppress(ProcessLookupError):
                    process.terminate()
            for process in processes:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(15)
    print(f"\ngateways in front of one session service, wrk -c{concurrency}, medians of {rounds} rounds")
    print(f"{'call':<8}{'gateway':<10}{'CPU ms/req':>11}{'ok/s':>8}{'p99 ms':>9}   CPU ms/req per round")
    for call in ("get", "create"):
        for label in gateways:
            rows = samples[(call, label)]
            print(
                f"{call:<8}{label:<10}{statistics.median(r[0] for r in rows):>11.3f}"
                f"{statistics.median(r[1] for r in rows):>8.0f}{statistics.median(r[2] for r in rows):>9.2f}"
                f"   {' '.join(f'{r[0]:.3f}' for r in rows)}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("BENCH_SECONDS", 4)))
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[32, 128])
    parser.add_argument("--ab", metavar="COMMIT", default="", help="compare this gateway with COMMIT's")
    parser.add_argument("--rounds", type=int, default=4, help="with --ab: rounds, alternating the order")
    args = parser.parse_args()
    started = time.monotonic()
    if args.ab:
        asyncio.run(run_ab(args.ab, args.seconds, args.rounds, args.concurrency[0]))
    else:
        asyncio.run(run(args.seconds, args.warmup, args.concurrency))
    print(f"(bench took {time.monotonic() - started:.0f}s)")


if __name__ == "__main__":
    main()
