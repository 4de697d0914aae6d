"""Fixtures of the session service tests: real servers on port 0 over SQLite, PostgreSQL and Redis.

Every test works as an owner of its own (a fresh UUID), so tests sharing the run's
PostgreSQL database never see each other's sessions. Redis keys live under a namespace of
the test's own; "flushing" Redis deletes that namespace, never anything else.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import grpc
import pytest
from redis.asyncio import Redis

from docmesh.session.v1 import session_service_pb2 as pb
from docmesh.session.v1 import session_service_pb2_grpc
from docmesh.type.v1 import invoice_pb2, money_pb2
from docmesh_dev import testenv
from docmesh_session.migrate import upgrade_url
from docmesh_session.server import SessionApp, create_server
from docmesh_session.settings import SessionSettings

BACKENDS = ["sqlite", "postgres+redis"]


@contextlib.contextmanager
def statements_naming(instance: Instance, value: Any) -> Iterator[list[str]]:
    """The SQL of every statement the instance runs with `value` among its parameters (only
    the test's own: the sweeper may run beside it), whitespace folded, in order: through
    SQLAlchemy and through the driver path (Database.fetch) alike."""
    from sqlalchemy import event

    statements: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        values = parameters.values() if isinstance(parameters, dict) else parameters
        if value in tuple(values or ()):
            statements.append(" ".join(statement.split()))

    database = instance.app.repository.database
    fetch = database.fetch

    async def fetch_seen(statement: Any, parameters: Any) -> list[Any]:
        if value in parameters.values():
            statements.append(" ".join(database.for_driver(statement).sql.split()))
        return await fetch(statement, parameters)

    engine = instance.app.repository.engine.sync_engine
    event.listen(engine, "before_cursor_execute", seen)
    database.fetch = fetch_seen  # type: ignore[method-assign]
    try:
        yield statements
    finally:
        del database.fetch
        event.remove(engine, "before_cursor_execute", seen)


@dataclass
class Owner:
    """A caller: the stub plus the x-owner-id metadata every call carries."""

    stub: session_service_pb2_grpc.SessionServiceStub
    owner_id: str = field(default_factory=lambda: f"owner-{uuid.uuid4().hex[:12]}")

    @property
    def md(self) -> tuple[tuple[str, str], ...]:
        return (("x-owner-id", self.owner_id),)

    async def create(self, title: str = "Invoice for Acme", **fields: Any) -> pb.Session:
        response = await self.stub.CreateSession(
            pb.CreateSessionRequest(session=pb.Session(title=title, **fields)), metadata=self.md
        )
        return response.session

    async def append(self, session_id: str, *contents: str, **fields: Any) -> pb.AppendMessagesResponse:
        return await self.stub.AppendMessages(
            pb.AppendMessagesRequest(
                session_id=session_id,
                messages=[pb.NewMessage(role=pb.MESSAGE_ROLE_USER, content=c) for c in contents],
                **fields,
            ),
            metadata=self.md,
        )

    async def save_revision(
        self, session_id: str, *, summary: str = "", hours: str = "10", message_id: str = ""
    ) -> pb.Revision:
        response = await self.stub.SaveRevision(
            pb.SaveRevisionRequest(
                session_id=session_id,
                invoice=invoice(hours),
                msc=f"version:1.5\ncell:A1:t:{hours} hours\n",
                summary=summary,
                message_id=message_id,
                totals=invoice_pb2.InvoiceTotals(
                    subtotal=money_pb2.Money(currency_code="USD", amount=str(int(hours) * 150))
                ),
            ),
            metadata=self.md,
        )
        return response.revision

    async def get(self, session_id: str, view: int = pb.SESSION_VIEW_BASIC) -> pb.GetSessionResponse:
        return await self.stub.GetSession(
            pb.GetSessionRequest(session_id=session_id, view=view), metadata=self.md
        )


def invoice(hours: str = "10", rate: str = "150") -> invoice_pb2.Invoice:
    """A small valid invoice: `hours` of consulting at `rate` USD."""
    return invoice_pb2.Invoice(
        kind=invoice_pb2.DOCUMENT_KIND_INVOICE,
        currency_code="USD",
        buyer=invoice_pb2.Party(name="Acme Corp"),
        line_items=[
            invoice_pb2.LineItem(
                description="Consulting",
                quantity=hours,
                unit="hours",
                unit_price=money_pb2.Money(currency_code="USD", amount=rate),
            )
        ],
        taxes=[invoice_pb2.Tax(name="Sales tax", rate_percent="8")],
    )


@dataclass
class Instance:
    """One running session service."""

    server: Any
    app: SessionApp
    channel: grpc.aio.Channel
    stub: session_service_pb2_grpc.SessionServiceStub
    settings: SessionSettings

    def owner(self, owner_id: str | None = None) -> Owner:
        return Owner(self.stub, owner_id) if owner_id else Owner(self.stub)


@pytest.fixture(scope="session")
async def migrated_pg_url(pg_url: str) -> str:
    """The run's PostgreSQL database, migrated once (as `make migrate` would)."""
    await upgrade_url(pg_url)
    return pg_url


@pytest.fixture
def private_pg_url(pg_url: str, run_id: str) -> Iterator[str]:
    """A PostgreSQL database of this test alone (empty, not migrated), dropped afterwards."""
    from tests import pg_admin

    name = f"docmesh_t_{run_id}_{uuid.uuid4().hex[:6]}"
    pg_admin.create_database(pg_url, name)
    parts = urlsplit(pg_url)
    yield urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))
    pg_admin.drop_database(pg_url, name)


