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
commit in between. On PostgreSQL an edit's lease, append and that read are ONE statement in
autocommit (TurnQueries.append_leased), with a second read only when the first missed a write
that committed meanwhile; every statement is built once and runs on the pooled driver
connection (Database.fetch).
"""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    CTE,
    BigInteger,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    func,
    insert,
    select,
    text,
    true,
)

from docmesh_session.database import Database
from docmesh_session.domain import (
    AppendResult,
    MessageRecord,
    NewMessage,
    RevisionRecord,
    SessionRecord,
    Status,
)
from docmesh_session.mapping import message_from_record, message_to_row, revision_from_record, session_to_row
from docmesh_session.models import CUSTOMERS, IDEMPOTENCY_KEYS, MESSAGES, REVISIONS, SESSIONS, TURN_LEASES
from docmesh_session.repository.messages import (
    bound_columns,
    insert_from,
    one_statement,
    stored_in_one,
    write_in_one,
)
from docmesh_session.repository.profiles import SELECT_PROFILE, LogoInfo, StoredProfile, profile_from_row
from docmesh_session.repository.revisions import select_revision

# The messages up to p_count, the last of them joined with revision p_number (its columns
# prefixed "r_"): an edit's history in one statement, the revision read once.
_SELECT_HISTORY = (
    select(MESSAGES, *(c.label(f"r_{c.name}") for c in REVISIONS.c))
    .select_from(
        MESSAGES.outerjoin(
            REVISIONS,
            and_(
                REVISIONS.c.session_id == MESSAGES.c.session_id,
                REVISIONS.c.number == bindparam("p_number", type_=Integer()),
                MESSAGES.c.sequence == bindparam("p_count", type_=BigInteger()),
            ),
        )
    )
    .where(
        MESSAGES.c.session_id == bindparam("p_id"),
        MESSAGES.c.sequence <= bindparam("p_count", type_=BigInteger()),
    )
    .order_by(MESSAGES.c.sequence)
)


def _first_turn(keyed: bool, profile: bool = False, names: bool = False) -> Select[Any]:
    """The PostgreSQL first turn as one statement (module docstring), built once per shape;
    with `profile` and `names` its one row also carries the owner's profile (SELECT_PROFILE's
    columns) and the id and name of up to p_names_limit customers (two arrays in one order, NULL
    when there are none): what the turn would read next, in the same round trip."""
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
    statement = select(new.c.id)
    if profile:
        read = SELECT_PROFILE.subquery("p")
        statement = statement.add_columns(*read.c).join_from(new, read, true())
    if names:
        owner = bindparam("p_owner", type_=String())
        some = (
            select(CUSTOMERS.c.id, CUSTOMERS.c.sort_name)
            .where(CUSTOMERS.c.owner_id == owner)
            .limit(bindparam("p_names_limit", type_=Integer()))
            .subquery("n")
        )
        both = select(
            func.array_agg(some.c.id).label("customer_ids"),
            func.array_agg(some.c.sort_name).label("customer_names"),
        ).subquery("c")
        statement = statement.add_columns(both.c.customer_ids, both.c.customer_names).join_from(
            new, both, true()
        )
    return statement.add_cte(*inserts)


# By (keyed, profile, names).
_FIRST_TURN = {shape: _first_turn(*shape) for shape in itertools.product((False, True), repeat=3)}
# SQLite: the same rows, one INSERT each in one write transaction (parents first).
_SQLITE_INSERTS = {
    "s_": insert(SESSIONS),
    "l_": insert(TURN_LEASES),
    "k_": insert(IDEMPOTENCY_KEYS),
    "m_": insert(MESSAGES),
}


@dataclass(slots=True, frozen=True)
class LeaseTake:
    """The turn lease an append takes in its own statement (BeginTurn of an edit): for
    `holder` until `until`, the compare-and-set of AcquireTurnLease at `now`, on the owner's
    live, active session (and, `refuse_finalized`, one without a document number)."""

    holder: str
    until: dt.datetime
    now: dt.datetime
    refuse_finalized: bool


def _lease_take(refuse_finalized: bool) -> CTE:
    """AcquireTurnLease's compare-and-set (repository/leases.py) as a CTE, taken only on the
    owner's live, active session, so the append that requires its row cannot write to a
    session the rules of BeginTurn would refuse. Text, because SQLAlchemy's INSERT ... ON
    CONFLICT has no cache key (the whole statement would be compiled on every call)."""
    lease, s = TURN_LEASES.c, SESSIONS.c
    finalized = f" AND coalesce({s.document_number.name}, '') = ''" if refuse_finalized else ""
    return (
        text(
            f"INSERT INTO {TURN_LEASES.name} (session_id, holder, expire_time) "
            f"SELECT {s.id.name}, :l_holder, :l_until FROM {SESSIONS.name} "
            f"WHERE {s.id.name} = :p_id AND {s.owner_id.name} = :p_owner AND {s.delete_time.name} IS NULL "
            f"AND {s.status.name} = '{Status.ACTIVE.value}'{finalized} "
            "ON CONFLICT (session_id) DO UPDATE "
            "SET holder = excluded.holder, expire_time = excluded.expire_time "
            f"WHERE {TURN_LEASES.name}.expire_time <= :l_now OR {TURN_LEASES.name}.holder = excluded.holder "
            "RETURNING session_id"
        )
        .bindparams(
            bindparam("p_id", type_=s.id.type),
            bindparam("p_owner", type_=s.owner_id.type),
            bindparam("l_holder", type_=lease.holder.type),
            bindparam("l_until", type_=lease.expire_time.type),
            bindparam("l_now", type_=lease.expire_time.type),
        )
        .columns(lease.session_id)
        .cte("l")
    )


# An edit's BeginTurn write, by (keyed, refuse_finalized): the append of one message whose
# UPDATE requires the lease the CTE took, reading the history before it (see
# TurnQueries.append_leased).
_LEASED_APPEND = {
    (keyed, refuse): one_statement(
        (False, False, False, False),
        1,
        keyed,
        0,
        False,
        requires=select(_lease_take(refuse).c.session_id).exists(),
        history=True,
    )
    for keyed in (False, True)
    for refuse in (False, True)
}


# An edit's history: the session's latest revision (None when it has none) and its messages,
# oldest first.
History = tuple[RevisionRecord | None, list[MessageRecord]]


def _history(appended: AppendResult, rows: list[Any]) -> History | None:
    """The history an edit's one statement read (rows of `one_statement(history=True)`) with
    the message it appended; None when the statement's snapshot missed part of it."""
    session = appended.session
    messages = [message_from_record(row, "h_") for row in rows if row["h_id"] is not None]
    messages.extend(appended.messages)
    if len(messages) != session.message_count:
        return None
    revision = None
    if session.latest_revision_number:
        last = rows[-1]
        if last["r_session_id"] is None:
            return None  # committed after the snapshot, or no message to join it to
        revision = revision_from_record(last, "r_")
    return revision, messages


