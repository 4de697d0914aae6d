"""Session service benchmark (printed figures).

The service runs in its own process (`python -m docmesh_session.main`) on PostgreSQL + Redis;
the load comes from this process through real gRPC stubs.

1. GetSession (BASIC view, served from Redis) and AppendMessages (one message, each worker on
   its own session) at concurrency 32 and 128: req/s, p50, p99. The server's own handling time
   (from its Prometheus histogram) is printed beside the client-side figures.
2. The floor: the same operations done directly on PostgreSQL (asyncpg: the append's
   UPDATE ... RETURNING + INSERT in one transaction, plus the Redis write-through) and Redis
   (the GetSession pipeline of two GETEX) from this one Python process, same concurrency.
3. Revisions of a 20-line invoice: SaveRevision, and GetSession of a session whose latest
   revision it is (served from Redis), at concurrency 32, with the server's CPU per request:
   the session stores the invoice's wire bytes and parses them only into the reply.
4. Append cost against history: sequential appends to sessions holding 10 messages and to
   sessions holding 5,000; the ratio of the medians (target <= 1.2).

Targets: GetSession served from Redis p50 <= 2 ms at concurrency 32; append cost with 5,000
messages of history <= 1.2x the cost with 10.

With --ab COMMIT it only compares this checkout's service with COMMIT's (a git worktree), each
alone under h2load, Health/Check as the control: CPU per call from /proc, alternating rounds;
then the CPU per chat turn (BeginTurn + CommitTurn as the agent makes them, first turns and
edits) in the same rounds.

Usage: .venv/bin/python bench/bench_session.py [--seconds 4] [--history-appends 200]
       .venv/bin/python bench/bench_session.py --ab COMMIT [--rounds 5] [--seconds 4] [--turns 200]
       [--turns-only]
Needs PostgreSQL and Redis (DOCMESH_TEST_DATABASE_URL / DOCMESH_TEST_REDIS_URL, defaults on
localhost); it creates a database of its own and drops it at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import datetime as dt
import os
import re
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from redis.asyncio import BlockingConnectionPool, Redis

ROOT = Path(__file__).resolve().parent.parent

from machine_cpu import CpuMeter, littles_law_floor, machine_ms, process_cpu  # noqa: E402

from docmesh.session.v1 import session_service_pb2 as pb  # noqa: E402
from docmesh.session.v1 import session_service_pb2_grpc  # noqa: E402
from docmesh.type.v1 import invoice_pb2, money_pb2  # noqa: E402
from docmesh_agent.adapters.session_grpc import TURN_KEY_METADATA  # noqa: E402
from docmesh_dev import testenv  # noqa: E402
from docmesh_dev.ports import reserve_port  # noqa: E402
from docmesh_session.migrate import upgrade_url  # noqa: E402

OWNER = "bench-owner"
MD = (("x-owner-id", OWNER),)
TEXT = "Add 2 hours of QA at $90 per hour and a 5% discount on the whole invoice."
INVOICE = invoice_pb2.Invoice(
    currency_code="USD",
    seller=invoice_pb2.Party(name="Northwind Consulting", email="billing@northwind.example"),
    buyer=invoice_pb2.Party(name="Acme Corp", address_lines=["1 Main Street", "Springfield"]),
    line_items=[
        invoice_pb2.LineItem(
            description=f"Consulting, week {week}",
            quantity="10",
            unit="hours",
            unit_price=money_pb2.Money(currency_code="USD", amount="150.00"),
            tax_names=["Sales tax"],
        )
        for week in range(1, 21)
    ],
    taxes=[invoice_pb2.Tax(name="Sales tax", rate_percent="8")],
    notes="Thank you for your business.",
)
TOTALS = invoice_pb2.InvoiceTotals(
    subtotal=money_pb2.Money(currency_code="USD", amount="30000.00"),
    total=money_pb2.Money(currency_code="USD", amount="32400.00"),
)
MSC = "version:1.5\ncell:A1:t:Invoice\n"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def line(label: str, latencies: list[float], elapsed: float) -> str:
    ms = [v * 1000 for v in latencies]
    return (
        f"  {label:<44} {len(ms) / elapsed:>8.0f} req/s   p50 {pct(ms, 0.50):7.2f} ms   "
        f"p99 {pct(ms, 0.99):7.2f} ms   (n={len(ms)})"
    )


async def load(
    concurrency: int, seconds: float, op: Callable[[int], Awaitable[object]]
) -> tuple[list[float], float]:
    """`concurrency` workers call op(worker) back to back for `seconds`."""
    latencies: list[float] = []
    stop_at = time.perf_counter() + seconds

    async def worker(index: int) -> None:
        while time.perf_counter() < stop_at:
            started = time.perf_counter()
            await op(index)
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(worker(i) for i in range(concurrency)))
    return latencies, time.perf_counter() - started


# ---- server-side figures from the service's Prometheus histogram ------------------------

_BUCKET = re.compile(
    r'docmesh_grpc_server_handling_seconds_bucket\{le="([^"]+)",method="([^"]+)",service="session"\} (\S+)'
)


def scrape(metrics_port: int, method: str) -> dict[float, float]:
    text = urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5).read().decode()
    buckets: dict[float, float] = {}
    for raw in text.splitlines():
        if not raw.startswith("docmesh_grpc_server_handling_seconds_bucket"):
            continue
        labels = dict(re.findall(r'(\w+)="([^"]*)"', raw))
        if labels.get("method") != method:
            continue
        buckets[float(labels["le"])] = float(raw.rsplit(" ", 1)[1])
    return buckets


def server_p50(before: dict[float, float], after: dict[float, float]) -> str:
    delta = {le: after.get(le, 0) - before.get(le, 0) for le in after}
    total = delta.get(float("inf"), 0)
    if not total:
        return "n/a"
    for le in sorted(delta):
        if delta[le] >= total / 2:
            return f"<= {le * 1000:g} ms"
    return "n/a"


# ---- environment --------------------------------------------------------------------------


@contextlib.contextmanager
def bench_database() -> Iterator[str]:
    base = testenv.database_url()
    name = f"docmesh_bench_{uuid.uuid4().hex[:8]}"
    parts = urlsplit(base)
    admin = f"postgresql://{parts.netloc}{parts.path or '/postgres'}"

    async def run(statement: str) -> None:
        conn = await asyncpg.connect(admin)
        try:
            await conn.execute(statement)
        finally:
            await conn.close()

    asyncio.run(run(f'CREATE DATABASE "{name}"'))
    try:
        yield urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))
    finally:
        asyncio.run(run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@contextlib.contextmanager
def session_process(
    database_url: str, redis_url: str, namespace: str, pythonpath: str = ""
) -> Iterator[tuple[int, int, int]]:
    """The service in a process of its own; `pythonpath` puts another tree's packages first."""
    port_reservation, metrics_reservation = reserve_port(), reserve_port()
    port, metrics_port = port_reservation.port, metrics_reservation.port
    env = {
        **os.environ,
        "DOCMESH_SESSION_PORT": str(port),
        "DOCMESH_SESSION_METRICS_PORT": str(metrics_port),
        "DOCMESH_DATABASE_URL": database_url,
        "DOCMESH_REDIS_URL": redis_url,
        "DOCMESH_REDIS_NAMESPACE": namespace,
        "DOCMESH_DB_POOL_SIZE": "20",
        "DOCMESH_DB_MAX_OVERFLOW": "10",
        # One JSON access-log line per call would dominate a microbenchmark.
        "DOCMESH_LOG_LEVEL": "WARNING",
        "DOCMESH_AUTO_MIGRATE": "true",  # each tree migrates its own database
        "DOCMESH_SESSION_SWEEP_INTERVAL_SECONDS": "0",
        **({"PYTHONPATH": pythonpath} if pythonpath else {}),
    }
    process = subprocess.Popen([sys.executable, "-m", "docmesh_session.main"], env=env)
    try:
        yield port, metrics_port, process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)
        port_reservation.release()
        metrics_reservation.release()


