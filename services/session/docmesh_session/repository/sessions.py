"""Queries on sessions themselves: create, read, list, change, delete, and the sweeper's batches."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, String, bindparam, delete, func, insert, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from docmesh_session.database import Database
from docmesh_session.domain import (
    MessageRecord,
    SessionFilter,
    SessionOrder,
    SessionRecord,
    SessionView,
    Status,
)
from docmesh_session.mapping import message_from_row, revision_from_row, session_from_row, session_to_row
from docmesh_session.models import IDEMPOTENCY_KEYS, MESSAGES, REVISIONS, SESSIONS, USAGE
from docmesh_session.repository.keyset import keyset_page

_INSERT_SESSION = insert(SESSIONS)
# The same insert as the asyncpg driver runs it on PostgreSQL (Database.driver), its columns
# taken from the table; values in this order (`_driver_values`).
_SESSION_COLUMNS = tuple(column.name for column in SESSIONS.c)
_INSERT_SESSION_SQL = "INSERT INTO sessions ({}) VALUES ({})".format(
    ", ".join(f'"{name}"' for name in _SESSION_COLUMNS),
    ", ".join(f"${index}" for index in range(1, len(_SESSION_COLUMNS) + 1)),
)
_METADATA_INDEX = _SESSION_COLUMNS.index("metadata")
_SELECT_SESSION = select(SESSIONS).where(
    SESSIONS.c.id == bindparam("p_id"), SESSIONS.c.owner_id == bindparam("p_owner")
)
_METADATA = SESSIONS.c["metadata"]
# The id of the owner's newest live session whose metadata has p_key = p_value (what `page`
# finds, newest first, for that filter), built once: a keyed first turn looks for the session
# its first try made.
_SELECT_NAMED = (
    select(SESSIONS.c.id)
    .where(
        SESSIONS.c.owner_id == bindparam("p_owner", type_=String()),
        SESSIONS.c.delete_time.is_(None),
        _METADATA[bindparam("p_key", type_=String())].as_string() == bindparam("p_value", type_=String()),
    )
    .order_by(SESSIONS.c.create_time.desc(), SESSIONS.c.id.desc())
    .limit(1)
)
# The keyset of each listing order: (time column, id), and whether it runs newest first.
_ORDER_KEY = {
    SessionOrder.CREATE_DESC: (SESSIONS.c.create_time, True),
    SessionOrder.CREATE_ASC: (SESSIONS.c.create_time, False),
    SessionOrder.UPDATE_DESC: (SESSIONS.c.update_time, True),
    SessionOrder.UPDATE_ASC: (SESSIONS.c.update_time, False),
}


async def get_session(conn: AsyncConnection, owner_id: str, session_id: uuid.UUID) -> SessionRecord | None:
    """The owner's session, soft-deleted or not, inside a transaction another query opened."""
    row = (await conn.execute(_SELECT_SESSION, {"p_id": session_id, "p_owner": owner_id})).first()
    return session_from_row(row) if row else None


async def delete_sessions(conn: AsyncConnection, ids: Sequence[uuid.UUID]) -> None:
    """Sessions removed for good, with everything they own."""
    for table in (MESSAGES, IDEMPOTENCY_KEYS, REVISIONS, USAGE):
        await conn.execute(delete(table).where(table.c.session_id.in_(ids)))
    await conn.execute(delete(SESSIONS).where(SESSIONS.c.id.in_(ids)))


def _driver_values(row: dict[str, Any]) -> list[Any]:
    """A session row as asyncpg binds it: in column order, the JSONB metadata as JSON text."""
    values = [row[name] for name in _SESSION_COLUMNS]
    values[_METADATA_INDEX] = json.dumps(row["metadata"])
    return values


