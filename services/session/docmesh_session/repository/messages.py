"""Queries on a session's messages: appends, a turn's commit (an append with its revision,
usage and title), their idempotent replays, and reading the history.

An append or a commit first runs one conditional `UPDATE sessions ... RETURNING` that takes
the session's row lock (PostgreSQL) or the database write lock (SQLite), checks the token
limit / expected version / status in its WHERE clause and allocates the next sequence
numbers from the counters it returns. Two writers can therefore never get the same sequence,
and no work depends on the history's length.

On PostgreSQL the whole write is ONE statement: the UPDATE is a data-modifying CTE and the
idempotency record, the messages, the revision and the usage are INSERT ... SELECT from its
RETURNING row, so an append that matched nothing inserts nothing. One statement is its own
transaction: no BEGIN / COMMIT, one round trip instead of 5 (an append) to 7 (a turn's commit);
a chat turn makes two of them (issue 16: the session's CPU per turn). SQLite has no UPDATE in a
CTE, so there the same rows are written by one statement each inside a write transaction, as
are unusually large appends on PostgreSQL (_ONE_STATEMENT_MAX_ROWS).
"""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from collections.abc import Sequence
from typing import Any

import asyncpg
from sqlalchemy import (
    CTE,
    BigInteger,
    ColumnElement,
    Select,
    Table,
    Update,
    and_,
    bindparam,
    delete,
    insert,
    null,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from docmesh_session.database import Database
from docmesh_session.domain import (
    AppendAttempt,
    AppendOutcome,
    AppendResult,
    MessageRecord,
    NewMessage,
    NewRevision,
    RevisionRecord,
    SessionRecord,
    Status,
    TurnExtras,
    UsageRecord,
)
from docmesh_session.mapping import (
    message_from_row,
    message_to_row,
    revision_to_row,
    session_from_record,
    session_from_row,
    usage_to_row,
)
from docmesh_session.models import (
    IDEMPOTENCY_KEYS,
    MESSAGES,
    REVISIONS,
    SESSIONS,
    TURN_LEASES,
    USAGE,
    UTCDateTime,
)
from docmesh_session.repository.keyset import keyset_page
from docmesh_session.repository.revisions import (
    REVISION_KEEPS_NUMBER,
    STAGE_AFTER_REVISION,
    changes_finalized,
    insert_revision,
    new_revision_record,
    select_revision,
)
from docmesh_session.repository.sessions import get_session
from docmesh_session.repository.usage import insert_usage, new_usage_record


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
    s = SESSIONS.c
    conditions = [
        s.id == bindparam("p_id"),
        s.owner_id == bindparam("p_owner"),
        s.delete_time.is_(None),
        s.status == Status.ACTIVE.value,
        s.token_count + bindparam("p_tokens", type_=BigInteger()) <= bindparam("p_limit", type_=BigInteger()),
    ]
    if check_version:
        conditions.append(s.version == bindparam("p_expected", type_=BigInteger()))
    if check_message:
        conditions.append(
            select(MESSAGES.c.id)
            .where(MESSAGES.c.session_id == s.id, MESSAGES.c.id == bindparam("p_message"))
            .exists()
        )
    values: dict[str, Any] = {
        "version": s.version + 1,
        "token_count": s.token_count + bindparam("p_tokens", type_=BigInteger()),
        "message_count": s.message_count + bindparam("p_count", type_=BigInteger()),
        "update_time": bindparam("p_now", type_=UTCDateTime()),
        "last_activity_time": bindparam("p_now", type_=UTCDateTime()),
        "expire_time": bindparam("p_expire", type_=UTCDateTime()),
    }
    if revision:
        conditions.append(REVISION_KEEPS_NUMBER)
        values["latest_revision_number"] = s.latest_revision_number + 1
        values["stage"] = STAGE_AFTER_REVISION
    if title:
        values["title"] = bindparam("p_title")
    return update(SESSIONS).where(*conditions).values(**values).returning(*SESSIONS.c)


# Keyed by (check_version, revision, title, check_message).
_APPEND_UPDATE = {
    flags: _append_update(check_version=flags[0], revision=flags[1], title=flags[2], check_message=flags[3])
    for flags in itertools.product((False, True), repeat=4)
}
_INSERT_MESSAGE = insert(MESSAGES)
_INSERT_APPEND = insert(IDEMPOTENCY_KEYS)
_SELECT_MESSAGE_ID = select(MESSAGES.c.id).where(
    MESSAGES.c.session_id == bindparam("p_id"), MESSAGES.c.id == bindparam("p_message")
)
_SELECT_APPEND = select(IDEMPOTENCY_KEYS).where(
    IDEMPOTENCY_KEYS.c.session_id == bindparam("p_id"),
    IDEMPOTENCY_KEYS.c.idempotency_key == bindparam("p_key"),
)


def insert_from(table: Table, name: str, upd: CTE, values: dict[str, ColumnElement[Any]]) -> CTE:
    """INSERT INTO `table` one row of `values` for the row the UPDATE `upd` returned (none when
    it matched nothing), as a CTE named `name`."""
    rows = select(*(value.label(column) for column, value in values.items())).select_from(upd)
    return insert(table).from_select(list(values), rows).cte(name)


def bound_columns(table: Table, prefix: str, *computed: str) -> dict[str, ColumnElement[Any]]:
    """Every column of `table` but `computed`, bound as `prefix` + its name with the column's
    type (so the driver gets the type the column has, as a plain INSERT would)."""
    return {c.name: bindparam(prefix + c.name, type_=c.type) for c in table.c if c.name not in computed}


# A commit that frees its turn's lease (p_holder), as ReleaseTurnLease does.
_RELEASE_LEASE = delete(TURN_LEASES).where(
    TURN_LEASES.c.session_id == bindparam("p_id"), TURN_LEASES.c.holder == bindparam("p_holder")
)


def one_statement(
    flags: tuple[bool, bool, bool, bool],
    messages: int,
    keyed: bool,
    usage: int,
    release: bool,
    requires: ColumnElement[bool] | None = None,
    history: bool = False,
) -> Select[Any]:
    """The PostgreSQL append / commit as one statement (see the module docstring): the UPDATE's
    RETURNING row is the result, every INSERT takes its counters from it. `requires` is one
    more condition of the UPDATE (BeginTurn's: the turn lease a CTE of it took). With
    `history`, a row per message before the appended ones (its columns prefixed "h_"; one row
    of NULLs when there is none), the last of them joined with the session's latest revision
    (prefixed "r_"), as the statement's snapshot holds them: see TurnQueries.append_leased."""
    update_statement = _APPEND_UPDATE[flags]
    if requires is not None:
        update_statement = update_statement.where(requires)
    upd = update_statement.cte("upd")
    count = bindparam("p_count", type_=BigInteger())
    first = upd.c.message_count - count + 1
    revision = flags[1]
    inserts = []
    if keyed:
        # The key's primary key still finds a retry: its INSERT fails the whole statement.
        inserts.append(
            insert_from(
                IDEMPOTENCY_KEYS,
                "k",
                upd,
                {
                    **bound_columns(
                        IDEMPOTENCY_KEYS, "k_", "session_id", "first_sequence", "revision_number"
                    ),
                    "session_id": upd.c.id,
                    "first_sequence": first,
                    "revision_number": upd.c.latest_revision_number if revision else null(),
                },
            )
        )
    for i in range(messages):
        values = {
            **bound_columns(MESSAGES, f"m{i}_", "session_id", "sequence"),
            "session_id": upd.c.id,
            "sequence": first + i,
        }
        inserts.append(insert_from(MESSAGES, f"m{i}", upd, values))
    if revision:
        values = {**bound_columns(REVISIONS, "r_", "session_id", "number"), "session_id": upd.c.id}
        values["number"] = upd.c.latest_revision_number
        inserts.append(insert_from(REVISIONS, "r", upd, values))
    for i in range(usage):
        inserts.append(insert_from(USAGE, f"u{i}", upd, bound_columns(USAGE, f"u{i}_")))
    if release:
        # Only with a stored commit: the DELETE names the UPDATE's row.
        lease = TURN_LEASES.c
        inserts.append(
            delete(TURN_LEASES)
            .where(lease.session_id.in_(select(upd.c.id)), lease.holder == bindparam("p_holder"))
            .cte("l")
        )
    if history:
        before = upd.c.message_count - count
        read = (
            select(
                upd,
                *(c.label(f"h_{c.name}") for c in MESSAGES.c),
                *(c.label(f"r_{c.name}") for c in REVISIONS.c),
            )
            .select_from(
                upd.outerjoin(
                    MESSAGES, and_(MESSAGES.c.session_id == upd.c.id, MESSAGES.c.sequence <= before)
                ).outerjoin(
                    REVISIONS,
                    and_(
                        REVISIONS.c.session_id == upd.c.id,
                        REVISIONS.c.number == upd.c.latest_revision_number,
                        MESSAGES.c.sequence == before,
                    ),
                )
            )
            .order_by(MESSAGES.c.sequence)
        )
        return read.add_cte(*inserts)
    return select(upd).add_cte(*inserts)


# The one statement is for the usual write (a turn's message or reply, a few usage records):
# larger ones (up to DOCMESH_MAX_MESSAGES_PER_APPEND messages) take the transaction, whose
# statements do not grow with the rows, nor make a statement shape per row count.
_ONE_STATEMENT_MAX_ROWS = 16

# Built once per shape (the UPDATE's flags, how many messages, keyed or not, how many usage
# records, freeing a lease) and reused, like _APPEND_UPDATE: the statement's cache key is
# computed once.
_ONE_STATEMENT: dict[tuple[tuple[bool, bool, bool, bool], int, bool, int, bool], Select[Any]] = {}


def _prefixed(prefix: str, row: dict[str, Any]) -> dict[str, Any]:
    return {prefix + name: value for name, value in row.items()}


class _Rollback(Exception):
    """Raised inside a write to roll it back and hand a value out."""

    def __init__(self, value: AppendAttempt) -> None:
        self.value = value


class MessageQueries:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def append(
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
        if revision is not None:
            parameters["p_number"] = revision.document_number
        release = extras.release_lease if extras is not None else None
        if release is not None:
            parameters["p_holder"] = release
        flags = (
            expected_version is not None,
            revision is not None,
            title is not None,
            message_id is not None,
        )
        usage_count = len(extras.usage) if extras is not None else 0
        if not self._db.is_sqlite and len(messages) + usage_count <= _ONE_STATEMENT_MAX_ROWS:
            return await self._append_in_one(
                owner_id,
                session_id,
                messages,
                token_counts,
                parameters,
                flags,
                extras,
                idempotency_key=idempotency_key,
                fingerprint=fingerprint,
                now=now,
                expected_version=expected_version,
                token_limit=token_limit,
            )
        saved: RevisionRecord | None = None
        try:
            async with self._db.write() as conn:
                # Takes the row lock first, so what follows sees every append that committed
                # before us.
                row = (await conn.execute(_APPEND_UPDATE[flags], parameters)).first()
                if row is None:
                    # A retry is answered before a refusal: its first attempt may be what
                    # filled the session or changed its version.
                    if idempotency_key:
                        replay = await _replay(conn, owner_id, session_id, idempotency_key, fingerprint)
                        if replay is not None:
                            raise _Rollback(replay)
                    raise _Rollback(
                        await _refusal(
                            conn,
                            owner_id,
                            session_id,
                            expected_version,
                            tokens,
                            token_limit,
                            message_id,
                            revision,
                        )
                    )
                session = session_from_row(row)
                first_sequence = session.message_count - count + 1
                if revision is not None:
                    saved = new_revision_record(session_id, session.latest_revision_number, revision, now)
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
                stored = await _insert_messages(
                    conn, session, messages, token_counts, idempotency_key=idempotency_key, now=now
                )
                if saved is not None:
                    await insert_revision(conn, saved)
                if extras is not None and extras.usage:
                    await insert_usage(
                        conn, owner_id, [new_usage_record(usage, now) for usage in extras.usage]
                    )
                if release is not None:
                    await conn.execute(_RELEASE_LEASE, {"p_id": session_id, "p_holder": release})
        except _Rollback as done:
            # A replay or a refusal, read after an UPDATE that matched nothing: the session
            # it carries is the committed one.
            return done.value
        except IntegrityError:
            # The key is taken: this is a retry of an append that committed (before we took
            # the row lock, or while we waited for it); answer as its retry.
            if not idempotency_key:
                raise
            async with self._db.read() as conn:
                replay = await _replay(conn, owner_id, session_id, idempotency_key, fingerprint)
            if replay is None:
                raise
            return replay
        return AppendAttempt(
            AppendOutcome.STORED,
            AppendResult(session, stored, replayed=False),
            session=session,
            revision=saved,
        )

    async def _append_in_one(
        self,
        owner_id: str,
        session_id: uuid.UUID,
        messages: Sequence[NewMessage],
        token_counts: Sequence[int],
        parameters: dict[str, Any],
        flags: tuple[bool, bool, bool, bool],
        extras: TurnExtras | None,
        *,
        idempotency_key: str,
        fingerprint: str,
        now: dt.datetime,
        expected_version: int | None,
        token_limit: int,
    ) -> AppendAttempt:
        """`append` on PostgreSQL: the same rows, written by one statement (module docstring)."""
        revision = extras.revision if extras is not None else None
        usage = [new_usage_record(u, now) for u in extras.usage] if extras is not None else []
        shape = (flags, len(messages), bool(idempotency_key), len(usage), "p_holder" in parameters)
        statement = _ONE_STATEMENT.get(shape)
        if statement is None:
            statement = _ONE_STATEMENT.setdefault(shape, one_statement(*shape))
        written = await write_in_one(
            self._db,
            statement,
            owner_id,
            session_id,
            messages,
            token_counts,
            parameters,
            revision=revision,
            usage=usage,
            idempotency_key=idempotency_key,
            fingerprint=fingerprint,
            now=now,
        )
        if written is None:
            # Nothing was written: a replay, or why the UPDATE matched nothing.
            async with self._db.read() as conn:
                if idempotency_key:
                    replay = await _replay(conn, owner_id, session_id, idempotency_key, fingerprint)
                    if replay is not None:
                        return replay
                return await _refusal(
                    conn,
                    owner_id,
                    session_id,
                    expected_version,
                    sum(token_counts),
                    token_limit,
                    extras.revision_message_id if extras is not None else None,
                    revision,
                )
        return stored_in_one(written, messages, token_counts, revision, now)

    async def page(
        self, session_id: uuid.UUID, *, after_sequence: int | None, limit: int
    ) -> list[MessageRecord]:
        """Oldest first, from the message after `after_sequence` (None: from the first)."""
        query = keyset_page(
            select(MESSAGES).where(MESSAGES.c.session_id == session_id),
            (MESSAGES.c.sequence,),
            None if after_sequence is None else (after_sequence,),
            descending=False,
            limit=limit,
        )
        async with self._db.read() as conn:
            rows = await conn.execute(query)
            return [message_from_row(r) for r in rows]

    async def exists(self, session_id: uuid.UUID, message_id: uuid.UUID) -> bool:
        async with self._db.read() as conn:
            found = await conn.execute(_SELECT_MESSAGE_ID, {"p_id": session_id, "p_message": message_id})
            return found.first() is not None


async def write_in_one(
    db: Database,
    statement: Select[Any],
    owner_id: str,
    session_id: uuid.UUID,
    messages: Sequence[NewMessage],
    token_counts: Sequence[int],
    parameters: dict[str, Any],
    *,
    revision: NewRevision | None,
    usage: Sequence[UsageRecord],
    idempotency_key: str,
    fingerprint: str,
    now: dt.datetime,
) -> tuple[SessionRecord, list[uuid.UUID], list[Any]] | None:
    """Run a one-statement append (`_one_statement`'s shape for these rows): the session as its
    UPDATE returned it, the ids of the messages it inserted and the statement's rows (the
    driver's records); None when it wrote nothing
    (the UPDATE matched no row, or the key is taken: a retry of an append that committed
    first, see `MessageQueries.append`)."""
    ids = [uuid.uuid4() for _ in messages]
    values = dict(parameters)
    if idempotency_key:
        values.update(
            k_idempotency_key=idempotency_key,
            k_message_count=len(messages),
            k_fingerprint=fingerprint,
            k_create_time=now,
        )
    for i, (message, message_id) in enumerate(zip(messages, ids, strict=True)):
        values.update(
            {
                f"m{i}_id": message_id,
                f"m{i}_role": message.role.value,
                f"m{i}_content": message.content,
                f"m{i}_token_count": token_counts[i],
                f"m{i}_create_time": now,
                f"m{i}_idempotency_key": idempotency_key or None,
            }
        )
    if revision is not None:
        # The number is the UPDATE's; the record's other fields are bound as they are.
        values.update(_prefixed("r_", revision_to_row(new_revision_record(session_id, 0, revision, now))))
    for i, record in enumerate(usage):
        values.update(_prefixed(f"u{i}_", usage_to_row(record, owner_id)))
    try:
        # On the pooled driver connection (Database.fetch): one statement in autocommit,
        # committed before this returns, for about half of SQLAlchemy's CPU.
        rows = await db.fetch(statement, values)
    except asyncpg.UniqueViolationError:
        # The idempotency key's primary key (the statement wrote nothing: it is one
        # transaction). Any other violation is a fault, as it was through SQLAlchemy.
        if not idempotency_key:
            raise
        return None
    return (session_from_record(rows[0]), ids, rows) if rows else None


def stored_in_one(
    written: tuple[SessionRecord, list[uuid.UUID], list[Any]],
    messages: Sequence[NewMessage],
    token_counts: Sequence[int],
    revision: NewRevision | None,
    now: dt.datetime,
) -> AppendAttempt:
    """The records a one-statement write stored, from the session its UPDATE returned."""
    session, ids, _ = written
    first = session.message_count - len(messages) + 1
    stored = [
        MessageRecord(
            id=message_id,
            session_id=session.id,
            sequence=first + i,
            role=message.role,
            content=message.content,
            token_count=token_counts[i],
            create_time=now,
        )
        for i, (message, message_id) in enumerate(zip(messages, ids, strict=True))
    ]
    saved = (
        new_revision_record(session.id, session.latest_revision_number, revision, now)
        if revision is not None
        else None
    )
    return AppendAttempt(
        AppendOutcome.STORED,
        AppendResult(session, stored, replayed=False),
        session=session,
        revision=saved,
    )


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
    rows = [message_to_row(m, idempotency_key) for m in stored]
    # One row: a plain execute (an executemany costs more for a single row).
    await conn.execute(_INSERT_MESSAGE, rows[0] if len(rows) == 1 else rows)
    return stored


async def _replay(
    conn: AsyncConnection,
    owner_id: str,
    session_id: uuid.UUID,
    key: str,
    fingerprint: str,
) -> AppendAttempt | None:
    """The first result of the append named `key`; None when there was none."""
    first = (await conn.execute(_SELECT_APPEND, {"p_id": session_id, "p_key": key})).first()
    if first is None:
        return None
    session = await get_session(conn, owner_id, session_id)
    if session is None:
        return AppendAttempt(AppendOutcome.NOT_FOUND)
    if first.fingerprint != fingerprint:
        return AppendAttempt(AppendOutcome.KEY_REUSED, session=session)
    rows = await conn.execute(
        select(MESSAGES)
        .where(
            MESSAGES.c.session_id == session_id,
            MESSAGES.c.sequence >= first.first_sequence,
            MESSAGES.c.sequence < first.first_sequence + first.message_count,
        )
        .order_by(MESSAGES.c.sequence)
    )
    replayed = [message_from_row(r) for r in rows]
    revision = None
    if first.revision_number is not None:
        revision = await select_revision(conn, session_id, first.revision_number)
    return AppendAttempt(
        AppendOutcome.REPLAYED,
        AppendResult(session, replayed, replayed=True),
        session=session,
        revision=revision,
    )


async def _refusal(
    conn: AsyncConnection,
    owner_id: str,
    session_id: uuid.UUID,
    expected_version: int | None,
    tokens: int,
    token_limit: int,
    message_id: uuid.UUID | None = None,
    revision: NewRevision | None = None,
) -> AppendAttempt:
    """Why the conditional UPDATE matched nothing, from the session as it is now."""
    session = await get_session(conn, owner_id, session_id)
    if session is None:
        return AppendAttempt(AppendOutcome.NOT_FOUND)
    if session.delete_time is not None:
        return AppendAttempt(AppendOutcome.DELETED, session=session)
    if session.status is not Status.ACTIVE:
        return AppendAttempt(AppendOutcome.INACTIVE, session=session)
    if revision is not None and changes_finalized(session, revision):
        return AppendAttempt(AppendOutcome.FINALIZED, session=session)
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
