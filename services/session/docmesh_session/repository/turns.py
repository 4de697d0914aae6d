"""The read of a turn's opening (BeginTurn): a session's latest revision and its messages, as the
session record its append returned counts them.

No snapshot transaction is needed for them to agree: a revision never changes once saved and
messages are numbered without gaps, so reading revision `latest_revision_number` and the
messages up to `message_count` gives exactly what that record describes, however many writes
commit in between. Two statements in autocommit on PostgreSQL (two round trips instead of
BEGIN, three SELECTs, COMMIT), each built once.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, bindparam, select

from docmesh_session.database import Database
from docmesh_session.domain import MessageRecord, RevisionRecord, SessionRecord
from docmesh_session.mapping import message_from_row
from docmesh_session.models import MESSAGES
from docmesh_session.repository.revisions import select_revision

_SELECT_MESSAGES = (
    select(MESSAGES)
    .where(
        MESSAGES.c.session_id == bindparam("p_id"),
        MESSAGES.c.sequence <= bindparam("p_count", type_=BigInteger()),
    )
    .order_by(MESSAGES.c.sequence)
)


class TurnQueries:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def history(self, session: SessionRecord) -> tuple[RevisionRecord | None, list[MessageRecord]]:
        """`session`'s latest revision (None when it has none) and its messages, oldest first."""
        async with self._db.read() as conn:
            revision = None
            if session.latest_revision_number:
                revision = await select_revision(conn, session.id, session.latest_revision_number)
            rows = await conn.execute(
                _SELECT_MESSAGES, {"p_id": session.id, "p_count": session.message_count}
            )
            return revision, [message_from_row(r) for r in rows]