async def wait_serving(channel: grpc.aio.Channel) -> None:
    health = health_pb2_grpc.HealthStub(channel)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with contextlib.suppress(grpc.aio.AioRpcError):
            reply = await health.Check(health_pb2.HealthCheckRequest(), timeout=1)
            if reply.status == health_pb2.HealthCheckResponse.SERVING:
                return
        await asyncio.sleep(0.2)
    raise RuntimeError("session service did not become SERVING")


# ---- the benchmark ------------------------------------------------------------------------


async def run(
    database_url: str,
    redis_url: str,
    namespace: str,
    port: int,
    metrics_port: int,
    pid: int,
    args: argparse.Namespace,
) -> None:
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{port}")
    stub = session_service_pb2_grpc.SessionServiceStub(channel)
    await wait_serving(channel)

    async def create() -> str:
        reply = await stub.CreateSession(
            pb.CreateSessionRequest(session=pb.Session(title="bench")), metadata=MD
        )
        return reply.session.id

    async def append(session_id: str, count: int = 1) -> None:
        await stub.AppendMessages(
            pb.AppendMessagesRequest(
                session_id=session_id,
                messages=[pb.NewMessage(role=pb.MESSAGE_ROLE_USER, content=TEXT)] * count,
            ),
            metadata=MD,
        )

    sessions = [await create() for _ in range(128)]
    for sid in sessions:
        await append(sid, 10)
        await stub.GetSession(pb.GetSessionRequest(session_id=sid), metadata=MD)  # warm the cache
    print(
        f"session service: 1 process on PostgreSQL + Redis; load from 1 client process; {os.cpu_count()} cores"
    )
    print(f"phase length {args.seconds:g} s per line\n")

    meter = CpuMeter({"session service": pid, "load (this process)": os.getpid()})
    health = health_pb2_grpc.HealthStub(channel)
    print("GetSession (BASIC view, served from Redis)")
    for concurrency in (32, 128):
        before = scrape(metrics_port, "/docmesh.session.v1.SessionService/GetSession")
        cpu_before = meter.snapshot()
        lat, elapsed = await load(
            concurrency,
            args.seconds,
            lambda i: stub.GetSession(
                pb.GetSessionRequest(session_id=sessions[i % len(sessions)]), metadata=MD
            ),
        )
        cpu_after = meter.snapshot()
        after = scrape(metrics_port, "/docmesh.session.v1.SessionService/GetSession")
        print(
            line(f"gRPC, concurrency {concurrency}", lat, elapsed)
            + f"   server p50 {server_p50(before, after)}"
        )
        if concurrency == 32:
            for text in meter.report(cpu_before, cpu_after, len(lat), "request"):
                print(text)
            floor_ms = littles_law_floor(concurrency, machine_ms(cpu_before, cpu_after, len(lat)))
            print(f"  Little's law floor   {floor_ms:.1f} ms at concurrency {concurrency} for that much CPU")

    body = pb.GetSessionRequest(session_id=sessions[0]).SerializeToString()
    h2load(port, "/docmesh.session.v1.SessionService/GetSession", body, args)

    print("\nThe runtime's floor: grpc.health.v1.Health/Check (no I/O, an empty answer) on the same process")
    for concurrency in (32, 128):
        cpu_before = meter.snapshot()
        lat, elapsed = await load(
            concurrency, args.seconds, lambda i: health.Check(health_pb2.HealthCheckRequest())
        )
        cpu_after = meter.snapshot()
        print(line(f"gRPC, concurrency {concurrency}", lat, elapsed))
        if concurrency == 32:
            for text in meter.report(cpu_before, cpu_after, len(lat), "request"):
                print(text)
    h2load(port, "/grpc.health.v1.Health/Check", health_pb2.HealthCheckRequest().SerializeToString(), args)

    print("\nAppendMessages (1 message; each worker appends to its own session)")
    for concurrency in (32, 128):
        before = scrape(metrics_port, "/docmesh.session.v1.SessionService/AppendMessages")
        lat, elapsed = await load(concurrency, args.seconds, lambda i: append(sessions[i]))
        after = scrape(metrics_port, "/docmesh.session.v1.SessionService/AppendMessages")
        print(
            line(f"gRPC, concurrency {concurrency}", lat, elapsed)
            + f"   server p50 {server_p50(before, after)}"
        )

    print("\nRevisions of a 20-line invoice (each worker on its own session), concurrency 32")
    drafted = sessions[:32]
    for label, method, op in (
        (
            "SaveRevision",
            "SaveRevision",
            lambda i: stub.SaveRevision(
                pb.SaveRevisionRequest(session_id=drafted[i], invoice=INVOICE, totals=TOTALS, msc=MSC),
                metadata=MD,
            ),
        ),
        (
            "GetSession with that revision (Redis)",
            "GetSession",
            lambda i: stub.GetSession(pb.GetSessionRequest(session_id=drafted[i]), metadata=MD),
        ),
    ):
        path = f"/docmesh.session.v1.SessionService/{method}"
        before, cpu_before = scrape(metrics_port, path), meter.snapshot()
        lat, elapsed = await load(32, args.seconds, op)
        cpu_after, after = meter.snapshot(), scrape(metrics_port, path)
        print(line(label, lat, elapsed) + f"   server p50 {server_p50(before, after)}")
        for text in meter.report(cpu_before, cpu_after, len(lat), "request"):
            print(text)

    await floor(database_url, redis_url, namespace, sessions, args)
    await history(stub, create, append, args)
    await channel.close()


