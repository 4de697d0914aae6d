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
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

if __name__ == "__main__" and sys.argv[1:2] == ["--counted"]:
    # A side's service (agent_sides.py), maybe of an older commit: run before the imports below,
    # whose docmesh_dev modules (ports, the launcher's waits) that commit's tree may not have.
    from counted_service import serve_counted

    serve_counted(sys.argv[2])
    sys.exit(0)

from agent_sides import before_after  # noqa: E402
from agent_turns import (  # noqa: E402
    ACME,
    Processes,
    grpc_turns,
    offer,
    provider_env,
    report,
    session_store,
    wait_serving,
)
from machine_cpu import CpuMeter, machine_ms  # noqa: E402

from docmesh_dev.ports import reserve_port  # noqa: E402


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


async def this_tree(
    children: Processes, options: argparse.Namespace, base_url: str, llm: subprocess.Popen[bytes]
) -> None:
    """Sections 1 and 2 on this checkout's code."""
    python = sys.executable
    await http_floor(base_url, options.turns, options.llm_delay)
    await llm_leg(base_url, options.turns, options.llm_delay)

    async with session_store() as store:
        with contextlib.ExitStack() as held:
            # Each port stays reserved until its process listens: nothing else is handed it meanwhile.
            ports = {
                name: held.enter_context(reserve_port()).port
                for name in ("session", "document", "agent_llm", "agent_builtin")
            }
            session = children.start(
                [python, "-m", "docmesh_session.main"],
                {**store, "DOCMESH_SESSION_PORT": str(ports["session"]), "DOCMESH_SESSION_METRICS_PORT": "0"},
            )
            document = children.start(
                [python, "-m", "docmesh_document.main"],
                {"DOCMESH_DOCUMENT_PORT": str(ports["document"]), "DOCMESH_DOCUMENT_METRICS_PORT": "0"},
            )
            await wait_serving(ports["session"], session)
            await wait_serving(ports["document"], document)
            upstreams = {
                "DOCMESH_SESSION_TARGET": f"127.0.0.1:{ports['session']}",
                "DOCMESH_DOCUMENT_TARGET": f"127.0.0.1:{ports['document']}",
                "DOCMESH_AGENT_METRICS_PORT": "0",
                "DOCMESH_UPSTREAM_TIMEOUT_SECONDS": "60",
            }
            agents = {
                name: children.start(
                    [python, "-m", "docmesh_agent.main"],
                    {**upstreams, "DOCMESH_AGENT_PORT": str(ports[name]), **provider_env(provider, base_url)},
                )
                for name, provider in (("agent_llm", "openai"), ("agent_builtin", "builtin"))
            }
            for name, child in agents.items():
                await wait_serving(ports[name], child)
        agent = agents["agent_llm"]

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
    asyncio.run(main())
