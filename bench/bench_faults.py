"""Availability under ordinary faults (printed table), loopback only, bounded in count and time.

Each scenario runs a bounded load (acknowledged writes or rate-limit checks, `--rate` calls per
second, for the fault plus a few seconds) against real processes of its own, injects one fault, and reports:
client errors, seconds of errors after the fault ended, acknowledged writes lost and
duplicated, and the p99 latency during the fault.

Scenarios (select with --only):
  pg-restart       the session service while its PostgreSQL (its own) does `pg_ctl restart -m fast`
  pg-stop          ... while its PostgreSQL is stopped for 10 s
  redis-kill       the gateway's rate limiter while its Redis (its own) is killed
  redis-hang       ... while its Redis is frozen (SIGSTOP) for 10 s
  llm-500          the whole mesh (launcher, 1 replica, SQLite) while its LLM endpoint (a scripted
                   one in this process) answers 500 for 20 s
  llm-hang         ... while the endpoint accepts and never answers, for 20 s
  replica-kill     the mesh with 2 replicas: kill -9 of one replica of each backend, 1 s apart
  rolling-sigterm  the mesh with 1 replica: a rolling restart (SIGTERM, drain) of every backend

The mesh scenarios run reads and exports of one session (3 workers) and turns to another (1
worker, each turn's text unique), every call after the previous one with a short pause: a
bounded load whatever --rate says. Their writes are the acknowledged turns, looked up in the
stored conversation afterwards. "errors" counts the calls that need no LLM, "llm errors" the turns.

Targets: errors end within 2 s of the fault's end; during an LLM outage only LLM-bound calls
fail (0 errors); 0 errors of any kind during a rolling restart, 0 read/export errors when a
replica is killed (a turn in flight on the killed agent may fail: no client retries a turn);
0 lost, 0 duplicated.

Usage: .venv/bin/python bench/bench_faults.py [--only pg-restart rolling-sigterm] [--rate 40]
(about 1 min for the four store scenarios, about 3 more for the mesh ones)
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))  # for tests.faults.servers (the stores a fault test owns)

from docmesh.session.v1 import session_service_pb2 as pb  # noqa: E402
from docmesh.session.v1 import session_service_pb2_grpc  # noqa: E402
from docmesh_common.clients import Upstream  # noqa: E402
from docmesh_common.errors import DomainError  # noqa: E402
from docmesh_common.settings import ServiceSettings  # noqa: E402
from docmesh_gateway.ratelimit import RedisRateLimiter  # noqa: E402
from docmesh_session.server import create_server  # noqa: E402
from docmesh_session.settings import SessionSettings  # noqa: E402
from tests.agent.conftest import ANSWER  # noqa: E402
from tests.agent.fake_llm import FakeLLM, error, ok  # noqa: E402
from tests.faults.mesh import Load as MeshLoad  # noqa: E402
from tests.faults.mesh import Mesh, own_mesh  # noqa: E402
from tests.faults.servers import OwnPostgres, OwnRedis, own_postgres, own_redis  # noqa: E402

TARGET_RECOVERY_SECONDS = 2.0
LLM_OUTAGE_SECONDS = 20.0
# The agent's LLM settings in the mesh scenarios: a short request time-out keeps a hung
# endpoint's turns (and the run) bounded.
LLM_SETTINGS = {
    "DOCMESH_LLM_PROVIDER": "openai",
    "DOCMESH_LLM_API_KEY": "sk-bench-not-a-secret",
    "DOCMESH_LLM_MODEL": "bench-model",
    "DOCMESH_LLM_MAX_RETRIES": "1",
    "DOCMESH_LLM_BACKOFF_BASE_SECONDS": "0.05",
    "DOCMESH_LLM_BACKOFF_CAP_SECONDS": "0.2",
    "DOCMESH_LLM_TIMEOUT_SECONDS": "5",
}


@dataclass
class Result:
    scenario: str
    calls: int = 0
    errors: int = 0  # of calls that need no LLM (all calls in the store scenarios)
    llm_errors: int = 0  # of LLM-bound calls (turns)
    # What the target demands besides recovery, 0 lost and 0 duplicated.
    zero_errors: bool = False
    zero_llm_errors: bool = False
    error_seconds_after: float = 0.0
    lost: int = 0
    duplicated: int = 0
    latencies_during: list[float] = field(default_factory=list)

    @property
    def met(self) -> bool:
        return (
            self.error_seconds_after <= TARGET_RECOVERY_SECONDS
            and self.lost == 0
            and self.duplicated == 0
            and not (self.zero_errors and self.errors)
            and not (self.zero_llm_errors and self.llm_errors)
        )

    @property
    def p99_ms(self) -> float:
        if len(self.latencies_during) < 2:
            return 0.0
        return statistics.quantiles(self.latencies_during, n=100)[98] * 1000


@dataclass
class Load:
    """Calls at a fixed rate; what each saw and when."""

    seen: list[tuple[float, float, bool]] = field(default_factory=list)  # (start, seconds, ok)

    async def run(self, call: Callable[[], Awaitable[bool]], rate: float, stop: asyncio.Event) -> None:
        pending: set[asyncio.Task[None]] = set()

        async def one() -> None:
            started = time.monotonic()
            ok = await call()
            self.seen.append((started, time.monotonic() - started, ok))

        while not stop.is_set():
            task = asyncio.create_task(one())
            pending.add(task)
            task.add_done_callback(pending.discard)
            await asyncio.sleep(1 / rate)
        await asyncio.gather(*pending)

    def summarise(self, result: Result, fault_start: float, fault_end: float) -> None:
        result.calls = len(self.seen)
        result.errors = sum(1 for _, _, ok in self.seen if not ok)
        last_error = max((s for s, _, ok in self.seen if not ok), default=fault_end)
        result.error_seconds_after = max(0.0, last_error - fault_end)
        result.latencies_during = [d for s, d, _ in self.seen if fault_start <= s <= fault_end]


async def _session_scenario(
    name: str, fault: Callable[[OwnPostgres], None], rate: float, settle: float
) -> Result:
    result = Result(name)
    owner = (("x-owner-id", f"bench-{uuid.uuid4().hex[:8]}"),)
    with own_postgres() as database:
        settings = SessionSettings(
            DOCMESH_SESSION_PORT=0,
            DOCMESH_SESSION_METRICS_PORT=0,
            DOCMESH_DATABASE_URL=database.url,
            DOCMESH_AUTO_MIGRATE=True,
            DOCMESH_SESSION_SWEEP_INTERVAL_SECONDS=0,
            DOCMESH_LOG_LEVEL="ERROR",
        )
        server, port = await create_server(settings)
        await server.start()
        client = Upstream(
            "session", f"127.0.0.1:{port}", session_service_pb2_grpc.SessionServiceStub, ServiceSettings()
        )
        acknowledged: list[str] = []

        async def write() -> bool:
            # A create is acknowledged when its reply arrives; every one must be found afterwards, once.
            title = f"bench-{uuid.uuid4().hex}"
            try:
                await client.call(
                    client.stub.CreateSession,
                    pb.CreateSessionRequest(session=pb.Session(title=title)),
                    metadata=owner,
                    timeout=3.0,
                )
            except DomainError:
                return False
            acknowledged.append(title)
            return True

        try:
            load = Load()
            stop = asyncio.Event()
            runner = asyncio.create_task(load.run(write, rate, stop))
            await asyncio.sleep(1.0)
            fault_start = time.monotonic()
            await asyncio.to_thread(fault, database)
            fault_end = time.monotonic()
            await asyncio.sleep(settle)
            stop.set()
            await runner
            load.summarise(result, fault_start, fault_end)
            titles: list[str] = []
            token = ""
            while True:
                page = await client.call(
                    client.stub.ListSessions,
                    pb.ListSessionsRequest(page_size=100, page_token=token),
                    metadata=owner,
                )
                titles += [s.title for s in page.sessions]
                token = page.next_page_token
                if not token:
                    break
            result.lost = len(set(acknowledged) - set(titles))
            result.duplicated = len(titles) - len(set(titles))
        finally:
            await client.close()
            await server.stop(0.2)
    return result


async def _redis_scenario(name: str, fault: Callable[[OwnRedis], None], rate: float, settle: float) -> Result:
    result = Result(name)
    with (
        tempfile.TemporaryDirectory(prefix="bench-faults-redis-") as workdir,
        own_redis(Path(workdir)) as redis,
    ):
        limiter = RedisRateLimiter(redis.url, rate=10_000.0, burst=10_000, prefix="bench:")

        async def acquire() -> bool:
            try:
                return (await limiter.acquire("k")).allowed
            except Exception:
                return False

        try:
            load = Load()
            stop = asyncio.Event()
            runner = asyncio.create_task(load.run(acquire, rate, stop))
            await asyncio.sleep(1.0)
            fault_start = time.monotonic()
            await asyncio.to_thread(fault, redis)
            fault_end = time.monotonic()
            await asyncio.sleep(settle)
            stop.set()
            await runner
            load.summarise(result, fault_start, fault_end)
        finally:
            redis.thaw()
            await limiter.close()
    return result


def _pg_stop(database: OwnPostgres) -> None:
    database.stop()
    time.sleep(10)
    database.start()


def _redis_hang(redis: OwnRedis) -> None:
    redis.freeze()
    time.sleep(10)
    redis.thaw()


def _mesh_run(
    result: Result, llm_url: str, replicas: int, fault: Callable[[Mesh], None], settle: float
) -> Result:
    """One mesh scenario, blocking (run in a thread: the scripted LLM lives on the event loop)."""
    with (
        tempfile.TemporaryDirectory(prefix="bench-faults-mesh-") as workdir,
        own_mesh(Path(workdir), replicas, DOCMESH_LLM_BASE_URL=llm_url, **LLM_SETTINGS) as mesh,
    ):
        read, talk = mesh.drafted_session(), mesh.drafted_session()
        with MeshLoad.reads_and_exports(mesh, read, turn_session=talk) as load:
            time.sleep(1.0)
            fault_start = time.monotonic()
            fault(mesh)
            fault_end = time.monotonic()
            time.sleep(settle)
        result.calls = len(load.calls)
        result.errors = sum(1 for c in load.calls if not c.ok and not c.llm_bound)
        result.llm_errors = sum(1 for c in load.calls if not c.ok and c.llm_bound)
        last_error = max((c.started for c in load.calls if not c.ok), default=fault_end)
        result.error_seconds_after = max(0.0, last_error - fault_end)
        result.latencies_during = [
            c.seconds for c in load.calls if fault_start <= c.started <= fault_end and not c.llm_bound
        ]
        result.lost, result.duplicated = load.lost_and_duplicated_turns()
    return result


async def _mesh_scenario(
    result: Result, replicas: int, fault: Callable[[Mesh, FakeLLM], None], settle: float = 4.0
) -> Result:
    async with FakeLLM(default=ok(ANSWER)) as llm:
        return await asyncio.to_thread(
            _mesh_run, result, llm.base_url, replicas, lambda m: fault(m, llm), settle
        )


def _llm_500(_: Mesh, llm: FakeLLM) -> None:
    llm.default = error(500)
    time.sleep(LLM_OUTAGE_SECONDS)
    llm.default = ok(ANSWER)


def _llm_hang(_: Mesh, llm: FakeLLM) -> None:
    # Requests that arrive meanwhile never get an answer: the agent's time-out ends them.
    llm.default = dataclasses.replace(ok(ANSWER), delay=3600.0)
    time.sleep(LLM_OUTAGE_SECONDS)
    llm.default = ok(ANSWER)


def _replica_kill(mesh: Mesh, _: FakeLLM) -> None:
    for service in ("session", "document", "agent"):
        mesh.kill(service)
        time.sleep(1.0)


def _rolling_sigterm(mesh: Mesh, _: FakeLLM) -> None:
    for service in ("document", "session", "agent"):
        mesh.restart(service)


SCENARIOS: dict[str, Callable[[float], Awaitable[Result]]] = {
    "pg-restart": lambda rate: _session_scenario("pg-restart", lambda db: db.restart(), rate, 4.0),
    "pg-stop": lambda rate: _session_scenario("pg-stop", _pg_stop, rate, 4.0),
    "redis-kill": lambda rate: _redis_scenario("redis-kill", lambda r: r.kill(), rate, 3.0),
    "redis-hang": lambda rate: _redis_scenario("redis-hang", _redis_hang, rate, 3.0),
    "llm-500": lambda _: _mesh_scenario(Result("llm-500", zero_errors=True), 1, _llm_500),
    "llm-hang": lambda _: _mesh_scenario(Result("llm-hang", zero_errors=True), 1, _llm_hang, settle=8.0),
    "replica-kill": lambda _: _mesh_scenario(Result("replica-kill", zero_errors=True), 2, _replica_kill),
    "rolling-sigterm": lambda _: _mesh_scenario(
        Result("rolling-sigterm", zero_errors=True, zero_llm_errors=True), 1, _rolling_sigterm
    ),
}


TARGETS = (
    "targets: errors end within 2 s of the fault's end (err s after <= 2); 0 lost, 0 dup;\n"
    "  llm-500/llm-hang/replica-kill: 0 errors (LLM-bound turns may fail: llm errors);\n"
    "  rolling-sigterm: 0 errors and 0 llm errors. p99: calls that need no LLM, during the fault."
)


def _table(results: list[Result]) -> str:
    header = (
        f"{'fault':<16} {'calls':>6} {'errors':>6} {'llm errors':>10} {'err s after':>11} {'lost':>5} "
        f"{'dup':>4} {'p99 ms':>8}  target"
    )
    lines = [header, "-" * len(header)]
    for r in results:
        lines.append(
            f"{r.scenario:<16} {r.calls:>6} {r.errors:>6} {r.llm_errors:>10} {r.error_seconds_after:>11.2f} "
            f"{r.lost:>5} {r.duplicated:>4} {r.p99_ms:>8.1f}  {'met' if r.met else 'MISSED'}"
        )
    return "\n".join([*lines, "", TARGETS])


async def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", nargs="+", choices=sorted(SCENARIOS), default=sorted(SCENARIOS))
    parser.add_argument("--rate", type=float, default=40.0, help="calls per second (bounded load)")
    args = parser.parse_args(argv)
    results = []
    for name in args.only:
        print(f"running {name} ...", file=sys.stderr, flush=True)
        results.append(await SCENARIOS[name](args.rate))
    print(_table(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