def h2load(port: int, path: str, body: bytes, args: argparse.Namespace) -> None:
    """The same load from h2load (C, nghttp2), when installed: the figures then show the
    service without the cost of a Python gRPC client sharing the machine."""
    if shutil.which("h2load") is None:
        print("  (h2load not installed: apt-get install nghttp2-client for client-independent figures)")
        return
    with tempfile.TemporaryDirectory() as tmp:
        frame = Path(tmp, "request.grpc")
        frame.write_bytes(b"\x00" + struct.pack(">I", len(body)) + body)  # gRPC length-prefixed frame
        for concurrency in (32, 128):
            log = Path(tmp, f"log-{concurrency}.tsv")
            # Blocking on purpose: nothing else runs in this loop while h2load loads the service.
            out = subprocess.run(
                [
                    "h2load",
                    f"--duration={max(1, round(args.seconds))}",
                    "--warm-up-time=1",
                    f"--log-file={log}",
                    "-c",
                    "1",
                    "-m",
                    str(concurrency),
                    "-H",
                    "content-type: application/grpc",
                    "-H",
                    "te: trailers",
                    "-H",
                    f"x-owner-id: {OWNER}",
                    "-d",
                    str(frame),
                    f"http://127.0.0.1:{port}{path}",
                ],
                capture_output=True,
                text=True,
                check=False,
            ).stdout
            rate = re.search(r"finished in [^,]+, ([\d.]+) req/s", out)
            # The log has one line per request: start (us), HTTP status, duration (us).
            durations = [int(row.split()[2]) / 1e6 for row in log.read_text().splitlines() if row.strip()]
            if rate and durations:
                label = f"h2load, concurrency {concurrency}"
                print(
                    f"  {label:<44} {float(rate.group(1)):>8.0f} req/s   p50 {pct(durations, 0.5) * 1000:7.2f} ms"
                    f"   p99 {pct(durations, 0.99) * 1000:7.2f} ms   (n={len(durations)})"
                )
            else:
                print(f"  h2load, concurrency {concurrency}: could not read its output: {out.strip()[:200]}")


