"""Queries of the turn lease: every change is ONE statement that compares and sets on the
holder and the expiry, so two agent replicas racing for a session cannot both win, on
PostgreSQL (the row lock of ON CONFLICT DO UPDATE) or SQLite (its one writer)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import TextualSelect, bindparam, delete, select, text, update

from docmesh_session.database import Database
from docmesh_session.domain import TurnLease
from docmesh_session.models import TURN_LEASES


@dataclass(slots=True, frozen=True)
class LeaseAttempt:
    """`acquired` and the lease now held: the caller's, or (refused) the current holder's."""

    acquired: bool
    lease: TurnLease


def _lease(row: object) -> TurnLease:
    return TurnLease(row.session_id, row.holder, row.expire_time)  # type: ignore[attr-defined]


def _acquire_statement() -> TextualSelect:
    """The acquire's compare-and-set with bound values (p_id, p_holder, p_until, p_now), the same
    SQL on PostgreSQL and SQLite. Written as text because SQLAlchemy gives an INSERT ... ON
    CONFLICT construct no cache key, so it compiled the statement again on every call (a chat
    turn takes a lease every time); a text statement with typed parameters is compiled once."""
    c = TURN_LEASES.c
    return (
        text(
            f"INSERT INTO {TURN_LEASES.name} (session_id, holder, expire_time) "
            "VALUES (:p_id, :p_holder, :p_until) "
            "ON CONFLICT (session_id) DO UPDATE "
            "SET holder = excluded.holder, expire_time = excluded.expire_time "
            f"WHERE {TURN_LEASES.name}.expire_time <= :p_now OR {TURN_LEASES.name}.holder = excluded.holder "
            "RETURNING session_id, holder, expire_time"
        )
        .bindparams(
            bindparam("p_id", type_=c.session_id.type),
            bindparam("p_holder", type_=c.holder.type),
            bindparam("p_until", type_=c.expire_time.type),
            bindparam("p_now", type_=c.expire_time.type),
        )
        .columns(c.session_id, c.holder, c.expire_time)
    )


_ACQUIRE = _acquire_statement()
_SELECT_LEASE = select(TURN_LEASES).where(TURN_LEASES.c.session_id == bindparam("p_id"))


class LeaseQueries:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def acquire(
        self, session_id: uuid.UUID, holder: str, now: dt.datetime, until: dt.datetime
    ) -> LeaseAttempt:
        """Take the lease when there is none, it ran out, or `holder` has it already."""
        statement = _ACQUIRE
        values = {"p_id": session_id, "p_holder": holder, "p_until": until, "p_now": now}
        # One statement in autocommit (one round trip, no BEGIN / COMMIT: a chat turn takes a
        # lease every time). A refusal reads the holder's lease after it; when that holder
        # released it in between, the statement runs again (a free lease is then taken).
        while True:
            async with self._db.write_one() as conn:
                taken = (await conn.execute(statement, values)).first()
                if taken is not None:
                    return LeaseAttempt(True, _lease(taken))
                current = (await conn.execute(_SELECT_LEASE, {"p_id": session_id})).first()
            if current is not None:
                return LeaseAttempt(False, _lease(current))

    async def renew(self, session_id: uuid.UUID, holder: str, until: dt.datetime) -> TurnLease | None:
        """Extend `holder`'s lease to `until`; None when another holder has it, or nobody."""
        table = TURN_LEASES
        statement = (
            update(table)
            .where(table.c.session_id == session_id, table.c.holder == holder)
            .values(expire_time=until)
            .returning(table.c.session_id, table.c.holder, table.c.expire_time)
        )
        async with self._db.write_one() as conn:
            renewed = (await conn.execute(statement)).first()
        return None if renewed is None else _lease(renewed)

    async def release(self, session_id: uuid.UUID, holder: str) -> bool:
        """Free the session if `holder` holds it; True when it did."""
        table = TURN_LEASES
        statement = delete(table).where(table.c.session_id == session_id, table.c.holder == holder)
        async with self._db.write_one() as conn:
            result = await conn.execute(statement)
        return bool(result.rowcount)
