"""The database connection: the async engine and the three kinds of transaction every query runs in.

Concurrency rests on the database: an append or a revision first runs one conditional
`UPDATE sessions ... RETURNING` that takes the session's row lock (PostgreSQL) or the
database write lock (SQLite). On SQLite every write transaction starts with BEGIN IMMEDIATE
(the database write lock, shared with other processes), and an asyncio lock serialises this
process's writers so they queue in Python instead of waiting on SQLITE_BUSY.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import ClauseElement, event, literal, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry, QueuePool
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.util import greenlet_spawn

from docmesh_common.connection_errors import as_unavailable, is_connection_error

log = logging.getLogger(__name__)
# After a database restart every idle pooled connection is closed; a checkout drops up to this
# many (more than any pool docmesh configures) before it gives up with UNAVAILABLE.
_CLOSED_AT_CHECKOUT = 64


def create_engine(database_url: str, *, pool_size: int = 10, max_overflow: int = 10) -> AsyncEngine:
    """The async engine, with SQLite tuned for one writer at a time and many readers."""
    if database_url.startswith("sqlite"):
        engine = create_async_engine(database_url, connect_args={"timeout": 30})

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
            cursor = dbapi_connection.cursor()
            # WAL lets readers proceed during a write; busy_timeout makes another process's
            # writer wait instead of failing; foreign keys are off by default in SQLite.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    # No pool_pre_ping: with asyncpg it costs three round trips (BEGIN, ping, ROLLBACK) on
    # every checkout. A connection that died meanwhile fails its statement instead, which
    # invalidates it and answers UNAVAILABLE (see database_errors); callers retry.
    return create_async_engine(
        database_url,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_recycle=1800,
    )


@contextlib.contextmanager
def database_errors() -> Iterator[None]:
    """A database that cannot be reached is UNAVAILABLE (retryable), not an internal error.

    Which errors those are is decided in one place, docmesh_common.connection_errors.
    """
    try:
        yield
    except Exception as error:
        unavailable = as_unavailable(error)
        if unavailable is None:
            raise
        log.warning("database unavailable: %s", type(error).__name__)
        raise unavailable from None


@dataclass(slots=True, frozen=True)
class DriverStatement:
    """A SQLAlchemy statement compiled once for the asyncpg driver: its SQL with $n
    placeholders, the bound names in their order, the values bound in the statement itself
    (literals SQLAlchemy bound, e.g. a status) and each name's bind processor (a timestamp's
    check, JSON as text), as SQLAlchemy's own execute would apply them."""

    sql: str
    names: tuple[str, ...]
    defaults: Mapping[str, Any]
    processors: tuple[Callable[[Any], Any] | None, ...]

    def arguments(self, parameters: Mapping[str, Any]) -> list[Any]:
        """The statement's arguments from `parameters` by name (a name missing from them and
        bound by the statement itself takes that value; otherwise a KeyError)."""
        defaults = self.defaults
        values = []
        for name, process in zip(self.names, self.processors, strict=True):
            value = parameters[name] if name in parameters else defaults[name]
            values.append(value if process is None or value is None else process(value))
        return values


def compile_for_driver(statement: ClauseElement, engine: AsyncEngine) -> DriverStatement:
    """`statement` as the asyncpg driver runs it (see DriverStatement)."""
    compiled = cast(SQLCompiler, statement.compile(dialect=engine.dialect))
    names = tuple(compiled.positiontup or ())
    binds = compiled.binds
    if any(binds[name].expanding for name in names) or compiled.literal_execute_params:
        raise ValueError("a statement with expanding parameters cannot be compiled once")
    processors: Mapping[str, Any] = compiled._bind_processors  # a tuple type has a sequence: none here
    return DriverStatement(
        sql=compiled.string,
        names=names,
        defaults={name: binds[name].effective_value for name in names if not binds[name].required},
        processors=tuple(processors.get(name) for name in names),
    )