class SessionQueries:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def create(self, record: SessionRecord) -> SessionRecord:
        # One statement, committed on its own before this returns (durable before the ack).
        row = session_to_row(record)
        if not self._db.is_sqlite:
            async with self._db.driver() as driver:
                await driver.execute(_INSERT_SESSION_SQL, *_driver_values(row))
            return record
        async with self._db.write_one() as conn:
            # The prebuilt statement with bound values: `.values(...)` would build and hash a
            # new statement and its cache key on every call, which showed up in turn profiles.
            await conn.execute(_INSERT_SESSION, row)
        return record

    async def named(self, owner_id: str, key: str, value: str) -> uuid.UUID | None:
        """The owner's newest live session whose metadata has `key` = `value` (non-empty), as
        `page` with that filter finds it; on PostgreSQL one statement built once, on the driver."""
        if self._db.is_sqlite:
            found = await self.page(
                owner_id, SessionFilter(metadata_key=key, metadata_value=value), after=None, limit=1
            )
            return found[0].id if found else None
        rows = await self._db.fetch(_SELECT_NAMED, {"p_owner": owner_id, "p_key": key, "p_value": value})
        return rows[0]["id"] if rows else None

    async def get(self, owner_id: str, session_id: uuid.UUID) -> SessionRecord | None:
        """The owner's session, soft-deleted or not; None when absent or someone else's."""
        async with self._db.read() as conn:
            return await get_session(conn, owner_id, session_id)

    async def get_view(
        self, owner_id: str, session_id: uuid.UUID, *, with_messages: bool = False
    ) -> tuple[SessionView, list[MessageRecord]] | None:
        """Session, latest revision and (optionally) every message, read in one transaction."""
        async with self._db.snapshot() as conn:
            session = await get_session(conn, owner_id, session_id)
            if session is None:
                return None
            revision = None
            if session.latest_revision_number:
                row = (
                    await conn.execute(
                        select(REVISIONS).where(
                            REVISIONS.c.session_id == session_id,
                            REVISIONS.c.number == session.latest_revision_number,
                        )
                    )
                ).first()
                revision = revision_from_row(row) if row else None
            messages: list[MessageRecord] = []
            if with_messages:
                rows = await conn.execute(
                    select(MESSAGES).where(MESSAGES.c.session_id == session_id).order_by(MESSAGES.c.sequence)
                )
                messages = [message_from_row(r) for r in rows]
        return SessionView(session=session, latest_revision=revision), messages

    async def page(
        self,
        owner_id: str,
        filters: SessionFilter,
        *,
        after: tuple[dt.datetime, uuid.UUID] | None,
        limit: int,
    ) -> list[SessionRecord]:
        """A page in keyset order: rows strictly after `after` in (time, id) order."""
        time_column, descending = _ORDER_KEY[filters.order]
        query = select(SESSIONS).where(SESSIONS.c.owner_id == owner_id)
        if not filters.show_deleted:
            query = query.where(SESSIONS.c.delete_time.is_(None))
        if filters.status is not None:
            query = query.where(SESSIONS.c.status == filters.status.value)
        if filters.metadata_key:
            query = query.where(self._metadata_match(filters.metadata_key, filters.metadata_value))
        if filters.create_time_after is not None:
            query = query.where(SESSIONS.c.create_time >= filters.create_time_after)
        if filters.create_time_before is not None:
            query = query.where(SESSIONS.c.create_time < filters.create_time_before)
        if filters.document_kind is not None:
            query = query.where(SESSIONS.c.document_kind == filters.document_kind)
        if filters.stage is not None:
            query = query.where(SESSIONS.c.stage == filters.stage.value)
        if filters.query:
            query = query.where(
                or_(
                    SESSIONS.c.title.icontains(filters.query, autoescape=True),
                    SESSIONS.c.document_number.icontains(filters.query, autoescape=True),
                )
            )
        query = keyset_page(query, (time_column, SESSIONS.c.id), after, descending=descending, limit=limit)
        async with self._db.read() as conn:
            rows = await conn.execute(query)
            return [session_from_row(r) for r in rows]

    def _metadata_match(self, key: str, value: str) -> ColumnElement[bool]:
        """Metadata has `key` (with `value`, when given)."""
        if self._db.is_sqlite:
            # SQLite's JSON paths mangle keys with quotes, backslashes or non-ASCII
            # characters; json_each compares keys as plain text.
            entries = func.json_each(_METADATA).table_valued("key", "value")
            match = select(literal(1)).select_from(entries).where(entries.c.key == key)
            if value:
                match = match.where(entries.c.value == value)
            return match.exists()
        text = _METADATA[key].as_string()
        return text == value if value else text.is_not(None)

    async def update(
        self, owner_id: str, session_id: uuid.UUID, values: dict[str, Any], now: dt.datetime
    ) -> SessionRecord | None:
        """Apply `values` to a live (not deleted) session and bump its version."""
        return await self._bump(owner_id, session_id, values, now, SESSIONS.c.delete_time.is_(None))

    async def soft_delete(
        self, owner_id: str, session_id: uuid.UUID, now: dt.datetime
    ) -> SessionRecord | None:
        return await self._bump(
            owner_id, session_id, {"delete_time": now}, now, SESSIONS.c.delete_time.is_(None)
        )

    async def restore(
        self, owner_id: str, session_id: uuid.UUID, now: dt.datetime, expire_time: dt.datetime
    ) -> SessionRecord | None:
        """Undelete; the idle clock restarts so a restored session is not swept at once."""
        return await self._bump(
            owner_id,
            session_id,
            {"delete_time": None, "expire_time": expire_time},
            now,
            SESSIONS.c.delete_time.is_not(None),
        )

    async def _bump(
        self,
        owner_id: str,
        session_id: uuid.UUID,
        values: dict[str, Any],
        now: dt.datetime,
        *conditions: ColumnElement[bool],
    ) -> SessionRecord | None:
        async with self._db.write() as conn:
            row = (
                await conn.execute(
                    update(SESSIONS)
                    .where(SESSIONS.c.id == session_id, SESSIONS.c.owner_id == owner_id, *conditions)
                    .values(version=SESSIONS.c.version + 1, update_time=now, **values)
                    .returning(*SESSIONS.c)
                )
            ).first()
        return session_from_row(row) if row else None

    async def hard_delete(self, owner_id: str, session_id: uuid.UUID) -> bool:
        async with self._db.write() as conn:
            found = (
                await conn.execute(
                    select(SESSIONS.c.id)
                    .where(SESSIONS.c.id == session_id, SESSIONS.c.owner_id == owner_id)
                    .with_for_update()
                )
            ).first()
            if found is None:
                return False
            await delete_sessions(conn, [session_id])
        return True

    # ---- sweeper --------------------------------------------------------------------

    async def abandon_idle(self, now: dt.datetime, batch: int) -> list[SessionRecord]:
        """Active sessions past their expiry become abandoned; each row is handled once.

        PostgreSQL: the inner SELECT ... FOR UPDATE SKIP LOCKED lets replicas take disjoint
        batches, and the outer WHERE re-checks the status under the lock. SQLite: the
        statement runs under the database's single write lock.
        """
        candidates = (
            select(SESSIONS.c.id)
            .where(
                SESSIONS.c.status == Status.ACTIVE.value,
                SESSIONS.c.expire_time <= now,
                SESSIONS.c.delete_time.is_(None),
            )
            .order_by(SESSIONS.c.expire_time)
            .limit(batch)
            .with_for_update(skip_locked=True)
        )
        async with self._db.write() as conn:
            rows = await conn.execute(
                update(SESSIONS)
                .where(
                    SESSIONS.c.id.in_(candidates.scalar_subquery()),
                    SESSIONS.c.status == Status.ACTIVE.value,
                )
                .values(status=Status.ABANDONED.value, version=SESSIONS.c.version + 1, update_time=now)
                .returning(*SESSIONS.c)
            )
            return [session_from_row(r) for r in rows]

    async def purge_deleted(self, cutoff: dt.datetime, batch: int) -> list[uuid.UUID]:
        """Remove sessions soft-deleted before `cutoff`, with everything they own."""
        async with self._db.write() as conn:
            ids = list(
                (
                    await conn.execute(
                        select(SESSIONS.c.id)
                        .where(SESSIONS.c.delete_time.is_not(None), SESSIONS.c.delete_time <= cutoff)
                        .order_by(SESSIONS.c.delete_time)
                        .limit(batch)
                        .with_for_update(skip_locked=True)
                    )
                ).scalars()
            )
            if ids:
                await delete_sessions(conn, ids)
        return ids
