"""The REST hop against a monolith: create and read a session through the mesh and through a
single-process FastAPI app doing the same work on the same stores, in the same run.

Sides, each measured in turn within every round (the order alternates between rounds, so drift
of the shared machine hits every side alike):
  ref     bench/reference_app: FastAPI + SQLAlchemy/asyncpg + redis in one uvicorn process.
  mesh    this checkout's mesh, one process per service (launcher), PostgreSQL + Redis.
  before  with --before COMMIT: that commit's mesh, from a temporary git worktree.
Every side has a PostgreSQL database of its own (the session service's migrations), Redis (the
session cache and the rate limiter's buckets, under a namespace of its own), the same API key in
a keys file and a limit too high to refuse anything (so the limiter's work is still done).

Load: wrk (installed with apt-get when missing and root) with 32 and 128 connections, a POST
/api/v1/sessions or a GET of one session. Per side and call: req/s, p50 and p99 (medians over
rounds), CPU ms per request of each process (from /proc/<pid>/stat before and after each run)
and of the whole machine (PostgreSQL and Redis included), and the ratios mesh / ref.
Targets (issue 16): mesh >= 1.0x ref req/s on create and get, p99 no worse.

With --profile SECONDS the mesh's gateway and session processes are also recorded with py-spy
(`pip install py-spy` into the venv; not a dependency) under each load, and the frames with the
most own time are printed (raw stacks and flame graphs under --profile-dir), with each
process's CPU per request split by thread (the event loop's, gRPC's event engine's, the rest).

Run: .venv/bin/python bench/bench_rest_hop.py [--seconds 5] [--rounds 3] [--concurrency 32 128]
     [--before COMMIT] [--profile 8 [--native] --profile-dir /tmp/hop-profiles]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from common import REPO_ROOT, postgres_database, postgres_reachable, worktree
from machine_cpu import TICK, machine_busy, process_cpu

from docmesh_dev import launcher, testenv
from docmesh_dev.ports import PortReservation, reserve_port
from docmesh_gateway.auth import ApiKey, generate_key, hash_key, save_keys_file

OWNER = "bench"
# PostgreSQL connections per side, the same for every side: three sides of 15 stay well inside
# a default max_connections of 100 shared with whatever else uses the server.
POOL_SIZE = 10
POOL_OVERFLOW = 5
CALLS = ("create", "get")
POST_LUA = (
    'wrk.method = "POST"\n'
    'wrk.body = \'{"title": "bench"}\'\n'
    'wrk.headers["Content-Type"] = "application/json"\n'
)
_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


@dataclass
class Sample:
    requests: int
    errors: int
    seconds: float
    p50: float
    p99: float
    cpu: dict[str, float]  # CPU seconds per process over the run
    machine: float


@dataclass
class Side:
    label: str
    base_url: str
    pids: dict[str, int]
    session_id: str = ""
    samples: dict[tuple[str, int], list[Sample]] = field(default_factory=lambda: defaultdict(list))


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("wrk is missing: apt-get install -y wrk")
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True, capture_output=True)
        found = shutil.which("wrk")
    if not found:
        raise SystemExit("wrk is needed: apt-get install wrk (or brew install wrk)")
    return found


def parse_wrk(text: str) -> tuple[int, int, float, float, float]:
    """(requests, errors, seconds, p50 ms, p99 ms) from wrk --latency output."""
    done = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m),", text)
    if done is None:
        raise RuntimeError(f"wrk printed no totals:\n{text}")
    unit = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}[done.group(3)]
    latency = {
        q: float(v) * _UNITS[u] for q, v, u in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
    }
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", text))
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    return (
        int(done.group(1)),
        errors,
        float(done.group(2)) * unit,
        latency.get("50", float("nan")),
        latency.get("99", float("nan")),
    )


def run_wrk(wrk: str, side: Side, call: str, concurrency: int, seconds: float, key: str, lua: Path) -> Sample:
    url = side.base_url + "/api/v1/sessions" + (f"/{side.session_id}" if call == "get" else "")
    args = [
        wrk,
        "-t2",
        f"-c{concurrency}",
        f"-d{max(1, round(seconds))}s",
        "--latency",
        "-H",
        f"X-API-Key: {key}",
    ]
    if call == "create":
        args += ["-s", str(lua)]
    cpu_before = {name: process_cpu(pid) for name, pid in side.pids.items()}
    machine_before = machine_busy()
    done = subprocess.run([*args, url], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed on {side.label} {call}: {done.stdout}{done.stderr}")
    machine_after = machine_busy()
    cpu = {name: process_cpu(pid) - cpu_before[name] for name, pid in side.pids.items()}
    requests, errors, wall, p50, p99 = parse_wrk(done.stdout)
    return Sample(requests, errors, wall, p50, p99, cpu, machine_after - machine_before)


def http_json(method: str, url: str, key: str, body: dict[str, object] | None = None) -> dict[str, object]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        url, data=data, method=method, headers={"X-API-Key": key, "Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as reply:
        result: dict[str, object] = json.loads(reply.read())
        return result


def shape(value: object) -> object:
    """A JSON value's fields and their types, recursively (values aside)."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        return [shape(v) for v in value[:1]]
    return type(value).__name__


