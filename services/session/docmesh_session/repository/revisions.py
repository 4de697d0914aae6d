"""Queries on a session's document revisions."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import bindparam, case, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from docmesh_session.database import Database
from docmesh_session.domain import (
    AppendAttempt,
    AppendOutcome,
    NewRevision,
    RevisionRecord,
    SessionRecord,
    Stage,
    Status,
)
from docmesh_session.mapping import revision_from_row, revision_to_row, session_from_row
from docmesh_session.models import REVISIONS, SESSIONS
from docmesh_session.repository.keyset import keyset_page
from docmesh_session.repository.sessions import get_session

_INSERT_REVISION = insert(REVISIONS)
# A listing leaves out the MSC text, so pages stay small.
_LISTED_COLUMNS = [c for c in REVISIONS.c if c.name != "msc"]
# A session's first revision moves it from collecting to drafted; later ones leave the stage.
STAGE_AFTER_REVISION = case(
    (SESSIONS.c.stage == Stage.COLLECTING.value, Stage.DRAFTED.value), else_=SESSIONS.c.stage
)
# A revision is accepted on a draft, or on a finalized document when it carries the document's
# number (the one the agent saves right after FinalizeSession): bound as p_number.
REVISION_KEEPS_NUMBER = or_(
    SESSIONS.c.document_number.is_(None), SESSIONS.c.document_number == bindparam("p_number")
)


def changes_finalized(session: SessionRecord, revision: NewRevision) -> bool:
    """Whether `revision` would change the number of the session's finalized document."""
    return session.document_number is not None and session.document_number != revision.document_number


def new_revision_record(
    session_id: uuid.UUID, number: int, revision: NewRevision, now: dt.datetime
) -> RevisionRecord:
    """The record of `revision`, saved as the session's revision `number`."""
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


async def insert_revision(conn: AsyncConnection, record: RevisionRecord) -> None:
    await conn.execute(_INSERT_REVISION, revision_to_row(record))


# Built once (a chat turn reads its session's latest revision every time).
_SELECT_REVISION = select(REVISIONS).where(
    REVISIONS.c.session_id == bindparam("p_id"), REVISIONS.c.number == bindparam("p_number")
)


async def select_revision(conn: AsyncConnection, session_id: uuid.UUID, number: int) -> RevisionRecord | None:
    row = (await conn.execute(_SELECT_REVISION, {"p_id": session_id, "p_number": number})).first()
    return revision_from_row(row) if row else None


class RevisionQueries:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def save(
        self,
        owner_id: str,
        session_id: uuid.UUID,
        revision: NewRevision,
        *,
        now: dt.datetime,
        expire_time: dt.datetime,
    ) -> AppendAttempt:
        """The next revision of a live, active session (counted, stage moved, version bumped):
        STORED with the session and the revision, or why not."""
        async with self._db.write() as conn:
            row = (
                await conn.execute(
                    update(SESSIONS)
                    .where(
                        SESSIONS.c.id == session_id,
                        SESSIONS.c.owner_id == owner_id,
                        SESSIONS.c.delete_time.is_(None),
                        SESSIONS.c.status == Status.ACTIVE.value,
                        REVISION_KEEPS_NUMBER,
                    )
                    .values(
                        version=SESSIONS.c.version + 1,
                        latest_revision_number=SESSIONS.c.latest_revision_number + 1,
                        stage=STAGE_AFTER_REVISION,
                        update_time=now,
                        last_activity_time=now,
                        expire_time=expire_time,
                    )
                    .returning(*SESSIONS.c),
                    {"p_number": revision.document_number},
                )
            ).first()
            if row is None:
                current = await get_session(conn, owner_id, session_id)
                if current is None:
                    return AppendAttempt(AppendOutcome.NOT_FOUND)
                if current.delete_time is not None:
                    return AppendAttempt(AppendOutcome.DELETED, session=current)
                if current.status is Status.ACTIVE and changes_finalized(current, revision):
                    return AppendAttempt(AppendOutcome.FINALIZED, session=current)
                return AppendAttempt(AppendOutcome.INACTIVE, session=current)
            session = session_from_row(row)
            record = new_revision_record(session_id, session.latest_revision_number, revision, now)
            await insert_revision(conn, record)
        return AppendAttempt(AppendOutcome.STORED, session=session, revision=record)

    async def get(self, session_id: uuid.UUID, number: int) -> RevisionRecord | None:
        async with self._db.read() as conn:
            return await select_revision(conn, session_id, number)

    async def page(
        self, session_id: uuid.UUID, *, before_number: int | None, limit: int
    ) -> list[RevisionRecord]:
        """Newest first, without the MSC text (pages stay small)."""
        query = keyset_page(
            select(*_LISTED_COLUMNS).where(REVISIONS.c.session_id == session_id),
            (REVISIONS.c.number,),
            None if before_number is None else (before_number,),
            descending=True,
            limit=limit,
        )
        async with self._db.read() as conn:
            rows = await conn.execute(query)
            return [revision_from_row(r) for r in rows]
