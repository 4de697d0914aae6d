"""The statements of a turn's opening (BeginTurn): a first turn's new session stored with its
lease and its first message at once, and an edit's read of the latest revision and the messages,
as the session record its append returned counts them.

A first turn's session, its turn lease, the idempotency record and the message are ONE statement
on PostgreSQL (INSERTs as data-modifying CTEs from the session's RETURNING row, in autocommit:
one round trip instead of CreateSession's INSERT, the lease's and the append's), and one write
transaction on SQLite. The rows are what CreateSession, AcquireTurnLease and AppendMessages
would have written.

No snapshot transaction is needed for them to agree: a revision never changes once saved and
messages are numbered without gaps, so reading revision `latest_revision_number` and the
messages up to `message_count` gives exactly what that record describes, however many writes
commit in between. Two statements in autocommit on PostgreSQL (two round trips instead of
BEGIN, three SELECTs, COMMIT), each built once.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, Select, bindparam, insert, select

from docmesh_session.database import Database
from docmesh_session.domain import MessageRecord, RevisionRecord, SessionRecord
from docmesh_session.mapping import message_from_row, message_to_row, session_to_row
from docmesh_session.models import IDEMPOTENCY_KEYS, MESSAGES, SESSIONS, TURN_LEASES
from docmesh_session.repository.messages import bound_columns, insert_from
from docmesh_session.repository.revisions import select_revision

_SELECT_MESSAGES = (
    select(MESSAGES)
    .where(
        MESSAGES.c.session_id == bindparam("p_id"),
        MESSAGES.c.sequence <= bindparam("p_count", type_=BigInteger()),
    )
    .order_by(MESSAGES.c.sequence)
)


def _first_turn(keyed: bool) -> Select[Any]:
    """The PostgreSQL first turn as one statement (module docstring), built once per shape."""
    new = insert(SESSIONS).values(bound_columns(SESSIONS, "s_")).returning(SESSIONS.c.id).cte("s")
    inserts = [
        insert_from(
            TURN_LEASES, "l", new, {**bound_columns(TURN_LEASES, "l_", "session_id"), "session_id": new.c.id}
        ),
        insert_from(
            MESSAGES, "m", new, {**bound_columns(MESSAGES, "m_", "session_id"), "session_id": new.c.id}
        ),
    ]
    if keyed:
        values = {**bound_columns(IDEMPOTENCY_KEYS, "k_", "session_id"), "session_id": new.c.id}
        inserts.append(insert_from(IDEMPOTENCY_KEYS, "k", new, values))
    return select(new.c.id).add_cte(*inserts)


_FIRST_TURN = {keyed: _first_turn(keyed) for keyed in (False, True)}
# SQLite: the same rows, one INSERT each in one write transaction (parents first).
_SQLITE_INSERTS = {
    "s_": insert(SESSIONS),
    "l_": insert(TURN_LEASES),
    "k_": insert(IDEMPOTENCY_KEYS),
    "m_": insert(MESSAGES),
}


class TurnQueries:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def first_turn(
        self,
        session: SessionRecord,
        message: MessageRecord,
        *,
        holder: str,
        lease_until: dt.datetime,
        idempotency_key: str,
        fingerprint: str,
    ) -> None:
        """Store a new `session` holding `message` (sequence 1), leased to `holder`."""
        rows: dict[str, dict[str, Any]] = {
            "s_": session_to_row(session),
            "l_": {"session_id": session.id, "holder": holder, "expire_time": lease_until},
            "m_": message_to_row(message, idempotency_key),
        }
        if idempotency_key:
            rows["k_"] = {
                "session_id": session.id,
                "idempotency_key": idempotency_key,
                "first_sequence": message.sequence,
                "message_count": 1,
                "fingerprint": fingerprint,
                "create_time": message.create_time,
                "revision_number": None,
            }
        if self._db.is_sqlite:
            async with self._db.write() as conn:
                for prefix, statement in _SQLITE_INSERTS.items():
                    if prefix in rows:
                        await conn.execute(statement, rows[prefix])
            return
        values = {
            prefix + name: value
            for prefix, row in rows.items()
            for name, value in row.items()
            if not (name == "session_id" and prefix != "s_")
        }
        async with self._db.write_one() as conn:
            await conn.execute(_FIRST_TURN[bool(idempotency_key)], values)

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