def wait_http(url: str, process: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the process exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f}s")


def tree_pythonpath(folder: Path) -> str:
    """A worktree's packages ahead of this checkout's editable install (gen/ stays this one's)."""
    packages = [folder / "services" / name for name in ("common", "session", "agent", "document")]
    return os.pathsep.join(str(p) for p in [*packages, folder / "gateway", folder / "dev"])


def migrate(database_url: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "docmesh_session.migrate"],
        env={**os.environ, "DOCMESH_DATABASE_URL": database_url},
        check=True,
        capture_output=True,
    )


def mesh_env(root: Path, database_url: str, redis_url: str, keys_file: Path, tag: str) -> dict[str, str]:
    env = launcher.base_environment(root)
    env.update(
        {
            "DOCMESH_DATABASE_URL": database_url,
            "DOCMESH_AUTO_MIGRATE": "true",
            "DOCMESH_DB_POOL_SIZE": str(POOL_SIZE),
            "DOCMESH_DB_MAX_OVERFLOW": str(POOL_OVERFLOW),
            "DOCMESH_REDIS_URL": redis_url,
            "DOCMESH_REDIS_NAMESPACE": f"hop-{tag}",
            "DOCMESH_RATE_LIMIT_KEY_PREFIX": f"hop-{tag}:ratelimit:",
            "DOCMESH_RATE_LIMIT_RPS": "1000000",
            "DOCMESH_RATE_LIMIT_BURST": "1000000",
            "DOCMESH_API_KEYS_FILE": str(keys_file),
            "DOCMESH_DEV_MODE": "false",
            "DOCMESH_LOG_LEVEL": "INFO",  # as deployed (deploy/k8s/base/configmap.yaml)
            "DOCMESH_LLM_PROVIDER": "builtin",
            "DOCMESH_SESSION_SWEEP_INTERVAL_SECONDS": "0",
        }
    )
    env.pop("DOCMESH_DEV_API_KEY", None)
    return env