async def floor(
    database_url: str, redis_url: str, namespace: str, sessions: list[str], args: argparse.Namespace
) -> None:
    print("\nFloor: the same operations directly on PostgreSQL and Redis from one Python process")
    redis = Redis(connection_pool=BlockingConnectionPool.from_url(redis_url, max_connections=128))
    keys = [f"{namespace}:session:v1:{sid}" for sid in sessions]

    async def get(i: int) -> None:
        async with redis.pipeline(transaction=False) as pipe:
            pipe.getex(keys[i % len(keys)], px=86_400_000)
            pipe.getex(keys[i % len(keys)] + ":revision", px=86_400_000)
            await pipe.execute()

    for concurrency in (32, 128):
        lat, elapsed = await load(concurrency, args.seconds, get)
        print(line(f"Redis GETEX x2 pipeline, concurrency {concurrency}", lat, elapsed))

    parts = urlsplit(database_url)
    pool = await asyncpg.create_pool(f"postgresql://{parts.netloc}{parts.path}", min_size=20, max_size=30)
    ids = [uuid.UUID(s) for s in sessions]
    put = redis.register_script(
        "redis.call('SET', KEYS[1], ARGV[1] .. ':' .. ARGV[2], 'PX', ARGV[3]) return 1"
    )

    async def direct_append(i: int) -> None:
        now = dt.datetime.now(dt.UTC)
        async with pool.acquire() as conn, conn.transaction():
            row = await conn.fetchrow(
                "UPDATE sessions SET version = version + 1, token_count = token_count + $2, "
                "message_count = message_count + 1, update_time = $3, last_activity_time = $3, "
                "expire_time = $4 WHERE id = $1 AND owner_id = $5 AND delete_time IS NULL "
                "AND status = 'active' AND token_count + $2 <= $6 RETURNING *",
                ids[i],
                17,
                now,
                now + dt.timedelta(days=1),
                OWNER,
                10_000_000,
            )
            await conn.execute(
                "INSERT INTO messages (id, session_id, sequence, role, content, token_count, create_time) "
                "VALUES ($1, $2, $3, 'user', $4, 17, $5)",
                uuid.uuid4(),
                ids[i],
                row["message_count"],
                TEXT,
                now,
            )
        await put(keys=[keys[i]], args=[row["version"], "{}", 86_400_000])

    for concurrency in (32, 128):
        lat, elapsed = await load(concurrency, args.seconds, direct_append)
        print(line(f"PG UPDATE+INSERT tx + Redis SET, conc. {concurrency}", lat, elapsed))
    await pool.close()
    await redis.aclose()


