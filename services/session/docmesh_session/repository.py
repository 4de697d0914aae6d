"""Every query of the session service, on one SQLAlchemy Core code path for PostgreSQL and SQLite.

Concurrency rests on the database: an append or a revision first runs one conditional
`UPDATE sessions ... RETURNING` that takes the session's row lock (PostgreSQL) or the
database write lock (SQLite), checks the token limit / expected version / status in its
WHERE clause and allocates the next sequence numbers from the counters it returns. Two
writers can therefore never get the same sequence, and no work depends on the history's
length. On SQLite every write transaction starts with BEGIN IMMEDIATE (the database write
lock, shared with other processes), and an asyncio lock serialises this process's writers so
they queue in Python instead of waiting on SQLITE_BUSY.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import itertools
import logging
import uuid
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Row,
    Table,
    Update,
    bindparam,
    case,
    delete,
    event,
    func,
    insert,
    literal,
    select,
    tuple_,
    update,
)
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry

from docmesh_common.errors import Unavailable
from docmesh_session.domain import (
    AppendResult,
    MessageRecord,
    NewMessage,
    NewRevision,
    NewUsage,
    RevisionRecord,
    Role,
    SessionFilter,
    SessionOrder,
    SessionRecord,
    SessionView,
    Stage,
    Status,
    UsageRecord,
    UsageReport,
    UsageTotals,
)
from docmesh_session.models import AppendRow, MessageRow, RevisionRow, SessionRow, UsageRow, UTCDateTime

# Core tables of the ORM models: the queries below are Core statements (no ORM identity
# map or unit of work on the hot paths).
S = cast(Table, SessionRow.__table__)
M = cast(Table, MessageRow.__table__)
A = cast(Table, AppendRow.__table__)
R = cast(Table, RevisionRow.__table__)
U = cast(Table, UsageRow.__table__)
S_METADATA = S.c["metadata"]


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
    # invalidates it and answers UNAVAILABLE (see _database_errors); callers retry.
    return create_async_engine(
        database_url,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_recycle=1800,
    )


# A session's first revision moves it from collecting to drafted; later ones leave the stage.
_STAGE_AFTER_REVISION = case((S.c.stage == Stage.COLLECTING.value, Stage.DRAFTED.value), else_=S.c.stage)


def _append_update(
    *, check_version: bool, revision: bool = False, title: bool = False, check_message: bool = False
) -> Update:
    """The append's one conditional UPDATE, built once: hot statements are reused with bound
    parameters, which saves building and hashing a new statement tree on every call (about
    half of the append's CPU time).

    A turn's commit is an append that also counts a new revision (`revision`), may set the
    title (`title`, bound as p_title) and may require the message its revision names to be
    the session's (`check_message`, p_message): the same single UPDATE, so the commit bumps
    the version once, takes the row lock once and needs no extra round trip for the check."""
    conditions = [
        S.c.id == bindparam("p_id"),
        S.c.owner_id == bindparam("p_owner"),
        S.c.delete_time.is_(None),
        S.c.status == Status.ACTIVE.value,
        S.c.token_count + bindparam("p_tokens", type_=BigInteger())
        <= bindparam("p_limit", type_=BigInteger()),
    ]
    if check_version:
        conditions.append(S.c.version == bindparam("p_expected", type_=BigInteger()))
    if check_message:
        conditions.append(
            select(M.c.id).where(M.c.session_id == S.c.id, M.c.id == bindparam("p_message")).exists()
        )
    values: dict[str, Any] = {
        "version": S.c.version + 1,
        "token_count": S.c.token_count + bindparam("p_tokens", type_=BigInteger()),
        "message_count": S.c.message_count + bindparam("p_count", type_=BigInteger()),
        "update_time": bindparam("p_now", type_=UTCDateTime()),
        "last_activity_time": bindparam("p_now", type_=UTCDateTime()),
        "expire_time": bindparam("p_expire", type_=UTCDateTime()),
    }
    if revision:
        values["latest_revision_number"] = S.c.latest_revision_number + 1
        values["stage"] = _STAGE_AFTER_REVISION
    if title:
        values["title"] = bindparam("p_title")
    return update(S).where(*conditions).values(**values).returning(*S.c)


# Keyed by (check_version, revision, title, check_message).
_APPEND_UPDATE = {
    flags: _append_update(check_version=flags[0], revision=flags[1], title=flags[2], check_message=flags[3])
    for flags in itertools.product((False, True), repeat=4)
}
_INSERT_SESSION = insert(S)
_INSERT_MESSAGE = insert(M)
_INSERT_REVISION = insert(R)
_INSERT_USAGE = insert(U)
_INSERT_APPEND = insert(A)
_SELECT_MESSAGE_ID = select(M.c.id).where(
    M.c.session_id == bindparam("p_id"), M.c.id == bindparam("p_message")
)
_SELECT_SESSION = select(S).where(S.c.id == bindparam("p_id"), S.c.owner_id == bindparam("p_owner"))
_SELECT_APPEND = select(A).where(
    A.c.session_id == bindparam("p_id"), A.c.idempotency_key == bindparam("p_key")
)


class AppendOutcome(StrEnum):
    STORED = "stored"
    REPLAYED = "replayed"
    NOT_FOUND = "not_found"
    DELETED = "deleted"
    INACTIVE = "inactive"
    VERSION_CONFLICT = "version_conflict"
    TOKEN_LIMIT = "token_limit"
    KEY_REUSED = "key_reused"
    # A commit's revision names a message the session does not have.
    UNKNOWN_MESSAGE = "unknown_message"


@dataclass(slots=True)
class AppendAttempt:
    outcome: AppendOutcome
    result: AppendResult | None = None
    session: SessionRecord | None = None
    # The revision a commit saved (or, replayed, had saved) with the messages.
    revision: RevisionRecord | None = None


@dataclass(slots=True, frozen=True)
class TurnExtras:
    """What a turn's commit writes besides its messages, in the same transaction."""

    revision: NewRevision | None = None
    # The revision's message_id, parsed; it must name a message of the session.
    revision_message_id: uuid.UUID | None = None
    usage: Sequence[NewUsage] = ()
    title: str | None = None


class _Rollback(Exception):
    """Raised inside a write to roll it back and hand a value out."""

    def __init__(self, value: Any) -> None:
        self.value = value


def _session(row: Row[Any]) -> SessionRecord:
    m = row._mapping
    return SessionRecord(
        id=m["id"],
        owner_id=m["owner_id"],
        title=m["title"],
        status=Status(m["status"]),
        stage=Stage(m["stage"]),
        document_kind=m["document_kind"],
        metadata=dict(m["metadata"] or {}),
        token_count=m["token_count"],
        message_count=m["message_count"],
        latest_revision_number=m["latest_revision_number"],
        version=m["version"],
        create_time=m["create_time"],
        update_time=m["update_time"],
        last_activity_time=m["last_activity_time"],
        expire_time=m["expire_time"],
        complete_time=m["complete_time"],
        delete_time=m["delete_time"],
    )


def _message(row: Row[Any]) -> MessageRecord:
    m = row._mapping
    return MessageRecord(
        id=m["id"],
        session_id=m["session_id"],
        sequence=m["sequence"],
        role=Role(m["role"]),
        content=m["content"],
        token_count=m["token_count"],
        create_time=m["create_time"],
    )


def _revision(row: Row[Any]) -> RevisionRecord:
    m = row._mapping
    return RevisionRecord(
        session_id=m["session_id"],
        number=m["number"],
        invoice=m["invoice"],
        totals=m["totals"],
        msc=m.get("msc", ""),
        message_id=m["message_id"],
        summary=m["summary"],
        create_time=m["create_time"],
    )


def _usage(row: Row[Any]) -> UsageRecord:
    m = row._mapping
    return UsageRecord(
        id=m["id"],
        session_id=m["session_id"],
        provider=m["provider"],
        model=m["model"],
        prompt_tokens=m["prompt_tokens"],
        completion_tokens=m["completion_tokens"],
        cost_usd=Decimal(m["cost_usd"]),
        latency_ms=m["latency_ms"],
        estimated=m["estimated"],
        create_time=m["create_time"],
    )


def _revision_record(
    session_id: uuid.UUID, number: int, revision: NewRevision, now: dt.datetime
) -> RevisionRecord:
    return RevisionRecord(
        session_id=session_id,
        number=number,
        invoice=revision.invoice,
        totals=revision.totals,
        msc=revision.msc,
        message_id=revision.message_id,
        summary=revision.summary,
        create_time=now,
    )


def _usage_record(usage: NewUsage, now: dt.datetime) -> UsageRecord:
    return UsageRecord(
        id=uuid.uuid4(),
        session_id=usage.session_id,
        provider=usage.provider,
        model=usage.model,
        prompt_tokens=usage.prompt_tokens,
        completion_tokens=usage.completion_tokens,
        cost_usd=usage.cost_usd,
        latency_ms=usage.latency_ms,
        estimated=usage.estimated,
        create_time=now,
    )


log = logging.getLogger(__name__)

_ORDER_COLUMN = {
    SessionOrder.CREATE_DESC: ("create_time", True),
    SessionOrder.CREATE_ASC: ("create_time", False),
    SessionOrder.UPDATE_DESC: ("update_time", True),
    SessionOrder.UPDATE_ASC: ("update_time", False),
}


@contextlib.contextmanager
def _database_errors() -> Iterator[None]:
    """A database that cannot be reached is UNAVAILABLE (retryable), not an internal error."""
    try:
        yield
    except DBAPIError as error:
        if error.connection_invalidated or isinstance(error, OperationalError | InterfaceError):
            log.warning("database unavailable: %s", error.orig if error.orig is not None else error)
            raise Unavailable("the database is not answering; try again", retry_after_seconds=1.0) from None
        raise
    except (TimeoutError, OSError) as error:
        log.warning("database unavailable: %s: %s", type(error).__name__, error)
        raise Unavailable("the database is not answering; try again", retry_after_seconds=1.0) from None


class SessionRepository:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.is_sqlite = engine.dialect.name == "sqlite"
        self._sqlite_write_lock = asyncio.Lock()
        # Same pool; SQLite keeps its default (its reads open no transaction anyway).
        self._reader = engine if self.is_sqlite else engine.execution_options(isolation_level="AUTOCOMMIT")

    @contextlib.asynccontextmanager
    async def _write(self) -> AsyncIterator[AsyncConnection]:
        """One write transaction; on SQLite, one at a time per process."""
        with _database_errors():
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
    async def _read(self) -> AsyncIterator[AsyncConnection]:
        """Reads that need no snapshot: on PostgreSQL in autocommit (one round trip per
        statement instead of BEGIN / statement / ROLLBACK)."""
        with _database_errors():
            async with self._reader.connect() as conn:
                yield conn

    @contextlib.asynccontextmanager
    async def _snapshot(self) -> AsyncIterator[AsyncConnection]:
        """A read-only transaction whose statements all see one snapshot (so a session's
        counters agree with the messages read beside them)."""
        with _database_errors():
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
        async with self._read() as conn:
            await conn.execute(select(literal(1)))
        return True

    # ---- sessions -------------------------------------------------------------------

    async def create_session(self, record: SessionRecord) -> SessionRecord:
        async with self._write() as conn:
            # The prebuilt statement with bound values: `.values(...)` would build and hash a
            # new statement and its cache key on every call, which showed up in turn profiles.
            await conn.execute(
                _INSERT_SESSION,
                {
                    "id": record.id,
                    "owner_id": record.owner_id,
                    "title": record.title,
                    "status": record.status.value,
                    "stage": record.stage.value,
                    "document_kind": record.document_kind,
                    "metadata": record.metadata,
                    "token_count": record.token_count,
                    "message_count": record.message_count,
                    "latest_revision_number": record.latest_revision_number,
                    "version": record.version,
                    "create_time": record.create_time,
                    "update_time": record.update_time,
                    "last_activity_time": record.last_activity_time,
                    "expire_time": record.expire_time,
                    "complete_time": record.complete_time,
                    "delete_time": record.delete_time,
                },
            )
        return record

    async def get_session(self, owner_id: str, session_id: uuid.UUID) -> SessionRecord | None:
        """The owner's session, soft-deleted or not; None when absent or someone else's."""
        async with self._read() as conn:
            return await self._get_session(conn, owner_id, session_id)

    async def _get_session(
        self, conn: AsyncConnection, owner_id: str, session_id: uuid.UUID
    ) -> SessionRecord | None:
        row = (await conn.execute(_SELECT_SESSION, {"p_id": session_id, "p_owner": owner_id})).first()
        return _session(row) if row else None

    async def get_view(
        self, owner_id: str, session_id: uuid.UUID, *, with_messages: bool = False
    ) -> tuple[SessionView, list[MessageRecord]] | None:
        """Session, latest revision and (optionally) every message, read in one transaction."""
        async with self._snapshot() as conn:
            session = await self._get_session(conn, owner_id, session_id)
            if session is None:
                return None
            revision = None
            if session.latest_revision_number:
                row = (
                    await conn.execute(
                        select(R).where(
                            R.c.session_id == session_id, R.c.number == session.latest_revision_number
                        )
                    )
                ).first()
                revision = _revision(row) if row else None
            messages: list[MessageRecord] = []
            if with_messages:
                rows = await conn.execute(
                    select(M).where(M.c.session_id == session_id).order_by(M.c.sequence)
                )
                messages = [_message(r) for r in rows]
        return SessionView(session=session, latest_revision=revision), messages

    async def list_sessions(
        self,
        owner_id: str,
        filters: SessionFilter,
        *,
        after: tuple[dt.datetime, uuid.UUID] | None,
        limit: int,
    ) -> list[SessionRecord]:
        """A page in keyset order: rows strictly after `after` in (time, id) order."""
        column_name, descending = _ORDER_COLUMN[filters.order]
        column = S.c[column_name]
        query = select(S).where(S.c.owner_id == owner_id)
        if not filters.show_deleted:
            query = query.where(S.c.delete_time.is_(None))
        if filters.status is not None:
            query = query.where(S.c.status == filters.status.value)
        if filters.metadata_key:
            query = query.where(self._metadata_match(filters.metadata_key, filters.metadata_value))
        if filters.create_time_after is not None:
            query = query.where(S.c.create_time >= filters.create_time_after)
        if filters.create_time_before is not None:
            query = query.where(S.c.create_time < filters.create_time_before)
        if after is not None:
            key = tuple_(column, S.c.id)
            bound = tuple_(literal(after[0], column.type), literal(after[1], S.c.id.type))
            query = query.where(key < bound if descending else key > bound)
        if descending:
            query = query.order_by(column.desc(), S.c.id.desc())
        else:
            query = query.order_by(column.asc(), S.c.id.asc())
        async with self._read() as conn:
            rows = await conn.execute(query.limit(limit))
            return [_session(r) for r in rows]

    def _metadata_match(self, key: str, value: str) -> ColumnElement[bool]:
        """Metadata has `key` (with `value`, when given)."""
        if self.is_sqlite:
            # SQLite's JSON paths mangle keys with quotes, backslashes or non-ASCII
            # characters; json_each compares keys as plain text.
            entries = func.json_each(S_METADATA).table_valued("key", "value")
            match = select(literal(1)).select_from(entries).where(entries.c.key == key)
            if value:
                match = match.where(entries.c.value == value)
            return match.exists()
        text = S_METADATA[key].as_string()
        return text == value if value else text.is_not(None)

    async def update_session(
        self, owner_id: str, session_id: uuid.UUID, values: dict[str, Any], now: dt.datetime
    ) -> SessionRecord | None:
        """Apply `values` to a live (not deleted) session and bump its version."""
        return await self._bump(owner_id, session_id, values, now, S.c.delete_time.is_(None))

    async def _bump(
        self,
        owner_id: str,
        session_id: uuid.UUID,
        values: dict[str, Any],
        now: dt.datetime,
        *conditions: Any,
    ) -> SessionRecord | None:
        async with self._write() as conn:
            row = (
                await conn.execute(
                    update(S)
                    .where(S.c.id == session_id, S.c.owner_id == owner_id, *conditions)
                    .values(version=S.c.version + 1, update_time=now, **values)
                    .returning(*S.c)
                )
            ).first()
        return _session(row) if row else None

    async def soft_delete(
        self, owner_id: str, session_id: uuid.UUID, now: dt.datetime
    ) -> SessionRecord | None:
        return await self._bump(owner_id, session_id, {"delete_time": now}, now, S.c.delete_time.is_(None))

    async def restore(
        self, owner_id: str, session_id: uuid.UUID, now: dt.datetime, expire_time: dt.datetime
    ) -> SessionRecord | None:
        """Undelete; the idle clock restarts so a restored session is not swept at once."""
        return await self._bump(
            owner_id,
            session_id,
            {"delete_time": None, "expire_time": expire_time},
            now,
            S.c.delete_time.is_not(None),
        )

    async def hard_delete(self, owner_id: str, session_id: uuid.UUID) -> bool:
        async with self._write() as conn:
            found = (
                await conn.execute(
                    select(S.c.id).where(S.c.id == session_id, S.c.owner_id == owner_id).with_for_update()
                )
            ).first()
            if found is None:
                return False
            await self._delete_sessions(conn, [session_id])
        return True

    @staticmethod
    async def _delete_sessions(conn: AsyncConnection, ids: Sequence[uuid.UUID]) -> None:
        for table in (M, A, R, U):
            await conn.execute(delete(table).where(table.c.session_id.in_(ids)))
        await conn.execute(delete(S).where(S.c.id.in_(ids)))

    async def set_status(
        self,
        owner_id: str,
        session_id: uuid.UUID,
        values: dict[str, Any],
        now: dt.datetime,
    ) -> SessionRecord | None:
        return await self._bump(owner_id, session_id, values, now, S.c.delete_time.is_(None))

    # ---- messages -------------------------------------------------------------------

    async def append_messages(
        self,
        owner_id: str,
        session_id: uuid.UUID,
        messages: Sequence[NewMessage],
        token_counts: Sequence[int],
        *,
        idempotency_key: str,
        fingerprint: str,
        token_limit: int,
        now: dt.datetime,
        expire_time: dt.datetime,
        expected_version: int | None = None,
        extras: TurnExtras | None = None,
    ) -> AppendAttempt:
        """One write transaction: the conditional UPDATE, then the messages, the idempotency
        record and, for a turn's commit (`extras`), its revision, usage and title, all or
        nothing.

        No replay read first: the key's primary key finds a retry inside the write, so a
        first attempt, by far the usual case, costs no extra round trip."""
        tokens = sum(token_counts)
        count = len(messages)
        revision = extras.revision if extras is not None else None
        title = extras.title if extras is not None else None
        parameters = {
            "p_id": session_id,
            "p_owner": owner_id,
            "p_tokens": tokens,
            "p_limit": token_limit,
            "p_count": count,
            "p_now": now,
            "p_expire": expire_time,
        }
        message_id = extras.revision_message_id if extras is not None else None
        if expected_version is not None:
            parameters["p_expected"] = expected_version
        if title is not None:
            parameters["p_title"] = title
        if message_id is not None:
            parameters["p_message"] = message_id
        saved: RevisionRecord | None = None
        try:
            async with self._write() as conn:
                # Takes the row lock first, so what follows sees every append that committed
                # before us.
                statement = _APPEND_UPDATE[
                    expected_version is not None,
                    revision is not None,
                    title is not None,
                    message_id is not None,
                ]
                row = (await conn.execute(statement, parameters)).first()
                if row is None:
                    # A retry is answered before a refusal: its first attempt may be what
                    # filled the session or changed its version.
                    if idempotency_key:
                        replay = await self._replay(conn, owner_id, session_id, idempotency_key, fingerprint)
                        if replay is not None:
                            raise _Rollback(replay)
                    raise _Rollback(
                        await self._refusal(
                            conn, owner_id, session_id, expected_version, tokens, token_limit, message_id
                        )
                    )
                session = _session(row)
                first_sequence = session.message_count - count + 1
                if revision is not None:
                    saved = _revision_record(session_id, session.latest_revision_number, revision, now)
                if idempotency_key:
                    # First after the UPDATE and without a SELECT before it: the key is the
                    # table's primary key, so a retry fails here with an IntegrityError (after
                    # one statement) and is answered below with the first result.
                    await conn.execute(
                        _INSERT_APPEND,
                        {
                            "session_id": session_id,
                            "idempotency_key": idempotency_key,
                            "first_sequence": first_sequence,
                            "message_count": count,
                            "fingerprint": fingerprint,
                            "create_time": now,
                            "revision_number": saved.number if saved is not None else None,
                        },
                    )
                stored = await self._insert_messages(
                    conn, session, messages, token_counts, idempotency_key=idempotency_key, now=now
                )
                if saved is not None:
                    await self._insert_revision(conn, saved)
                if extras is not None and extras.usage:
                    await self._insert_usage(
                        conn, owner_id, [_usage_record(usage, now) for usage in extras.usage]
                    )
        except _Rollback as done:
            # A replay or a refusal, read after an UPDATE that matched nothing: the session
            # it carries is the committed one.
            attempt: AppendAttempt = done.value
            return attempt
        except IntegrityError:
            # The key is taken: this is a retry of an append that committed (before we took
            # the row lock, or while we waited for it); answer as its retry.
            if not idempotency_key:
                raise
            async with self._read() as conn:
                replay = await self._replay(conn, owner_id, session_id, idempotency_key, fingerprint)
            if replay is None:
                raise
            return replay
        return AppendAttempt(
            AppendOutcome.STORED,
            AppendResult(session, stored, replayed=False),
            session=session,
            revision=saved,
        )

    @staticmethod
    async def _insert_messages(
        conn: AsyncConnection,
        session: SessionRecord,
        messages: Sequence[NewMessage],
        token_counts: Sequence[int],
        *,
        idempotency_key: str,
        now: dt.datetime,
    ) -> list[MessageRecord]:
        """The messages at the sequences the append's UPDATE allocated (the last ones)."""
        first = session.message_count - len(messages) + 1
        stored = [
            MessageRecord(
                id=uuid.uuid4(),
                session_id=session.id,
                sequence=first + i,
                role=message.role,
                content=message.content,
                token_count=token_counts[i],
                create_time=now,
            )
            for i, message in enumerate(messages)
        ]
        rows = [
            {
                "id": m.id,
                "session_id": session.id,
                "sequence": m.sequence,
                "role": m.role.value,
                "content": m.content,
                "token_count": m.token_count,
                "create_time": now,
                "idempotency_key": idempotency_key or None,
            }
            for m in stored
        ]
        # One row: a plain execute (an executemany costs more for a single row).
        await conn.execute(_INSERT_MESSAGE, rows[0] if len(rows) == 1 else rows)
        return stored

    async def _replay(
        self,
        conn: AsyncConnection,
        owner_id: str,
        session_id: uuid.UUID,
        key: str,
        fingerprint: str,
    ) -> AppendAttempt | None:
        first = (await conn.execute(_SELECT_APPEND, {"p_id": session_id, "p_key": key})).first()
        if first is None:
            return None
        session = await self._get_session(conn, owner_id, session_id)
        if session is None:
            return AppendAttempt(AppendOutcome.NOT_FOUND)
        if first.fingerprint != fingerprint:
            return AppendAttempt(AppendOutcome.KEY_REUSED, session=session)
        rows = await conn.execute(
            select(M)
            .where(
                M.c.session_id == session_id,
                M.c.sequence >= first.first_sequence,
                M.c.sequence < first.first_sequence + first.message_count,
            )
            .order_by(M.c.sequence)
        )
        replayed = [_message(r) for r in rows]
        revision = None
        if first.revision_number is not None:
            found = (
                await conn.execute(
                    select(R).where(R.c.session_id == session_id, R.c.number == first.revision_number)
                )
            ).first()
            revision = _revision(found) if found else None
        return AppendAttempt(
            AppendOutcome.REPLAYED,
            AppendResult(session, replayed, replayed=True),
            session=session,
            revision=revision,
        )

    async def _refusal(
        self,
        conn: AsyncConnection,
        owner_id: str,
        session_id: uuid.UUID,
        expected_version: int | None,
        tokens: int,
        token_limit: int,
        message_id: uuid.UUID | None = None,
    ) -> AppendAttempt:
        """Why the conditional UPDATE matched nothing, from the session as it is now."""
        session = await self._get_session(conn, owner_id, session_id)
        if session is None:
            return AppendAttempt(AppendOutcome.NOT_FOUND)
        if session.delete_time is not None:
            return AppendAttempt(AppendOutcome.DELETED, session=session)
        if session.status is not Status.ACTIVE:
            return AppendAttempt(AppendOutcome.INACTIVE, session=session)
        if expected_version is not None and session.version != expected_version:
            return AppendAttempt(AppendOutcome.VERSION_CONFLICT, session=session)
        if session.token_count + tokens > token_limit:
            return AppendAttempt(AppendOutcome.TOKEN_LIMIT, session=session)
        if message_id is not None:
            known = await conn.execute(_SELECT_MESSAGE_ID, {"p_id": session_id, "p_message": message_id})
            if known.first() is None:
                return AppendAttempt(AppendOutcome.UNKNOWN_MESSAGE, session=session)
        # The row changed between the UPDATE and this read (another append): a conflict.
        return AppendAttempt(AppendOutcome.VERSION_CONFLICT, session=session)

    async def list_messages(
        self, session_id: uuid.UUID, *, after_sequence: int, limit: int
    ) -> list[MessageRecord]:
        async with self._read() as conn:
            rows = await conn.execute(
                select(M)
                .where(M.c.session_id == session_id, M.c.sequence > after_sequence)
                .order_by(M.c.sequence)
                .limit(limit)
            )
            return [_message(r) for r in rows]

    async def message_exists(self, session_id: uuid.UUID, message_id: uuid.UUID) -> bool:
        async with self._read() as conn:
            row = (
                await conn.execute(select(M.c.id).where(M.c.session_id == session_id, M.c.id == message_id))
            ).first()
        return row is not None

    # ---- revisions ------------------------------------------------------------------

    async def save_revision(
        self,
        owner_id: str,
        session_id: uuid.UUID,
        revision: NewRevision,
        *,
        now: dt.datetime,
        expire_time: dt.datetime,
    ) -> tuple[SessionRecord, RevisionRecord] | AppendOutcome:
        async with self._write() as conn:
            row = (
                await conn.execute(
                    update(S)
                    .where(
                        S.c.id == session_id,
                        S.c.owner_id == owner_id,
                        S.c.delete_time.is_(None),
                        S.c.status == Status.ACTIVE.value,
                    )
                    .values(
                        version=S.c.version + 1,
                        latest_revision_number=S.c.latest_revision_number + 1,
                        stage=_STAGE_AFTER_REVISION,
                        update_time=now,
                        last_activity_time=now,
                        expire_time=expire_time,
                    )
                    .returning(*S.c)
                )
            ).first()
            if row is None:
                current = await self._get_session(conn, owner_id, session_id)
                if current is None:
                    return AppendOutcome.NOT_FOUND
                if current.delete_time is not None:
                    return AppendOutcome.DELETED
                return AppendOutcome.INACTIVE
            session = _session(row)
            record = _revision_record(session_id, session.latest_revision_number, revision, now)
            await self._insert_revision(conn, record)
        return session, record

    @staticmethod
    async def _insert_revision(conn: AsyncConnection, record: RevisionRecord) -> None:
        await conn.execute(
            _INSERT_REVISION,
            {
                "session_id": record.session_id,
                "number": record.number,
                "invoice": record.invoice,
                "totals": record.totals,
                "msc": record.msc,
                "message_id": record.message_id,
                "summary": record.summary,
                "create_time": record.create_time,
            },
        )

    async def get_revision(self, session_id: uuid.UUID, number: int) -> RevisionRecord | None:
        async with self._read() as conn:
            row = (
                await conn.execute(select(R).where(R.c.session_id == session_id, R.c.number == number))
            ).first()
        return _revision(row) if row else None

    async def list_revisions(
        self, session_id: uuid.UUID, *, before_number: int | None, limit: int
    ) -> list[RevisionRecord]:
        """Newest first, without the MSC text (pages stay small)."""
        columns = [c for c in R.c if c.name != "msc"]
        query = select(*columns).where(R.c.session_id == session_id)
        if before_number is not None:
            query = query.where(R.c.number < before_number)
        async with self._read() as conn:
            rows = await conn.execute(query.order_by(R.c.number.desc()).limit(limit))
            return [_revision(r) for r in rows]

    # ---- usage ----------------------------------------------------------------------

    async def record_usage(self, owner_id: str, usage: NewUsage, now: dt.datetime) -> UsageRecord:
        record = _usage_record(usage, now)
        async with self._write() as conn:
            await self._insert_usage(conn, owner_id, [record])
        return record

    @staticmethod
    async def _insert_usage(conn: AsyncConnection, owner_id: str, records: Sequence[UsageRecord]) -> None:
        rows = [
            {
                "id": record.id,
                "session_id": record.session_id,
                "owner_id": owner_id,
                "provider": record.provider,
                "model": record.model,
                "prompt_tokens": record.prompt_tokens,
                "completion_tokens": record.completion_tokens,
                "cost_usd": record.cost_usd,
                "latency_ms": record.latency_ms,
                "estimated": record.estimated,
                "create_time": record.create_time,
            }
            for record in records
        ]
        # One row: a plain execute (an executemany costs more for a single row).
        await conn.execute(_INSERT_USAGE, rows[0] if len(rows) == 1 else rows)

    async def usage_report(self, owner_id: str, session_id: uuid.UUID | None) -> UsageReport:
        query = select(
            U.c.model,
            func.count(),
            func.coalesce(func.sum(U.c.prompt_tokens), 0),
            func.coalesce(func.sum(U.c.completion_tokens), 0),
            func.coalesce(func.sum(U.c.cost_usd), 0),
        ).where(U.c.owner_id == owner_id)
        if session_id is not None:
            query = query.where(U.c.session_id == session_id)
        async with self._read() as conn:
            rows = (await conn.execute(query.group_by(U.c.model).order_by(U.c.model))).all()
        report = UsageReport(totals=UsageTotals())
        for model, calls, prompt, completion, cost in rows:
            # SQLite sums NUMERIC as floats: quantise back to the column's scale.
            amount = Decimal(str(cost)).quantize(Decimal("1e-10"))
            per_model = UsageTotals(int(calls), int(prompt), int(completion), amount)
            report.by_model[model] = per_model
            report.totals.call_count += per_model.call_count
            report.totals.prompt_tokens += per_model.prompt_tokens
            report.totals.completion_tokens += per_model.completion_tokens
            report.totals.cost_usd += per_model.cost_usd
        return report

    async def list_usage(self, session_id: uuid.UUID) -> list[UsageRecord]:
        async with self._read() as conn:
            rows = await conn.execute(select(U).where(U.c.session_id == session_id).order_by(U.c.create_time))
            return [_usage(r) for r in rows]

    # ---- sweeper --------------------------------------------------------------------

    async def abandon_idle(self, now: dt.datetime, batch: int) -> list[SessionRecord]:
        """Active sessions past their expiry become abandoned; each row is handled once.

        PostgreSQL: the inner SELECT ... FOR UPDATE SKIP LOCKED lets replicas take disjoint
        batches, and the outer WHERE re-checks the status under the lock. SQLite: the
        statement runs under the database's single write lock.
        """
        candidates = (
            select(S.c.id)
            .where(S.c.status == Status.ACTIVE.value, S.c.expire_time <= now, S.c.delete_time.is_(None))
            .order_by(S.c.expire_time)
            .limit(batch)
            .with_for_update(skip_locked=True)
        )
        async with self._write() as conn:
            rows = await conn.execute(
                update(S)
                .where(S.c.id.in_(candidates.scalar_subquery()), S.c.status == Status.ACTIVE.value)
                .values(status=Status.ABANDONED.value, version=S.c.version + 1, update_time=now)
                .returning(*S.c)
            )
            return [_session(r) for r in rows]

    async def purge_deleted(self, cutoff: dt.datetime, batch: int) -> list[uuid.UUID]:
        """Remove sessions soft-deleted before `cutoff`, with everything they own."""
        async with self._write() as conn:
            ids = list(
                (
                    await conn.execute(
                        select(S.c.id)
                        .where(S.c.delete_time.is_not(None), S.c.delete_time <= cutoff)
                        .order_by(S.c.delete_time)
                        .limit(batch)
                        .with_for_update(skip_locked=True)
                    )
                ).scalars()
            )
            if ids:
                await self._delete_sessions(conn, ids)
        return ids