class Sides:
    """Starts the sides and stops every process it started."""

    def __init__(self, redis_url: str, key: str, keys_file: Path) -> None:
        self.redis_url = redis_url
        self.key = key
        self.keys_file = keys_file
        self.meshes: list[launcher.Mesh] = []
        self.processes: list[subprocess.Popen[bytes]] = []
        self.ports: list[PortReservation] = []  # the reference's, held until it stops

    def mesh(self, label: str, database_url: str, pythonpath: str = "") -> Side:
        root = Path(tempfile.mkdtemp(prefix=f"docmesh-hop-{label}-"))
        env = mesh_env(root, database_url, self.redis_url, self.keys_file, f"{label}-{uuid.uuid4().hex[:6]}")
        if pythonpath:
            env["PYTHONPATH"] = pythonpath
        mesh = launcher.plan(1, free_ports=True)
        self.meshes.append(mesh)
        # The processes' log lines go to a file, as a deployment's go to the container runtime.
        with open(root / "mesh.log", "wb") as log:
            with_output(log.fileno(), lambda: launcher.start_mesh(mesh, env))
        assert mesh.gateway is not None
        pids = {"gateway": mesh.gateway.pid}
        for replica in mesh.of("session"):
            assert replica.process is not None
            pids["session"] = replica.process.pid
        return Side(label, f"http://127.0.0.1:{mesh.gateway_port}", pids)

    def reference(self, database_url: str) -> Side:
        migrate(database_url)
        self.ports.append(reserve_port())
        port = self.ports[-1].port
        env = {
            **os.environ,
            "REF_DATABASE_URL": database_url,
            "REF_REDIS_URL": self.redis_url,
            "REF_API_KEYS_FILE": str(self.keys_file),
            "REF_RATE_LIMIT_RPS": "1000000",
            "REF_RATE_LIMIT_BURST": "1000000",
            "REF_DB_POOL_SIZE": str(POOL_SIZE),
            "REF_DB_MAX_OVERFLOW": str(POOL_OVERFLOW),
        }
        args = [
            sys.executable,
            "-m",
            "uvicorn",
            "--app-dir",
            str(REPO_ROOT / "bench"),
            "reference_app.app:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--loop",
            "uvloop",
            "--http",
            "httptools",
            "--no-access-log",
            "--log-level",
            "warning",
        ]
        process = subprocess.Popen(args, env=env, start_new_session=True)
        self.processes.append(process)
        wait_http(f"http://127.0.0.1:{port}/api/v1/sessions/x", process)
        return Side("ref", f"http://127.0.0.1:{port}", {"ref": process.pid})

    def stop(self) -> None:
        for process in self.processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(10)
        for mesh in self.meshes:
            launcher.stop_mesh(mesh)
        for reservation in self.ports:
            reservation.release()


def with_output(fd: int, start: Callable[[], None]) -> None:
    """Run `start` with file descriptors 1 and 2 on `fd`: the children it starts inherit them."""
    sys.stdout.flush()
    saved = os.dup(1), os.dup(2)
    try:
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        start()
    finally:
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        os.close(saved[0])
        os.close(saved[1])


