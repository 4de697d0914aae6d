"""Queries of the turn lease: every change is ONE statement that compares and sets on the
holder and the expiry, so two agent replicas racing for a session cannot both win, on
PostgreSQL (the row lock of ON CONFLICT DO UPDATE) or SQLite (its one writer)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

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


def _acquire_statement(insert: Any) -> Any:
    """The acquire's compare-and-set, built once per dialect with bound values (p_id, p_holder,
    p_until, p_now): building and hashing it on every call cost more than running it."""
    table = TURN_LEASES
    proposed = insert(table).values(
        session_id=bindparam("p_id", type_=table.c.session_id.type),
        holder=bindparam("p_holder", type_=table.c.holder.type),
        expire_time=bindparam("p_until", type_=table.c.expire_time.type),
    )
    return proposed.on_conflict_do_update(
        index_elements=[table.c.session_id],
        set_={"holder": proposed.excluded.holder, "expire_time": proposed.excluded.expire_time},
        where=(table.c.expire_time <= bindparam("p_now", type_=table.c.expire_time.type))
        | (table.c.holder == proposed.excluded.holder),
    ).returning(table.c.session_id, table.c.holder, table.c.expire_time)


_ACQUIRE = {"sqlite": _acquire_statement(sqlite.insert), "postgresql": _acquire_statement(postgresql.insert)}
_SELECT_LEASE = select(TURN_LEASES).where(TURN_LEASES.c.session_id == bindparam("p_id"))


class LeaseQueries:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def acquire(
        self, session_id: uuid.UUID, holder: str, now: dt.datetime, until: dt.datetime
    ) -> LeaseAttempt:
        """Take the lease when there is none, it ran out, or `holder` has it already."""
        statement = _ACQUIRE["sqlite" if self._db.is_sqlite else "postgresql"]
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
