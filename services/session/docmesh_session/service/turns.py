"""The rules of BeginTurn: a chat turn opened in one call.

What the agent's turn did in four or five calls (CreateSession or GetSession, AcquireTurnLease,
AppendMessages, GetProfile), each with the session service's whole per-call cost (issue 16:
the number of calls, not the statements, was the cost of a turn). Each step is the rule that
call runs, in the same order of checks, so the errors are the same: the owner check and the
lease's compare-and-set come first (NOT_FOUND, ABORTED TURN_IN_PROGRESS with the time left),
then the keyed append (a retry appends nothing), and the session is read after the append, so
the turn sees every message before its own (no expected version to compare: nothing written
before the read can be missed). An append that is refused frees the lease this call took.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from docmesh.session.v1 import profile_service_pb2 as profile_pb
from docmesh_common.errors import InvalidArgument
from docmesh_session.domain import (
    AppendResult,
    MessageRecord,
    NewMessage,
    Role,
    SessionRecord,
    SessionView,
    Status,
    TurnLease,
)
from docmesh_session.errors import finalized, not_active
from docmesh_session.repository import SessionRepository
from docmesh_session.repository.profiles import LogoInfo
from docmesh_session.service.leases import LeaseRules, check_duration, check_holder
from docmesh_session.service.messages import MessageRules
from docmesh_session.service.profiles import ProfileRules, described
from docmesh_session.service.sessions import SessionRules
from docmesh_session.service.shared import SessionLookup
from docmesh_session.validation import check_idempotency_key

# The most customers' names BeginTurn returns; an owner with more is matched by MatchCustomer
# (a first turn's response stays small whatever the customer book's size).
MAX_CUSTOMER_NAMES = 500


@dataclass(slots=True, frozen=True)
class NewTurnSession:
    """A first turn's session (CreateSession's fields) and the metadata key naming the turn,
    by which a retried first turn finds the session its first try made ("" never looks)."""

    title: str
    metadata: Mapping[str, str]
    document_kind: str
    reuse_metadata_key: str = ""


@dataclass(slots=True, frozen=True)
class TurnRequest:
    """BeginTurn's request: the turn's message, its key, its lease."""

    content: str
    idempotency_key: str
    holder: str
    lease_duration: dt.timedelta
    include_profile: bool = False
    refuse_finalized: bool = False
    include_customer_names: bool = False


@dataclass(slots=True)
class TurnStart:
    """What a turn begins with: the session after the append with every message, the turn's
    message, its lease, and (asked for, no revision yet) the owner's profile and the id and
    name of every customer (None when not asked for, or more than MAX_CUSTOMER_NAMES)."""

    view: SessionView
    messages: list[MessageRecord]
    message: MessageRecord
    replayed: bool
    lease: TurnLease
    profile: tuple[profile_pb.Profile, dt.datetime | None, LogoInfo | None] | None = None
    customer_names: list[tuple[uuid.UUID, str]] | None = None


def _at_most(names: list[tuple[uuid.UUID, str]]) -> list[tuple[uuid.UUID, str]] | None:
    """Every customer's name, or None when there are more than a turn carries."""
    return names if len(names) <= MAX_CUSTOMER_NAMES else None