def profile(
    side: Side,
    wrk: str,
    key: str,
    lua: Path,
    concurrency: int,
    seconds: float,
    folder: Path,
    native: bool = False,
) -> None:
    """py-spy on the mesh's gateway and session under each load; top own-time frames printed."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(spy).exists():
        print("profile skipped: py-spy not installed (.venv/bin/pip install py-spy)")
        return
    folder.mkdir(parents=True, exist_ok=True)
    for call in CALLS:
        records = {}
        for name in ("gateway", "session"):
            raw = folder / f"{call}-{name}.txt"
            records[name] = (
                raw,
                subprocess.Popen(
                    [
                        spy,
                        "record",
                        "--pid",
                        str(side.pids[name]),
                        "--duration",
                        str(int(seconds)),
                        "--rate",
                        "250",
                        # Native frames name the C work (gRPC's core, uvloop, protobuf) that
                        # otherwise shows as the Python frame that called it; py-spy must
                        # pause the process for each such sample, which slows it somewhat.
                        *(["--native"] if native else ["--nonblocking"]),
                        "--format",
                        "raw",
                        "-o",
                        str(raw),
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                ),
            )
        time.sleep(0.5)
        threads_before = {name: thread_cpu(side.pids[name]) for name in records}
        sample = run_wrk(wrk, side, call, concurrency, seconds, key, lua)
        threads_after = {name: thread_cpu(side.pids[name]) for name in records}
        for name, (raw, process) in records.items():
            process.wait(seconds + 30)
            print(f"\nprofile: {call} at {concurrency}, {name} (own time, % of samples; {raw})")
            for frame, share in top_frames(raw, 15):
                print(f"  {share:5.1f}%  {frame}")
            spent = {
                kind: (cpu - threads_before[name].get(kind, 0.0)) / max(1, sample.requests) * 1000
                for kind, cpu in threads_after[name].items()
            }
            print(
                "  CPU ms per request by thread: "
                + ", ".join(f"{kind} {ms:.3f}" for kind, ms in sorted(spent.items()))
            )


def thread_cpu(pid: int) -> dict[str, float]:
    """CPU seconds so far of a process's threads by kind: its main thread (the event loop), gRPC's
    event engine threads (network I/O) and the others (grpc.aio's completion-queue poller, which
    hands every completion to the loop, and the metrics server). py-spy shows the native work of
    the first as `Runner.run` and of the poller as `Thread.run`; this puts CPU figures on them."""
    kinds: dict[str, float] = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as handle:
                text = handle.read()
        except OSError:
            continue  # the thread ended meanwhile
        name = text[text.index("(") + 1 : text.rindex(")")]
        fields = text.rsplit(")", 1)[1].split()
        kind = (
            "main"
            if int(tid) == pid
            else "grpc event engine"
            if name.startswith("event_engine")
            else "other threads"
        )
        kinds[kind] = kinds.get(kind, 0.0) + (int(fields[11]) + int(fields[12])) / TICK
    return kinds


def top_frames(raw: Path, count: int) -> list[tuple[str, float]]:
    """The leaf frames with the most samples in a py-spy raw (collapsed) file."""
    own: Counter[str] = Counter()
    total = 0
    try:
        lines = raw.read_text().splitlines()
    except OSError:
        return []
    for line in lines:
        stack, _, number = line.rpartition(" ")
        if not number.isdigit():
            continue
        leaf = stack.rsplit(";", 1)[-1]
        own[leaf] += int(number)
        total += int(number)
    return [(frame, 100 * n / max(1, total)) for frame, n in own.most_common(count)]


def report(sides: list[Side], concurrencies: list[int]) -> None:
    cores = os.cpu_count() or 1
    names = sorted({n for s in sides for n in s.pids}, key=["gateway", "session", "ref"].index)
    header = (
        f"{'call':<7}{'conc':>5} {'side':<10}{'ok/s':>8}{'p50 ms':>8}{'p99 ms':>8}"
        + "".join(f"{n + ' ms':>11}" for n in names)
        + f"{'machine ms':>11}{'errors':>7}   {'req/s x':>8}{'p99 x':>7}"
    )
    print(
        f"\nCPU columns: CPU ms per request of that process; machine: all {cores} cores, "
        "PostgreSQL, Redis and wrk included. x: this side / ref (medians over rounds)."
    )
    print(header)
    print("-" * len(header))
    ref = next(s for s in sides if s.label == "ref")
    for call in CALLS:
        for concurrency in concurrencies:
            ref_rps, ref_p99 = _summary(ref, call, concurrency)[:2]
            for side in sides:
                rps, p99, p50, cpu, machine, errors = _summary(side, call, concurrency)
                cells = "".join(f"{cpu[n]:>11.3f}" if n in cpu else f"{'':>11}" for n in names)
                ratio = "" if side is ref else f"   {rps / ref_rps:>7.2f}x{p99 / ref_p99:>6.2f}x"
                print(
                    f"{call:<7}{concurrency:>5} {side.label:<10}{rps:>8.0f}{p50:>8.2f}{p99:>8.2f}"
                    f"{cells}{machine:>11.3f}{errors:>7}{ratio}"
                )
            print()


def _summary(
    side: Side, call: str, concurrency: int
) -> tuple[float, float, float, dict[str, float], float, int]:
    samples = side.samples[(call, concurrency)]
    requests = sum(s.requests for s in samples) or 1
    rps = statistics.median((s.requests - s.errors) / s.seconds for s in samples)  # answered 2xx
    p99 = statistics.median(s.p99 for s in samples)
    p50 = statistics.median(s.p50 for s in samples)
    cpu = {n: sum(s.cpu[n] for s in samples) / requests * 1000 for n in side.pids}
    machine = sum(s.machine for s in samples) / requests * 1000
    return rps, p99, p50, cpu, machine, sum(s.errors for s in samples)


async def main_async(options: argparse.Namespace) -> None:
    if not postgres_reachable():
        raise SystemExit("PostgreSQL is needed (DOCMESH_TEST_DATABASE_URL)")
    redis_url = testenv.redis_url()
    if not testenv.reachable(redis_url, 6379):
        raise SystemExit("Redis is needed (DOCMESH_TEST_REDIS_URL)")
    wrk = ensure_wrk()
    work = Path(tempfile.mkdtemp(prefix="docmesh-hop-"))
    key = generate_key()
    keys_file = work / "keys.json"
    save_keys_file(keys_file, [ApiKey(hash_key(key), OWNER)])
    lua = work / "post.lua"
    lua.write_text(POST_LUA)
    sides_started = Sides(redis_url, key, keys_file)
    async with contextlib.AsyncExitStack() as stack:
        databases = [
            await stack.enter_async_context(postgres_database("docmesh_bench_hop")) for _ in range(3)
        ]
        trees = stack.enter_context(contextlib.ExitStack())
        stack.callback(sides_started.stop)
        sides = [
            sides_started.reference(databases[0]),
            sides_started.mesh("mesh", databases[1]),
        ]
        if options.before:
            sha, folder = trees.enter_context(worktree(options.before, "docmesh-hop"))
            sides.append(sides_started.mesh(f"before {sha}", databases[2], tree_pythonpath(folder)))
        shapes: dict[str, object] = {}
        for side in sides:
            created = http_json("POST", side.base_url + "/api/v1/sessions", key, {"title": "bench"})
            session = created["session"]
            assert isinstance(session, dict)
            side.session_id = str(session["id"])
            read = http_json("GET", f"{side.base_url}/api/v1/sessions/{side.session_id}", key)
            shapes[side.label] = (shape(created), shape(read))
            for call in CALLS:  # warm-up: connections, pools, caches, code paths
                run_wrk(wrk, side, call, max(options.concurrency), 2, key, lua)
        different = [label for label, found in shapes.items() if found != shapes["ref"]]
        print(
            "JSON of create and get: "
            + (f"differs on {', '.join(different)}" if different else "same shape on every side")
        )
        print(
            f"REST hop: {os.cpu_count()} cores, {options.rounds} rounds of {options.seconds:.0f}s per "
            f"side, call and concurrency; sides: {', '.join(s.label for s in sides)}"
        )
        for round_index in range(options.rounds):
            order = sides if round_index % 2 == 0 else list(reversed(sides))
            for concurrency in options.concurrency:
                for call in CALLS:
                    for side in order:
                        sample = run_wrk(wrk, side, call, concurrency, options.seconds, key, lua)
                        side.samples[(call, concurrency)].append(sample)
            print(f"round {round_index + 1} done")
            sys.stdout.flush()
        report(sides, options.concurrency)
        if options.profile:
            profile(
                sides[1],
                wrk,
                key,
                lua,
                min(options.concurrency),
                options.profile,
                Path(options.profile_dir),
                options.native,
            )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[32, 128])
    parser.add_argument("--before", default="", help="also measure this commit's mesh (a git worktree)")
    parser.add_argument("--profile", type=float, default=0.0, help="py-spy seconds per call (0: none)")
    parser.add_argument("--native", action="store_true", help="profile native frames too (py-spy --native)")
    parser.add_argument("--profile-dir", default=str(Path(tempfile.gettempdir()) / "docmesh-hop-profiles"))
    options = parser.parse_args()
    started = time.monotonic()
    asyncio.run(main_async(options))
    print(f"(bench took {time.monotonic() - started:.0f}s)")


if __name__ == "__main__":
    main()
