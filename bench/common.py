"""What several benchmarks share: the closed-loop load, its result, a PostgreSQL database per run,
a commit checked out on its own.

Moved here from bench_gateway.py so that bench_rest_hop.py measures with the very same loop.
(Not named bench_*.py: `make bench` runs those.)
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from docmesh_dev import testenv

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Result:
    name: str
    requests: int
    calls: int
    errors: int
    seconds: float
    latencies: list[float]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def quantile(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


async def closed_loop(
    name: str,
    call: Callable[[int], Awaitable[bool]],
    concurrency: int,
    seconds: float,
    warmup: float,
    rate: float | None = None,
) -> Result:
    """`concurrency` workers each calling back to back (call gets the worker's index); only calls
    started after warm-up count. With `rate` (requests per second in all), each worker waits for
    its next slot instead, so the same clients load the machine below saturation."""
    latencies: list[float] = []
    errors = 0
    calls = 0
    loop = asyncio.get_running_loop()
    start = loop.time()
    measure_from = start + warmup
    end = measure_from + seconds

    interval = concurrency / rate if rate else 0.0

    async def worker(index: int) -> None:
        nonlocal errors, calls
        slot = start + interval * index / concurrency  # spread the workers' first calls
        while True:
            if interval:
                await asyncio.sleep(max(0.0, slot - loop.time()))
                slot += interval
            began = loop.time()
            if began >= end:
                return
            ok = await call(index)
            calls += 1
            finished = loop.time()
            if began >= measure_from:
                latencies.append(finished - began)
                if not ok:
                    errors += 1

    await asyncio.gather(*(worker(i) for i in range(concurrency)))
    return Result(name, len(latencies), calls, errors, seconds, latencies)


def postgres_reachable() -> bool:
    return testenv.reachable(testenv.database_url(), 5432)


@contextlib.asynccontextmanager
async def postgres_database(prefix: str) -> AsyncIterator[str]:
    """A fresh PostgreSQL database for this run (SQLAlchemy asyncpg URL), dropped afterwards."""
    base = testenv.database_url()
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))  # for tests.pg_admin
    from tests import pg_admin

    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    await asyncio.to_thread(pg_admin.create_database, base, name)
    try:
        yield base.rsplit("/", 1)[0] + f"/{name}"
    finally:
        await asyncio.to_thread(pg_admin.drop_database, base, name)


@contextlib.contextmanager
def worktree(commit: str, prefix: str) -> Iterator[tuple[str, Path]]:
    """`commit` checked out into a temporary git worktree: (short sha, folder), removed afterwards."""
    sha = subprocess.run(
        ["git", "rev-parse", "--short", commit], cwd=REPO_ROOT, check=True, capture_output=True, text=True
    ).stdout.strip()
    folder = Path(tempfile.mkdtemp(prefix=f"{prefix}-{sha}-")) / "tree"
    subprocess.run(
        ["git", "worktree", "add", "--detach", str(folder), sha],
        cwd=REPO_ROOT,
        check=True,
        capture_output=True,
    )
    try:
        yield sha, folder
    finally:
        subprocess.run(
            ["git", "worktree", "remove", "--force", str(folder)], cwd=REPO_ROOT, capture_output=True
        )
        shutil.rmtree(folder.parent, ignore_errors=True)