class TurnRules:
    def __init__(
        self,
        repository: SessionRepository,
        sessions: SessionRules,
        messages: MessageRules,
        leases: LeaseRules,
        profiles: ProfileRules,
        lookup: SessionLookup,
        *,
        clock: Callable[[], dt.datetime],
    ) -> None:
        self._clock = clock
        self._repository = repository
        self._lookup = lookup
        self._sessions = sessions
        self._messages = messages
        self._leases = leases
        self._profiles = profiles

    async def begin(
        self, owner_id: str, session_id: uuid.UUID | None, new: NewTurnSession | None, turn: TurnRequest
    ) -> TurnStart:
        """An edit of `session_id`, or a first turn creating `new` (or continuing the session a
        first try of the same turn created)."""
        self._check(turn)
        if session_id is not None:
            return await self._edit(owner_id, session_id, turn)
        if new is None:
            raise InvalidArgument("session_id or new_session is required", field="session_id")
        reused = await self._reused(owner_id, new)
        if reused is not None:
            return await self._edit(owner_id, reused, turn)
        created = self._sessions.new_record(
            owner_id, title=new.title, metadata=new.metadata, document_kind=new.document_kind
        )
        # A new session: nobody else can hold its lease, and its message is the first.
        lease = TurnLease(created.id, turn.holder, self._clock() + turn.lease_duration)
        appended, reads = await self._messages.first_turn(
            created,
            turn.content,
            idempotency_key=turn.idempotency_key,
            holder=lease.holder,
            lease_until=lease.expire_time,
            # Read by the same statement where it can (PostgreSQL): one more than returned
            # says there are more.
            read_profile=turn.include_profile,
            read_names=MAX_CUSTOMER_NAMES + 1 if turn.include_customer_names else None,
        )
        # A new session holds this message only and has no revision: nothing to read back.
        start = TurnStart(
            view=SessionView(appended.session, None),
            messages=list(appended.messages),
            message=appended.messages[0],
            replayed=appended.replayed,
            lease=lease,
        )
        if reads is None:
            return await self._with_profile(owner_id, start, turn)
        if reads.profile is not None:
            start.profile = described(*reads.profile)
        if reads.customer_names is not None:
            start.customer_names = _at_most(reads.customer_names)
        return start

    async def _edit(self, owner_id: str, session_id: uuid.UUID, turn: TurnRequest) -> TurnStart:
        # The usual edit (the owner's active session, free, a new key) in one statement whose
        # conditions are the checks below; anything else is answered by those checks.
        leased = await self._messages.append_leased(
            owner_id,
            session_id,
            turn.content,
            idempotency_key=turn.idempotency_key,
            holder=turn.holder,
            duration=turn.lease_duration,
            refuse_finalized=turn.refuse_finalized,
        )
        history = None
        if leased is None:
            # AcquireTurnLease's rule: the owner check first (Redis, else the database).
            session = await self._lookup.visible(owner_id, session_id)
            lease, appended = await self._lease_and_append(owner_id, session, turn)
        else:
            lease, appended, history = leased
        if history is None:
            # Read as the append's record counts it (repository/turns.py); the append wrote the
            # session through to Redis, and the revision there is unchanged: nothing to cache.
            history = await self._repository.turns.history(appended.session)
        revision, messages = history
        start = TurnStart(
            view=SessionView(appended.session, revision),
            messages=messages,
            message=appended.messages[0],
            replayed=appended.replayed,
            lease=lease,
        )
        return await self._with_profile(owner_id, start, turn)

    async def _lease_and_append(
        self, owner_id: str, session: SessionRecord, turn: TurnRequest
    ) -> tuple[TurnLease, AppendResult]:
        # The lease's compare-and-set on the owner's session; a session the append would
        # refuse (not active, or finalized when asked) takes no lease first.
        session_id = session.id
        if session.delete_time is None and session.status is not Status.ACTIVE:
            raise not_active(session, "appending")
        if turn.refuse_finalized and session.document_number:
            raise finalized(session)
        lease = await self._leases.take(session, turn.holder, turn.lease_duration)
        try:
            appended = await self._messages.append(
                owner_id,
                session_id,
                [NewMessage(role=Role.USER, content=turn.content)],
                idempotency_key=turn.idempotency_key,
            )
        except BaseException:
            # Not begun: the session is free again at once (a lease left would refuse the
            # retry for its whole duration).
            await self._repository.leases.release(session_id, turn.holder)
            raise
        return lease, appended

    async def _reused(self, owner_id: str, new: NewTurnSession) -> uuid.UUID | None:
        value = new.metadata.get(new.reuse_metadata_key, "") if new.reuse_metadata_key else ""
        if not value:
            return None
        return await self._repository.sessions.named(owner_id, new.reuse_metadata_key, value)

    async def _with_profile(self, owner_id: str, start: TurnStart, turn: TurnRequest) -> TurnStart:
        """A first document's makings: the seller (the profile) and whom its buyer may be (the
        customers' names, which MatchCustomer would compare the buyer's name with)."""
        if start.view.session.latest_revision_number == 0:
            if turn.include_profile:
                start.profile = await self._profiles.get(owner_id)
            if turn.include_customer_names:
                start.customer_names = _at_most(await self._repository.customers.names(owner_id))
        return start

    def _check(self, turn: TurnRequest) -> None:
        """The request's own fields, named as BeginTurn names them, before anything is written."""
        check_holder(turn.holder)
        check_duration(turn.lease_duration)
        check_idempotency_key(turn.idempotency_key)
        try:
            self._messages.check_messages([NewMessage(role=Role.USER, content=turn.content)])
        except InvalidArgument as error:
            raise InvalidArgument(
                "content is invalid",
                violations={"content": next(iter(error.violations.values()), error.message)},
            ) from None