@dataclass(slots=True, frozen=True)
class FirstTurnReads:
    """What a first turn's statement read besides writing (None: not asked for): the owner's
    profile, and the id and name of up to `names_limit` customers."""

    profile: tuple[StoredProfile | None, LogoInfo | None] | None
    customer_names: list[tuple[uuid.UUID, str]] | None


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
        read_profile: bool = False,
        read_names: int | None = None,
    ) -> FirstTurnReads | None:
        """Store a new `session` holding `message` (sequence 1), leased to `holder`. On
        PostgreSQL the same statement reads, with `read_profile`, the owner's profile and,
        with `read_names`, the id and name of that many of the owner's customers at most:
        returned as FirstTurnReads (None on SQLite, which reads nothing: ask afterwards)."""
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
            return None
        values = {
            prefix + name: value
            for prefix, row in rows.items()
            for name, value in row.items()
            if not (name == "session_id" and prefix != "s_")
        }
        names = read_names is not None
        if read_profile or names:
            values["p_owner"] = session.owner_id
        if read_names is not None:
            values["p_names_limit"] = read_names
        # On the pooled driver connection: one statement in autocommit, committed before
        # this returns (durable before the ack), as CreateSession's insert.
        (row,) = await self._db.fetch(_FIRST_TURN[bool(idempotency_key), read_profile, names], values)
        return FirstTurnReads(
            profile=profile_from_row(row) if read_profile else None,
            customer_names=list(zip(row["customer_ids"] or (), row["customer_names"] or (), strict=True))
            if names
            else None,
        )

    async def append_leased(
        self,
        owner_id: str,
        session_id: uuid.UUID,
        message: NewMessage,
        token_count: int,
        lease: LeaseTake,
        *,
        idempotency_key: str,
        fingerprint: str,
        token_limit: int,
        now: dt.datetime,
        expire_time: dt.datetime,
    ) -> tuple[AppendResult, History | None] | None:
        """An edit's BeginTurn write on PostgreSQL: `lease` taken and `message` appended in ONE
        statement (the lease's CTE checks the owner and the session's state, so no read comes
        first), instead of the owner check, AcquireTurnLease's statement and the append's.
        None when it wrote nothing: another holder's lease, a session BeginTurn refuses, a
        retry of the key (its INSERT fails the whole statement, the lease with it), the token
        limit; the caller then takes the steps one by one, which answer each case as they
        always did. Always None on SQLite, which has no UPDATE in a CTE.

        The same statement reads the history (`history()`'s answer), as its snapshot holds
        it: complete unless an append or revision committed while the UPDATE waited for the
        row's lock (the snapshot predates it, the returned counters do not). Messages are
        numbered without gaps and committed with the counter, so the snapshot holds a prefix
        of them: complete when it holds as many as the counter says, and the revision the
        counter names. Otherwise the History is None and the caller reads it (`history()`)."""
        if self._db.is_sqlite:
            return None
        parameters = {
            "p_id": session_id,
            "p_owner": owner_id,
            "p_tokens": token_count,
            "p_limit": token_limit,
            "p_count": 1,
            "p_now": now,
            "p_expire": expire_time,
            "l_holder": lease.holder,
            "l_until": lease.until,
            "l_now": lease.now,
        }
        written = await write_in_one(
            self._db,
            _LEASED_APPEND[bool(idempotency_key), lease.refuse_finalized],
            owner_id,
            session_id,
            [message],
            [token_count],
            parameters,
            revision=None,
            usage=(),
            idempotency_key=idempotency_key,
            fingerprint=fingerprint,
            now=now,
        )
        if written is None:
            return None
        appended = stored_in_one(written, [message], [token_count], None, now).result
        assert appended is not None
        return appended, _history(appended, written[2])

    async def history(self, session: SessionRecord) -> History:
        """`session`'s latest revision (None when it has none) and its messages, oldest first:
        one statement (the revision joined to the last message)."""
        number = session.latest_revision_number
        parameters = {"p_id": session.id, "p_count": session.message_count, "p_number": number}
        if self._db.is_sqlite:
            async with self._db.read() as conn:
                rows: list[Any] = [row._mapping for row in await conn.execute(_SELECT_HISTORY, parameters)]
        else:
            rows = await self._db.fetch(_SELECT_HISTORY, parameters)
        revision = None
        if rows and rows[-1]["r_session_id"] is not None:
            revision = revision_from_record(rows[-1], "r_")
        elif number:
            # No last message to join it to (a session deleted meanwhile): on its own.
            async with self._db.read() as conn:
                revision = await select_revision(conn, session.id, number)
        return revision, [message_from_record(r) for r in rows]