async def history(
    stub: session_service_pb2_grpc.SessionServiceStub,
    create: Callable[[], Awaitable[str]],
    append: Callable[..., Awaitable[None]],
    args: argparse.Namespace,
) -> None:
    print("\nAppend cost against history (sequential, 1 message per append)")
    short = [await create() for _ in range(4)]
    long = [await create() for _ in range(4)]
    for sid in short:
        await append(sid, 10)
    for sid in long:
        for _ in range(50):
            await append(sid, 100)
    timings: dict[str, list[float]] = {"10": [], "5000": []}
    for i in range(args.history_appends):
        # Interleaved, so drift of the machine affects both the same way.
        for label, group in (("10", short), ("5000", long)):
            started = time.perf_counter()
            await append(group[i % len(group)])
            timings[label].append(time.perf_counter() - started)
    median = {k: statistics.median(v) * 1000 for k, v in timings.items()}
    mean = {k: statistics.mean(v) * 1000 for k, v in timings.items()}
    for label in ("10", "5000"):
        print(f"  history {label:>5} messages: median {median[label]:.2f} ms   mean {mean[label]:.2f} ms")
    ratio = median["5000"] / median["10"]
    print(f"  ratio 5000/10 (median): {ratio:.2f}   target <= 1.2: {'met' if ratio <= 1.2 else 'NOT met'}")


# ---- --ab COMMIT: this checkout's service against a commit's, alone, under h2load -----------

AB_CALLS = {
    "Health/Check (control)": ("/grpc.health.v1.Health/Check", health_pb2.HealthCheckRequest()),
    "GetSession (cached)": ("/docmesh.session.v1.SessionService/GetSession", None),
    "CreateSession": (
        "/docmesh.session.v1.SessionService/CreateSession",
        pb.CreateSessionRequest(session=pb.Session(title="bench")),
    ),
}


# A rendered sheet's size (the agent commits the whole MSC with every revision).
TURN_MSC = "socialcalc:version:1.0\n" + "".join(
    f"cell:A{row}:t:Consulting, week {row}:f:1\ncell:B{row}:v:10\ncell:C{row}:v:150\n"
    f"cell:D{row}:vtf:n:1500:B{row}*C{row}\n"
    for row in range(1, 61)
)
# Each RPC of a chat turn, measured apart: first turns' BeginTurn, their CommitTurn, then an
# edit of each of those sessions.
TURN_PHASES = ("first turn: BeginTurn", "first turn: CommitTurn", "edit: BeginTurn", "edit: CommitTurn")


@dataclasses.dataclass(frozen=True)
class Begun:
    session_id: str
    message_id: str
    holder: str
    key: str


async def _each(port: int, items: list[Any], call: Callable[[Any, Any], Awaitable[Any]]) -> list[Any]:
    """`call(stub, item)` for every item, 8 at a time on one channel; the answers in order."""
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{port}")
    stub = session_service_pb2_grpc.SessionServiceStub(channel)
    pending = list(enumerate(items))
    answers: list[Any] = [None] * len(items)

    async def worker() -> None:
        while pending:
            index, item = pending.pop()
            answers[index] = await call(stub, item)

    await wait_serving(channel)
    await asyncio.gather(*(worker() for _ in range(8)))
    await channel.close()
    return answers


