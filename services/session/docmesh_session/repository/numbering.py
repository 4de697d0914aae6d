"""Queries of document numbering: give a session the next number of its owner's series.

Gap-free and unique across any number of replicas: the session's row is locked first (FOR
UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE holds the one writer lock), then the series'
counter row is incremented with one `INSERT ... ON CONFLICT DO UPDATE ... RETURNING` (which
locks that row on PostgreSQL until commit), and the number is stored on the session in the
same transaction. A rollback gives the number back; the unique (owner, document_number)
constraint is the backstop.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from docmesh_session.database import Database
from docmesh_session.domain import SessionRecord, Stage
from docmesh_session.mapping import session_from_row
from docmesh_session.models import DOCUMENT_COUNTERS, SESSIONS


class FinalizeOutcome(StrEnum):
    NUMBERED = "numbered"
    ALREADY_NUMBERED = "already_numbered"
    NOT_FOUND = "not_found"
    DELETED = "deleted"
    NO_REVISION = "no_revision"


@dataclass(slots=True)
class FinalizeAttempt:
    outcome: FinalizeOutcome
    session: SessionRecord | None


class NumberingQueries:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def finalize(
        self,
        owner_id: str,
        session_id: uuid.UUID,
        series_key: str,
        number_for: Callable[[int], str],
        now: dt.datetime,
    ) -> FinalizeAttempt:
        """Number the owner's session with `number_for(next seq of series_key)`, once."""
        async with self._db.write() as conn:
            row = (
                await conn.execute(
                    select(SESSIONS)
                    .where(SESSIONS.c.id == session_id, SESSIONS.c.owner_id == owner_id)
                    .with_for_update()
                )
            ).first()
            if row is None:
                return FinalizeAttempt(FinalizeOutcome.NOT_FOUND, None)
            current = session_from_row(row)
            if current.delete_time is not None:
                return FinalizeAttempt(FinalizeOutcome.DELETED, current)
            if current.document_number is not None:
                return FinalizeAttempt(FinalizeOutcome.ALREADY_NUMBERED, current)
            if current.latest_revision_number == 0:
                return FinalizeAttempt(FinalizeOutcome.NO_REVISION, current)
            seq = await self._next_seq(conn, owner_id, series_key)
            numbered = (
                await conn.execute(
                    update(SESSIONS)
                    .where(SESSIONS.c.id == session_id)
                    .values(
                        document_number=number_for(seq),
                        finalize_time=now,
                        stage=Stage.FINALIZED.value,
                        version=SESSIONS.c.version + 1,
                        update_time=now,
                    )
                    .returning(*SESSIONS.c)
                )
            ).one()
        return FinalizeAttempt(FinalizeOutcome.NUMBERED, session_from_row(numbered))

    async def _next_seq(self, conn: AsyncConnection, owner_id: str, series_key: str) -> int:
        insert = postgresql.insert if not self._db.is_sqlite else sqlite.insert
        statement = (
            insert(DOCUMENT_COUNTERS)
            .values(owner_id=owner_id, series_key=series_key, last_seq=1)
            .on_conflict_do_update(
                index_elements=[DOCUMENT_COUNTERS.c.owner_id, DOCUMENT_COUNTERS.c.series_key],
                set_={"last_seq": DOCUMENT_COUNTERS.c.last_seq + 1},
            )
            .returning(DOCUMENT_COUNTERS.c.last_seq)
        )
        return int((await conn.execute(statement)).scalar_one())
