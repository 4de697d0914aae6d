"""Availability under ordinary faults (printed table), loopback only, bounded in count and time.

Each scenario runs a bounded load (acknowledged writes or rate-limit checks, `--rate` calls per
second, for the fault plus a few seconds) against real processes of its own, injects one fault, and reports:
client errors, seconds of errors after the fault ended, acknowledged writes lost and
duplicated, and the p99 latency during the fault.

Scenarios (select with --only):
  pg-restart   the session service while its PostgreSQL (its own) does `pg_ctl restart -m fast`
  pg-stop      ... while its PostgreSQL is stopped for 10 s
  redis-kill   the gateway's rate limiter while its Redis (its own) is killed
  redis-hang   ... while its Redis is frozen (SIGSTOP) for 10 s
Not measured here yet (covered by nothing in this script; see the report of issue 14):
  llm-500, llm-hang, replica-kill, rolling-sigterm.

Targets: errors end within 2 s of the fault's end; 0 lost, 0 duplicated.

Usage: .venv/bin/python bench/bench_faults.py [--only pg-restart redis-hang] [--rate 40]
(about 1 min for all four)
"""

from __future__ import annotations

import argparse
import asyncio
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
from tests.faults.servers import OwnPostgres, OwnRedis, own_postgres, own_redis  # noqa: E402

TARGET_RECOVERY_SECONDS = 2.0


@dataclass
class Result:
    scenario: str
    calls: int = 0
    errors: int = 0
    error_seconds_after: float = 0.0
    lost: int = 0
    duplicated: int = 0
    latencies_during: list[float] = field(default_factory=list)

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


SCENARIOS: dict[str, Callable[[float], Awaitable[Result]]] = {
    "pg-restart": lambda rate: _session_scenario("pg-restart", lambda db: db.restart(), rate, 4.0),
    "pg-stop": lambda rate: _session_scenario("pg-stop", _pg_stop, rate, 4.0),
    "redis-kill": lambda rate: _redis_scenario("redis-kill", lambda r: r.kill(), rate, 3.0),
    "redis-hang": lambda rate: _redis_scenario("redis-hang", _redis_hang, rate, 3.0),
}


def _table(results: list[Result]) -> str:
    header = f"{'fault':<12} {'calls':>6} {'errors':>6} {'err s after':>11} {'lost':>5} {'dup':>4} {'p99 ms':>8}  target"
    lines = [header, "-" * len(header)]
    for r in results:
        met = r.error_seconds_after <= TARGET_RECOVERY_SECONDS and r.lost == 0 and r.duplicated == 0
        lines.append(
            f"{r.scenario:<12} {r.calls:>6} {r.errors:>6} {r.error_seconds_after:>11.2f} {r.lost:>5} "
            f"{r.duplicated:>4} {r.p99_ms:>8.1f}  {'met' if met else 'MISSED'}"
        )
    return "\n".join(lines)


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