def _begin(client_keys: bool) -> Callable[[Any, str], Awaitable[Begun]]:
    """A turn's BeginTurn as the agent makes it with the built-in provider (its key, the
    profile and the customers' names asked for): a first turn for "" (a new session), an edit
    of the session otherwise. With `client_keys` a first turn is one a client sent with an
    Idempotency-Key: the agent names the session after it and BeginTurn looks for a session a
    first try made."""

    async def begin(stub: Any, session_id: str) -> Begun:
        key, holder = uuid.uuid4().hex, f"bench-{uuid.uuid4().hex[:8]}"
        request = pb.BeginTurnRequest(
            session_id=session_id,
            content=TEXT,
            idempotency_key=f"{key}:user",
            holder=holder,
            include_profile=True,
            refuse_finalized=True,
            include_customer_names=True,
        )
        request.lease_duration.seconds = 30
        if not session_id:
            request.new_session.title = "Invoice for Acme Corp"
            if client_keys:
                request.new_session.metadata[TURN_KEY_METADATA] = key
                request.reuse_metadata_key = TURN_KEY_METADATA
        begun = await stub.BeginTurn(request, metadata=MD)
        return Begun(begun.session.id, begun.message.id, holder, key)

    return begin


async def _commit(stub: Any, begun: Begun) -> str:
    """The turn's CommitTurn as the agent makes it: the reply, the revision (a 20-line invoice
    and its sheet) and one usage record, freeing the lease. The session's id."""
    request = pb.CommitTurnRequest(
        session_id=begun.session_id,
        messages=[pb.NewMessage(role=pb.MESSAGE_ROLE_ASSISTANT, content="Here is your invoice.")],
        idempotency_key=f"{begun.key}:assistant",
        usage=[
            pb.UsageRecord(
                provider="builtin", model="builtin", prompt_tokens=20, completion_tokens=8, estimated=True
            )
        ],
        release_turn_lease=begun.holder,
        revision=pb.NewRevision(
            invoice=INVOICE, totals=TOTALS, msc=TURN_MSC, message_id=begun.message_id, summary="edit"
        ),
    )
    await stub.CommitTurn(request, metadata=MD)
    return begun.session_id


def ab(args: argparse.Namespace, redis_url: str) -> None:
    """Both services side by side (own database, own Redis namespace), each call measured on
    each in alternating rounds: h2load over one HTTP/2 connection (32 streams), the service's
    CPU per answered call from /proc (no Python client shares the figures); then chat turns
    (BeginTurn and CommitTurn as the agent makes them, --turns first turns then an edit of each
    of those sessions, 8 at a time from this process's gRPC client), the service's CPU per
    call of each, each RPC measured apart."""
    from bench_rest_hop import tree_pythonpath
    from common import worktree

    if shutil.which("h2load") is None:
        print("--ab needs h2load: apt-get install nghttp2-client")
        return
    namespaces: list[str] = []
    results: dict[tuple[str, str], list[tuple[float, float]]] = {}
    with contextlib.ExitStack() as stack:
        sha, folder = stack.enter_context(worktree(args.ab, "docmesh-session"))
        sides = []
        for label, pythonpath in (("this checkout", ""), (f"at {sha}", tree_pythonpath(folder))):
            namespaces.append(f"docmesh-bench-{uuid.uuid4().hex[:8]}")
            database_url = stack.enter_context(bench_database())
            port, _, pid = stack.enter_context(
                session_process(database_url, redis_url, namespaces[-1], pythonpath)
            )
            sides.append((label, port, pid, asyncio.run(_cached_session(port))))
        calls = [] if args.turns_only else list(AB_CALLS)
        for round_index in range(args.rounds):
            order = sides if round_index % 2 == 0 else sides[::-1]
            for call in calls:
                path, request = AB_CALLS[call]
                for label, port, pid, session_id in order:
                    body = (request or pb.GetSessionRequest(session_id=session_id)).SerializeToString()
                    before = process_cpu(pid)
                    answered, rate = _h2load_once(port, path, body, args.seconds)
                    cpu_ms = (process_cpu(pid) - before) / max(1, answered) * 1000
                    results.setdefault((call, label), []).append((rate, cpu_ms))
            if args.turns:
                for label, port, pid, _ in order:
                    items: list[Any] = [""] * args.turns
                    for phase in TURN_PHASES:
                        rpc = _commit if phase.endswith("CommitTurn") else _begin(args.turn_keys)
                        before, started = process_cpu(pid), time.perf_counter()
                        items = asyncio.run(_each(port, items, rpc))
                        elapsed = time.perf_counter() - started
                        cpu_ms = (process_cpu(pid) - before) / args.turns * 1000
                        results.setdefault((phase, label), []).append((args.turns / elapsed, cpu_ms))
    for namespace in namespaces:
        asyncio.run(clean_namespace(redis_url, namespace))
    print(f"session service alone, h2load -c1 -m32, {args.rounds} rounds of {args.seconds:g} s (medians)")
    print(f"{'call':<28}{'side':<16}{'req/s':>8}{'CPU ms/call':>13}{'x':>7}")
    for call in [*calls, *(TURN_PHASES if args.turns else ())]:
        base = statistics.median(cpu for _, cpu in results[(call, sides[1][0])])
        for label, *_ in sides:
            rows = results[(call, label)]
            cpu = statistics.median(c for _, c in rows)
            rate = statistics.median(r for r, _ in rows)
            print(f"{call:<28}{label:<16}{rate:>8.0f}{cpu:>13.3f}{cpu / base:>6.2f}x")