@pytest.fixture
async def redis_namespace(redis_prefix: str) -> AsyncIterator[str]:
    """A key namespace of this test's own, deleted afterwards."""
    namespace = f"{redis_prefix}-{uuid.uuid4().hex[:8]}"
    yield namespace
    client = Redis.from_url(testenv.redis_url())
    with contextlib.suppress(Exception):
        await delete_namespace(client, namespace)
    await client.aclose()


@pytest.fixture
async def redis_client(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url)
    yield client
    await client.aclose()


@pytest.fixture
def flush_redis(redis_client: Redis, redis_namespace: str) -> Callable[[], Any]:
    """`await flush_redis()`: delete every key of this test's namespace; returns how many."""
    return lambda: delete_namespace(redis_client, redis_namespace)


async def delete_namespace(client: Redis, namespace: str) -> int:
    """Our own "FLUSH": delete this test's keys and nothing else."""
    deleted = 0
    async for key in client.scan_iter(match=f"{namespace}:*", count=500):
        deleted += await client.delete(key)
    return deleted


async def _start(stack: contextlib.AsyncExitStack, database_url: str, overrides: dict[str, Any]) -> Instance:
    values: dict[str, Any] = {
        "DOCMESH_SESSION_PORT": 0,
        "DOCMESH_SESSION_METRICS_PORT": 0,
        "DOCMESH_DATABASE_URL": database_url,
        "DOCMESH_AUTO_MIGRATE": True,
        "DOCMESH_SESSION_SWEEP_INTERVAL_SECONDS": 0,
    }
    values.update(overrides)
    settings = SessionSettings(**values)
    server, port = await create_server(settings)
    await server.start()
    stack.push_async_callback(server.stop, 0.2)
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{port}")
    stack.push_async_callback(channel.close)
    return Instance(
        server=server,
        app=server.app,
        channel=channel,
        stub=session_service_pb2_grpc.SessionServiceStub(channel),
        settings=settings,
    )


@pytest.fixture
async def start_instance() -> AsyncIterator[Callable[..., Any]]:
    """`await start_instance(database_url, **settings)` -> a running Instance of this test alone."""
    stack = contextlib.AsyncExitStack()

    async def start(database_url: str, **overrides: Any) -> Instance:
        return await _start(stack, database_url, overrides)

    yield start
    await stack.aclose()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
async def instance_pool(
    tmp_path_factory: pytest.TempPathFactory, redis_prefix: str
) -> AsyncIterator[Callable[..., Any]]:
    """Running services shared by the tests that ask for the same backend and settings.

    Sharing is safe because every test acts as owners of its own; it keeps the suite fast
    (a server start and stop costs about half a second).
    """
    stack = contextlib.AsyncExitStack()
    started: dict[tuple[tuple[str, Any], ...], Instance] = {}
    folder = tmp_path_factory.mktemp("session-pool")

    async def get(backend: str, database_url: str, overrides: dict[str, Any]) -> Instance:
        key = (("backend", backend), *sorted(overrides.items()))
        if key not in started:
            values = dict(overrides)
            if database_url == "sqlite":
                database_url = f"sqlite+aiosqlite:///{folder / f'pool-{len(started)}.db'}"
            if "DOCMESH_REDIS_URL" in values:
                values.setdefault("DOCMESH_REDIS_NAMESPACE", f"{redis_prefix}-pool-{len(started)}")
            started[key] = await _start(stack, database_url, values)
        return started[key]

    yield get
    await stack.aclose()
    client = Redis.from_url(testenv.redis_url())
    with contextlib.suppress(Exception):
        await delete_namespace(client, f"{redis_prefix}-pool-*")
    await client.aclose()


@pytest.fixture
def backend_settings(backend: str, request: pytest.FixtureRequest) -> tuple[str, dict[str, Any]]:
    """Database URL and settings that put a service on `backend`, plus the test's
    `session_settings` marker.

    Sync on purpose: the shared fixtures it pulls in lazily must not run inside the event loop.
    """
    marker = request.node.get_closest_marker("session_settings")
    overrides: dict[str, Any] = dict(marker.kwargs) if marker else {}
    database_url = request.getfixturevalue("migrated_pg_url") if backend.startswith("postgres") else "sqlite"
    if backend.endswith("+redis"):
        overrides.setdefault("DOCMESH_REDIS_URL", request.getfixturevalue("redis_url"))
    return database_url, overrides


@pytest.fixture
async def instance(
    backend: str, backend_settings: tuple[str, dict[str, Any]], instance_pool: Callable[..., Any]
) -> Instance:
    """A running service on the parametrised backend (shared with tests of the same settings)."""
    database_url, overrides = backend_settings
    return await instance_pool(backend, database_url, overrides)


@pytest.fixture
def alice(instance: Instance) -> Owner:
    return instance.owner()


@pytest.fixture
def bob(instance: Instance) -> Owner:
    return instance.owner()


class TcpProxy:
    """A real TCP proxy in front of Redis that a test can stop (connections cut) and start again."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        # Seconds every chunk waits before it is forwarded: a slow network to Redis.
        self.delay = 0.0
        self.port = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            for writer in list(self._writers):
                writer.transport.abort()
            self._writers.clear()
            await self._server.wait_closed()
            self._server = None

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        self._writers.update({writer, up_writer})

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            try:
                while data := await src.read(65536):
                    if self.delay:
                        await asyncio.sleep(self.delay)
                    dst.write(data)
                    await dst.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                dst.transport.abort()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
        self._writers.difference_update({writer, up_writer})


@pytest.fixture
async def redis_proxy(redis_url: str) -> AsyncIterator[TcpProxy]:
    from urllib.parse import urlsplit

    parts = urlsplit(redis_url)
    proxy = TcpProxy(parts.hostname or "127.0.0.1", parts.port or 6379)
    await proxy.start()
    yield proxy
    await proxy.stop()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "session_settings(**env): settings overrides for the `instance` fixture"
    )
