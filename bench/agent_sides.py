"""Section 3 of the agent benchmark (bench_agent.py --ab): commits' meshes side by side. Each commit
is checked out into a temporary git worktree and run as its own session + document + agent (+
gateway) processes, each under `bench_agent.py --counted` (counted_service.py); the sides are
measured alternately, and this reports their turns per second, CPU per turn (the machine's, the
side's own, each process's) and proto<->model conversions per turn.

(Not named bench_*.py: `make bench` runs those.)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import json
import os
import subprocess
import sys
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from agent_turns import (
    Processes,
    gateway_turns,
    grpc_turns,
    percentile,
    provider_env,
    session_store,
    wait_http_ready,
    wait_serving,
)
from common import REPO_ROOT, worktree
from machine_cpu import machine_busy, parent_pid, process_cpu, server_cpu

from docmesh_dev import testenv
from docmesh_dev.ports import reserve_port

# The services run under this entry point's --counted (their conversions counted).
BENCH_AGENT = str(Path(__file__).resolve().with_name("bench_agent.py"))

MESH = ("agent", "session", "document")
CONVERSIONS = ("invoice to_proto", "invoice from_proto", "totals to_proto", "json_format")


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
            [
                *(str(p) for p in packages),
                str(self.folder / "gateway"),
                str(self.folder / "dev"),
                str(REPO_ROOT),
            ]
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


async def start_side(
    children: Processes, side: Side, store: dict[str, str], base_url: str, options: argparse.Namespace
) -> None:
    python = sys.executable
    with contextlib.ExitStack() as held:
        # Each port stays reserved until its process listens: nothing else is handed it meanwhile.
        side.ports = {name: held.enter_context(reserve_port()).port for name in (*MESH, "gateway")}
        side.database_url = store["DOCMESH_DATABASE_URL"]

        def start(name: str, module: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
            side.count_files[name] = side.folder.parent / f"{name}.counts.json"
            child = children.start(
                [python, BENCH_AGENT, "--counted", module],
                {**env, "PYTHONPATH": side.pythonpath, "DOCMESH_BENCH_COUNTS": str(side.count_files[name])},
            )
            side.pids[name] = child.pid
            return child

        session = start(
            "session",
            "docmesh_session.main",
            {
                **store,
                "DOCMESH_SESSION_PORT": str(side.ports["session"]),
                "DOCMESH_SESSION_METRICS_PORT": "0",
            },
        )
        document = start(
            "document",
            "docmesh_document.main",
            {"DOCMESH_DOCUMENT_PORT": str(side.ports["document"]), "DOCMESH_DOCUMENT_METRICS_PORT": "0"},
        )
        await wait_serving(side.ports["session"], session)
        await wait_serving(side.ports["document"], document)
        agent = start(
            "agent",
            "docmesh_agent.main",
            {
                "DOCMESH_SESSION_TARGET": f"127.0.0.1:{side.ports['session']}",
                "DOCMESH_DOCUMENT_TARGET": f"127.0.0.1:{side.ports['document']}",
                "DOCMESH_AGENT_PORT": str(side.ports["agent"]),
                "DOCMESH_AGENT_METRICS_PORT": "0",
                "DOCMESH_UPSTREAM_TIMEOUT_SECONDS": "60",
                **provider_env(options.ab_provider, base_url),
            },
        )
        await wait_serving(side.ports["agent"], agent)
        if options.ab_gateway:
            side.gateway_key = "dev-bench-" + uuid.uuid4().hex
            gateway = start(
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
            await wait_http_ready(side.ports["gateway"], gateway)


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
            _POSTMASTERS[database_url] = parent_pid(backend)
        except OSError:
            _POSTMASTERS[database_url] = None
        finally:
            await conn.close()
    return _POSTMASTERS[database_url]


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
        # Its title is "<binary> <host>:<port>"; a server started by its full path has the path.
        words = command.split()
        if words and Path(words[0]).name == "redis-server" and any(w.endswith(f":{port}") for w in words[1:]):
            return int(entry.name)
    return None


def own_cpu(postmaster: int | None) -> dict[str, float]:
    """CPU seconds so far of what serves a side's turns besides its mesh: the PostgreSQL server
    and the Redis server (the sides run one at a time; anything else using them counts too, so
    give the benchmark its own with DOCMESH_TEST_DATABASE_URL / DOCMESH_TEST_REDIS_URL on a
    shared machine) and this load generator."""
    redis = redis_server_pid()
    return {
        "postgres": server_cpu(postmaster) if postmaster is not None else 0.0,
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
            sha, folder = trees.enter_context(worktree(commit, "docmesh-bench"))
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