async def _cached_session(port: int) -> str:
    """A session of the bench's owner, read once so that it is in the cache."""
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{port}")
    await wait_serving(channel)
    stub = session_service_pb2_grpc.SessionServiceStub(channel)
    created = await stub.CreateSession(
        pb.CreateSessionRequest(session=pb.Session(title="bench")), metadata=MD
    )
    await stub.GetSession(pb.GetSessionRequest(session_id=created.session.id), metadata=MD)
    await channel.close()
    return created.session.id


def _h2load_once(port: int, path: str, body: bytes, seconds: float) -> tuple[int, float]:
    """(calls answered, calls per second) of one h2load run."""
    with tempfile.TemporaryDirectory() as tmp:
        frame = Path(tmp, "request.grpc")
        frame.write_bytes(b"\x00" + struct.pack(">I", len(body)) + body)
        out = subprocess.run(
            [
                "h2load",
                f"--duration={max(1, round(seconds))}",
                *("-c", "1", "-m", "32", "-H", "content-type: application/grpc", "-H", "te: trailers"),
                *("-H", f"x-owner-id: {OWNER}", "-d", str(frame), f"http://127.0.0.1:{port}{path}"),
            ],
            capture_output=True,
            text=True,
            check=False,
        ).stdout
    done = re.search(r"requests: \d+ total, \d+ started, \d+ done, (\d+) succeeded", out)
    rate = re.search(r"finished in [^,]+, ([\d.]+) req/s", out)
    if done is None or rate is None:
        raise RuntimeError(f"h2load printed no totals: {out.strip()[:300]}")
    return int(done.group(1)), float(rate.group(1))


async def clean_namespace(redis_url: str, namespace: str) -> int:
    """Delete the bench's keys (its namespace) and nothing else; returns how many."""
    redis = Redis.from_url(redis_url)
    keys = [key async for key in redis.scan_iter(match=f"{namespace}:*", count=1000)]
    for start in range(0, len(keys), 500):
        await redis.delete(*keys[start : start + 500])
    await redis.aclose()
    return len(keys)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--history-appends", type=int, default=200)
    parser.add_argument("--ab", default="", help="only compare with this commit's service (h2load)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of --ab")
    parser.add_argument(
        "--turns", type=int, default=200, help="chat turns of each kind per round of --ab (0: none)"
    )
    parser.add_argument("--turns-only", action="store_true", help="--ab measures the chat turns only")
    parser.add_argument(
        "--turn-keys", action="store_true", help="first turns of --ab carry a client's key (Idempotency-Key)"
    )
    args = parser.parse_args()
    redis_url = testenv.redis_url()
    if not testenv.reachable(testenv.database_url(), 5432) or not testenv.reachable(redis_url, 6379):
        print(
            "bench_session: PostgreSQL and Redis are needed; set DOCMESH_TEST_DATABASE_URL / DOCMESH_TEST_REDIS_URL"
        )
        return
    if args.ab:
        ab(args, redis_url)
        return
    namespace = f"docmesh-bench-{uuid.uuid4().hex[:8]}"
    with bench_database() as database_url:
        asyncio.run(upgrade_url(database_url))
        try:
            with session_process(database_url, redis_url, namespace) as (port, metrics_port, pid):
                asyncio.run(run(database_url, redis_url, namespace, port, metrics_port, pid, args))
        finally:
            print(
                f"\n(cleaned up: {asyncio.run(clean_namespace(redis_url, namespace))} Redis keys, database dropped)"
            )


if __name__ == "__main__":
    main()
