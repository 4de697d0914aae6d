"""Fixtures shared by every test area: real PostgreSQL, real Redis, real servers.

PostgreSQL: each test run gets a database of its own (created here, dropped at the end), so
runs never see each other's rows. Redis: each run gets a key prefix of its own.
Where a store is unreachable its tests skip with a line saying how to point at one, except
under CI=true, where they fail.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

from docmesh_dev import testenv
from docmesh_dev.ports import PortReservation, reserve_port

REPO_ROOT = Path(__file__).resolve().parent.parent
ORACLE = REPO_ROOT.parent / "shared" / "tools" / "msc-oracle" / "oracle"


def _unavailable(what: str, how: str) -> None:
    message = f"{what} is not reachable; {how}"
    if testenv.in_ci():
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def run_id() -> str:
    """A short id unique to this test run (database names, key prefixes)."""
    return uuid.uuid4().hex[:10]


@pytest.fixture(scope="session")
def pg_url(run_id: str) -> Iterator[str]:
    """SQLAlchemy URL (postgresql+asyncpg) of a fresh database for this test run."""
    base = testenv.database_url()
    if not testenv.reachable(base, 5432):
        _unavailable(f"PostgreSQL at {base}", "set DOCMESH_TEST_DATABASE_URL")
    from tests import pg_admin as admin

    name = f"docmesh_t_{run_id}"
    admin.create_database(base, name)
    parts = urlsplit(base)
    yield urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))
    admin.drop_database(base, name)


@pytest.fixture(scope="session")
def redis_url() -> str:
    """URL of the Redis the tests use (a database index shared with others: use key prefixes)."""
    url = testenv.redis_url()
    if not testenv.reachable(url, 6379):
        _unavailable(f"Redis at {url}", "set DOCMESH_TEST_REDIS_URL")
    return url


@pytest.fixture(scope="session")
def redis_prefix(run_id: str) -> str:
    """A key namespace unique to this run."""
    return f"docmesh-test-{run_id}"


@pytest.fixture
def free_port() -> Iterator[Callable[[], int]]:
    """Hands out free ports, each reserved until the test ends (docmesh_dev.ports): a process the
    test starts on one can bind it, and nothing else is handed it between the choice and the bind."""
    held: list[PortReservation] = []

    def reserve() -> int:
        held.append(reserve_port())
        return held[-1].port

    yield reserve
    for reservation in held:
        reservation.release()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'docmesh.db'}"


@pytest.fixture(scope="session")
def oracle() -> Path:
    """The MSC oracle script (node + npm); skip outside CI when node is missing."""
    import shutil

    if shutil.which("node") is None or shutil.which("npm") is None:
        _unavailable("node/npm (needed by the MSC oracle)", "install nodejs and npm")
    if not ORACLE.exists():
        _unavailable(f"the MSC oracle at {ORACLE}", "check out shared/ beside the repository")
    return ORACLE


@asynccontextmanager
async def running(
    create_server: Callable[[Any], Awaitable[tuple[Any, int]]], settings: Any
) -> AsyncIterator[Any]:
    """Start a server from its create_server(settings) on the settings' port (0 = free port)."""
    server, _port = await create_server(settings)
    await server.start()
    try:
        yield server
    finally:
        await server.stop(0.5)


@pytest.fixture(scope="session")
def run_server() -> Callable[..., Any]:
    """`async with run_server(create_server, settings) as server:` — server.port is bound."""
    return running


def pytest_configure(config: pytest.Config) -> None:
    # Subprocesses started by tests find the repo's packages the same way the tests do.
    os.environ.setdefault("DOCMESH_REPO_ROOT", str(REPO_ROOT))