class Database:
    """The engine and its transactions: `write()`, `read()` and `snapshot()`."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.is_sqlite = engine.dialect.name == "sqlite"
        self._sqlite_write_lock = asyncio.Lock()
        # Same pool; SQLite keeps its default (its reads open no transaction anyway).
        self._reader = engine if self.is_sqlite else engine.execution_options(isolation_level="AUTOCOMMIT")
        # Statements compiled for the driver, by the id of the statement (kept alive here).
        self._compiled: dict[int, tuple[ClauseElement, DriverStatement]] = {}

    @contextlib.asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncConnection]:
        """One write transaction; on SQLite, one at a time per process."""
        with database_errors():
            if self.is_sqlite:
                async with self._sqlite_write_lock, self.engine.begin() as conn:
                    # Take the database write lock before the first read, so what this
                    # transaction reads cannot change under it (another process may write too).
                    await conn.exec_driver_sql("BEGIN IMMEDIATE")
                    yield conn
            else:
                async with self.engine.begin() as conn:
                    yield conn

    @contextlib.asynccontextmanager
    async def write_one(self) -> AsyncIterator[AsyncConnection]:
        """For one statement that is a whole write by itself (a new row): on PostgreSQL in
        autocommit, where the statement is its own transaction, committed before `execute`
        returns; one round trip instead of BEGIN / statement / COMMIT. Elsewhere `write()`."""
        if self.is_sqlite:
            async with self.write() as conn:
                yield conn
            return
        with database_errors():
            async with self._reader.connect() as conn:
                yield conn

    @contextlib.asynccontextmanager
    async def driver(self) -> AsyncIterator[Any]:
        """PostgreSQL only: a pooled connection's asyncpg connection itself, outside any
        transaction, for one hot statement that is a whole write by itself: it commits on its
        own before `execute` returns (durable before the ack), as in `write_one`.

        The same pool as every other query. SQLAlchemy's execute of a prebuilt statement costs
        about 250 us of CPU more than the driver's (a session insert: 490 vs 230 us per call,
        sequential, checkout included): the compiled-cache lookup, cursor adaptation, result
        objects and greenlet switches of every call. The caller passes values as the driver
        takes them (JSONB as JSON text, as SQLAlchemy's asyncpg codec does).
        """
        assert not self.is_sqlite, "driver() is for PostgreSQL; SQLite goes through write_one()"
        with database_errors():
            pooled = await self._checkout()
            connection = pooled.driver_connection
            try:
                yield connection
            except Exception as error:
                if not connection.is_closed():
                    await self._return(pooled)  # a statement's own error: still usable
                    raise
                # Not to be handed out again (invalidate() also returns it to the pool); a
                # statement on a connection the server closed is a dependency fault
                # (UNAVAILABLE), whatever the driver called it.
                pooled.invalidate()
                if not is_connection_error(error):
                    raise ConnectionResetError("the database connection was closed") from error
                raise
            except BaseException:
                # Cancelled midway: the protocol may be mid-exchange; never reuse it.
                pooled.invalidate()
                raise
            await self._return(pooled)

    def for_driver(self, statement: ClauseElement) -> DriverStatement:
        """`statement` compiled for `driver()`, once per statement object: pass module-level
        statements built once (each new object compiles again)."""
        found = self._compiled.get(id(statement))
        if found is None:
            found = self._compiled[id(statement)] = (statement, compile_for_driver(statement, self.engine))
        return found[1]

    async def fetch(self, statement: ClauseElement, parameters: Mapping[str, Any]) -> list[Any]:
        """PostgreSQL only: the rows (asyncpg Records) of `statement` run once on a pooled
        driver connection in autocommit: a write is committed before this returns, as in
        `write_one`, for about half of SQLAlchemy's CPU per statement (see `driver`)."""
        prepared = self.for_driver(statement)
        async with self.driver() as connection:
            rows: list[Any] = await connection.fetch(prepared.sql, *prepared.arguments(parameters))
        return rows

    async def _return(self, pooled: Any) -> None:
        """Back to the pool, without an await while it has room. One it has no room for (an
        overflow connection) is closed, which awaits: in a greenlet, as SQLAlchemy closes, and
        shielded, so that a caller cancelled meanwhile (its client went away) leaves no
        connection half closed."""
        pool = self.engine.sync_engine.pool
        if isinstance(pool, QueuePool) and pool.checkedin() < pool.size():
            pooled.close()
            return
        await asyncio.shield(greenlet_spawn(pooled.close))

    async def _checkout(self) -> Any:
        """A pooled connection whose driver connection is open (one the server closed while it
        was idle is dropped; SQLAlchemy's own path finds that out by failing a statement)."""
        pool = self.engine.sync_engine.pool  # looked up per call: dispose() replaces the pool
        for _ in range(_CLOSED_AT_CHECKOUT):
            pooled = await greenlet_spawn(pool.connect)
            if pooled.driver_connection is not None and not pooled.driver_connection.is_closed():
                return pooled
            pooled.invalidate()  # closes it for good and returns it to the pool
        raise ConnectionResetError("every pooled database connection was closed")

    @contextlib.asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        """Reads that need no snapshot: on PostgreSQL in autocommit (one round trip per
        statement instead of BEGIN / statement / ROLLBACK)."""
        with database_errors():
            async with self._reader.connect() as conn:
                yield conn

    @contextlib.asynccontextmanager
    async def snapshot(self) -> AsyncIterator[AsyncConnection]:
        """A read-only transaction whose statements all see one snapshot (so a session's
        counters agree with the messages read beside them)."""
        with database_errors():
            if self.is_sqlite:
                async with self.engine.connect() as conn:
                    # The driver opens no transaction for SELECTs; an explicit BEGIN makes
                    # the WAL snapshot of the first read hold for the rest.
                    await conn.exec_driver_sql("BEGIN")
                    try:
                        yield conn
                    finally:
                        await conn.rollback()
            else:
                async with self.engine.connect() as conn:
                    conn = await conn.execution_options(isolation_level="REPEATABLE READ")
                    async with conn.begin():
                        yield conn

    async def ping(self) -> bool:
        async with self.read() as conn:
            await conn.execute(select(literal(1)))
        return True
