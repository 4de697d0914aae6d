"""The rules of the session service: validation, ownership, token accounting, cache use.

The servicer hands in domain values; the repository runs the queries; Redis is consulted
first for reads and written through after every change, but never decides anything.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import functools
import hashlib
import json
import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, ParamSpec, TypeVar

from docmesh_common.errors import (
    Aborted,
    DomainError,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    ResourceExhausted,
)
from docmesh_session.cache import GONE, SessionCache
from docmesh_session.domain import (
    AppendResult,
    CommitResult,
    MessageRecord,
    NewMessage,
    NewRevision,
    NewUsage,
    Page,
    RevisionRecord,
    SessionFilter,
    SessionRecord,
    SessionView,
    Stage,
    Status,
    UsageRecord,
    UsageReport,
)
from docmesh_session.paging import PageTokens, filter_hash
from docmesh_session.repository import AppendAttempt, AppendOutcome, SessionRepository, TurnExtras
from docmesh_session.settings import SessionSettings
from docmesh_session.tokens import count_tokens

log = logging.getLogger(__name__)

MAX_METADATA_KEYS = 16
MAX_METADATA_KEY = 64
MAX_METADATA_VALUE = 512
MAX_TITLE = 200
MAX_IDEMPOTENCY_KEY = 128
MAX_SUMMARY = 500
MAX_MSC_CHARS = 5_000_000
# A turn makes a handful of LLM calls (answer, re-asks, fallbacks); far more is a bug.
MAX_USAGE_PER_COMMIT = 100
UPDATABLE_FIELDS = frozenset({"title", "metadata", "status", "document_kind", "stage"})
# Above this many characters, tokenising moves off the event loop.
_TOKENIZE_INLINE_CHARS = 16_000


P = ParamSpec("P")
R = TypeVar("R")


def run_to_completion(method: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    """Run a change to its end even when the caller goes away (deadline, cancel).

    A cancelled handler must not stop between the database commit and the cache
    write-through, or Redis would keep serving the state from before the change. The
    caller still sees its cancellation; the work finishes in its own task.
    """

    @functools.wraps(method)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        task = asyncio.ensure_future(method(*args, **kwargs))
        try:
            return await asyncio.shield(task)
        except asyncio.CancelledError:
            # The event loop keeps only weak references to tasks: hold this one until done.
            _orphans.add(task)
            task.add_done_callback(_consume_outcome)
            raise

    return wrapper


_orphans: set[asyncio.Future[Any]] = set()


def _consume_outcome(task: asyncio.Future[Any]) -> None:
    """Nobody awaits a task whose caller was cancelled; log what it ended with."""
    _orphans.discard(task)
    if task.cancelled():
        return
    error = task.exception()
    if error is not None and not isinstance(error, DomainError):
        log.error("a change whose caller went away failed", exc_info=error)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def parse_uuid(value: str, field: str) -> uuid.UUID:
    """A UUID from request text; INVALID_ARGUMENT naming `field` otherwise."""
    if not value:
        raise InvalidArgument(f"{field} is required", field=field)
    try:
        return uuid.UUID(value)
    except ValueError:
        raise InvalidArgument(f"{field} must be a UUID, got {value[:80]!r}", field=field) from None


NUL = "\x00"
MAX_OWNER_ID = 128
MAX_COST_USD = Decimal("1000000000")
COST_QUANTUM = Decimal("1e-10")


def no_nul(value: str, field: str) -> str:
    """PostgreSQL text and JSONB cannot hold NUL characters: refuse them as bad input."""
    if NUL in value:
        raise InvalidArgument(f"{field} must not contain NUL characters", field=field)
    return value


def validate_owner(owner_id: str) -> str:
    if len(owner_id) > MAX_OWNER_ID or NUL in owner_id:
        raise InvalidArgument(
            f"the x-owner-id metadata must be at most {MAX_OWNER_ID} characters without NUL",
            field="x-owner-id",
        )
    return owner_id


def validate_metadata(metadata: Mapping[str, str], field: str) -> dict[str, str]:
    violations: dict[str, str] = {}
    if len(metadata) > MAX_METADATA_KEYS:
        violations[field] = f"at most {MAX_METADATA_KEYS} keys, got {len(metadata)}"
    for key, value in metadata.items():
        if not key:
            violations[field] = "keys must not be empty"
        elif NUL in key or NUL in value:
            violations[field] = "keys and values must not contain NUL characters"
        elif len(key) > MAX_METADATA_KEY:
            violations[f"{field}[{key[:20]}]"] = f"key longer than {MAX_METADATA_KEY} characters"
        elif len(value) > MAX_METADATA_VALUE:
            violations[f"{field}[{key}]"] = f"value longer than {MAX_METADATA_VALUE} characters"
    if violations:
        raise InvalidArgument("metadata is over its limits", violations=violations)
    return dict(metadata)


def validate_title(title: str, field: str) -> str:
    no_nul(title, field)
    if len(title) > MAX_TITLE:
        raise InvalidArgument(f"{field} is longer than {MAX_TITLE} characters", field=field)
    return title


def page_size(value: int, *, default: int, maximum: int, field: str = "page_size") -> int:
    if value == 0:
        return default
    if not 1 <= value <= maximum:
        raise InvalidArgument(f"{field} must be between 1 and {maximum}, got {value}", field=field)
    return value


@dataclass(slots=True, frozen=True)
class SessionChanges:
    """What UpdateSession asks for: the mask's fields and their new values."""

    fields: frozenset[str]
    title: str = ""
    metadata: Mapping[str, str] | None = None
    status: Status | None = None
    document_kind: str = ""
    stage: Stage | None = None


class SessionService:
    def __init__(
        self,
        repository: SessionRepository,
        cache: SessionCache,
        settings: SessionSettings,
        *,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self.repository = repository
        self.cache = cache
        self.settings = settings
        self._clock = clock
        self._tokens = PageTokens(settings.page_token_secret)
        self._ttl = dt.timedelta(seconds=settings.session_ttl_seconds)

    # ---- sessions -------------------------------------------------------------------

    @run_to_completion
    async def create_session(
        self, owner_id: str, *, title: str, metadata: Mapping[str, str], document_kind: str
    ) -> SessionRecord:
        now = self._clock()
        record = SessionRecord(
            id=uuid.uuid4(),
            owner_id=owner_id,
            title=validate_title(title, "session.title"),
            status=Status.ACTIVE,
            stage=Stage.COLLECTING,
            document_kind=document_kind,
            metadata=validate_metadata(metadata, "session.metadata"),
            token_count=0,
            message_count=0,
            latest_revision_number=0,
            version=1,
            create_time=now,
            update_time=now,
            last_activity_time=now,
            expire_time=now + self._ttl,
        )
        await self.repository.create_session(record)
        await self.cache.put_session(record)
        return record

    async def get_session(
        self, owner_id: str, session_id: uuid.UUID, *, with_messages: bool = False
    ) -> tuple[SessionView, list[MessageRecord]]:
        if not with_messages:
            cached = await self._cached_view(owner_id, session_id)
            if cached is not None:
                return cached, []
        found = await self.repository.get_view(owner_id, session_id, with_messages=with_messages)
        if found is None:
            raise _not_found(session_id)
        view, messages = found
        await self.cache.put(view)
        return view, messages

    async def _cached_view(self, owner_id: str, session_id: uuid.UUID) -> SessionView | None:
        session, revision = await self.cache.get(session_id)
        if session is GONE:
            raise _not_found(session_id)
        if session is None or not isinstance(session, SessionRecord):
            return None
        if session.owner_id != owner_id:
            raise _not_found(session_id)
        if session.latest_revision_number == 0:
            return SessionView(session, None)
        if revision is not None and revision.number == session.latest_revision_number:
            return SessionView(session, revision)
        # The session is cached but its revision is not (or is older): fill it in.
        latest = await self.repository.get_revision(session_id, session.latest_revision_number)
        if latest is None:
            return None
        await self.cache.put_revision(latest)
        return SessionView(session, latest)

    async def _visible(self, owner_id: str, session_id: uuid.UUID) -> SessionRecord:
        """The owner's session (deleted or not) from the cache or the database, else NOT_FOUND."""
        session, _ = await self.cache.get(session_id, with_revision=False)
        if session is GONE:
            raise _not_found(session_id)
        if isinstance(session, SessionRecord):
            if session.owner_id != owner_id:
                raise _not_found(session_id)
            return session
        found = await self.repository.get_session(owner_id, session_id)
        if found is None:
            raise _not_found(session_id)
        await self.cache.put_session(found)
        return found

    async def list_sessions(
        self, owner_id: str, filters: SessionFilter, *, size: int, token: str
    ) -> Page[SessionRecord]:
        size = page_size(size, default=20, maximum=100)
        if (
            filters.create_time_after is not None
            and filters.create_time_before is not None
            and filters.create_time_after >= filters.create_time_before
        ):
            raise InvalidArgument(
                "create_time_after must be before create_time_before", field="create_time_after"
            )
        if filters.metadata_value and not filters.metadata_key:
            raise InvalidArgument("metadata_value needs metadata_key", field="metadata_value")
        if len(filters.metadata_key) > MAX_METADATA_KEY:
            raise InvalidArgument(
                f"metadata_key is longer than {MAX_METADATA_KEY} characters", field="metadata_key"
            )
        if len(filters.metadata_value) > MAX_METADATA_VALUE:
            raise InvalidArgument(
                f"metadata_value is longer than {MAX_METADATA_VALUE} characters", field="metadata_value"
            )
        no_nul(filters.metadata_key, "metadata_key")
        no_nul(filters.metadata_value, "metadata_value")
        digest = filter_hash(
            "sessions",
            owner_id,
            filters.status,
            filters.metadata_key,
            filters.metadata_value,
            filters.create_time_after,
            filters.create_time_before,
            filters.show_deleted,
            filters.order,
        )
        after: tuple[dt.datetime, uuid.UUID] | None = None
        if token:
            key = self._tokens.decode(token, "sessions", digest)
            try:
                after = (dt.datetime.fromisoformat(key[0]), uuid.UUID(key[1]))
            except (ValueError, IndexError, TypeError):
                raise InvalidArgument("page_token is malformed", field="page_token") from None
        rows = await self.repository.list_sessions(owner_id, filters, after=after, limit=size + 1)
        next_token = ""
        if len(rows) > size:
            rows = rows[:size]
            last = rows[-1]
            moment = last.update_time if filters.order.value.startswith("update") else last.create_time
            next_token = self._tokens.encode("sessions", [moment.isoformat(), str(last.id)], digest)
        return Page(rows, next_token)

    @run_to_completion
    async def update_session(
        self, owner_id: str, session_id: uuid.UUID, changes: SessionChanges
    ) -> SessionRecord:
        if not changes.fields:
            raise InvalidArgument("update_mask must name at least one field", field="update_mask.paths")
        unknown = sorted(changes.fields - UPDATABLE_FIELDS)
        if unknown:
            raise InvalidArgument(
                f"update_mask may name only {', '.join(sorted(UPDATABLE_FIELDS))}; got {', '.join(unknown)}",
                field="update_mask.paths",
            )
        now = self._clock()
        values: dict[str, Any] = {}
        if "title" in changes.fields:
            values["title"] = validate_title(changes.title, "session.title")
        if "metadata" in changes.fields:
            values["metadata"] = validate_metadata(changes.metadata or {}, "session.metadata")
        if "document_kind" in changes.fields:
            values["document_kind"] = changes.document_kind
        if "stage" in changes.fields:
            values["stage"] = (changes.stage or Stage.COLLECTING).value
        if "status" in changes.fields:
            if changes.status is None:
                raise InvalidArgument(
                    "session.status must be set when update_mask names it", field="session.status"
                )
            values.update(self._status_values(changes.status, now))
        updated = await self.repository.update_session(owner_id, session_id, values, now)
        if updated is None:
            raise _not_found(session_id)
        await self.cache.put_session(updated)
        return updated

    def _status_values(self, status: Status, now: dt.datetime) -> dict[str, Any]:
        if status is Status.COMPLETED:
            return {"status": status.value, "complete_time": now}
        if status is Status.ACTIVE:
            # Active again: the idle clock restarts.
            return {"status": status.value, "complete_time": None, "expire_time": now + self._ttl}
        return {"status": status.value, "complete_time": None}

    @run_to_completion
    async def delete_session(
        self, owner_id: str, session_id: uuid.UUID, *, hard: bool
    ) -> SessionRecord | None:
        if hard:
            if not await self.repository.hard_delete(owner_id, session_id):
                raise _not_found(session_id)
            await self.cache.tombstone(session_id)
            return None
        deleted = await self.repository.soft_delete(owner_id, session_id, self._clock())
        if deleted is None:
            current = await self.repository.get_session(owner_id, session_id)
            if current is None:
                raise _not_found(session_id)
            return current  # already soft-deleted: deleting again changes nothing
        await self.cache.put_session(deleted)
        return deleted

    @run_to_completion
    async def restore_session(self, owner_id: str, session_id: uuid.UUID) -> SessionRecord:
        now = self._clock()
        restored = await self.repository.restore(owner_id, session_id, now, now + self._ttl)
        if restored is None:
            if await self.repository.get_session(owner_id, session_id) is None:
                raise _not_found(session_id)
            raise FailedPrecondition("the session is not deleted", reason="SESSION_NOT_DELETED")
        await self.cache.put_session(restored)
        return restored

    @run_to_completion
    async def complete_session(self, owner_id: str, session_id: uuid.UUID) -> SessionRecord:
        current = await self._live(owner_id, session_id)
        if current.status is Status.COMPLETED:
            return current
        return await self._set_status(owner_id, session_id, Status.COMPLETED)

    @run_to_completion
    async def resume_session(self, owner_id: str, session_id: uuid.UUID) -> SessionRecord:
        await self._live(owner_id, session_id)
        resumed = await self._set_status(owner_id, session_id, Status.ACTIVE, activity=True)
        # Warm the cache with the whole view so the next GetSession is served from Redis.
        found = await self.repository.get_view(owner_id, session_id)
        if found is not None:
            await self.cache.put(found[0])
        return resumed

    async def _set_status(
        self, owner_id: str, session_id: uuid.UUID, status: Status, *, activity: bool = False
    ) -> SessionRecord:
        now = self._clock()
        values = self._status_values(status, now)
        if activity:
            values["last_activity_time"] = now
        updated = await self.repository.set_status(owner_id, session_id, values, now)
        if updated is None:
            raise _not_found(session_id)
        await self.cache.put_session(updated)
        return updated

    async def _live(self, owner_id: str, session_id: uuid.UUID) -> SessionRecord:
        """The owner's session from the database; NOT_FOUND when absent or soft-deleted."""
        current = await self.repository.get_session(owner_id, session_id)
        if current is None:
            raise _not_found(session_id)
        if current.delete_time is not None:
            raise _deleted(session_id)
        return current

    # ---- messages -------------------------------------------------------------------

    @run_to_completion
    async def append_messages(
        self,
        owner_id: str,
        session_id: uuid.UUID,
        messages: Sequence[NewMessage],
        *,
        idempotency_key: str = "",
        expected_version: int | None = None,
    ) -> AppendResult:
        self._check_messages(messages)
        _check_idempotency_key(idempotency_key)
        if expected_version is not None and expected_version < 1:
            raise InvalidArgument("expected_version must be at least 1", field="expected_version")
        counts = await _count_all(messages)
        now = self._clock()
        attempt = await self.repository.append_messages(
            owner_id,
            session_id,
            messages,
            counts,
            idempotency_key=idempotency_key,
            fingerprint=_fingerprint(messages),
            expected_version=expected_version,
            token_limit=self.settings.max_session_tokens,
            now=now,
            expire_time=now + self._ttl,
        )
        if attempt.outcome in (AppendOutcome.STORED, AppendOutcome.REPLAYED):
            assert attempt.result is not None
            await self.cache.put_session(attempt.result.session)
            return attempt.result
        raise self._refusal(attempt, session_id, counts, expected_version)

    def _refusal(
        self,
        attempt: AppendAttempt,
        session_id: uuid.UUID,
        counts: Sequence[int],
        expected_version: int | None,
    ) -> DomainError:
        """The error that says why an append (or a commit) wrote nothing."""
        outcome = attempt.outcome
        session = attempt.session
        if outcome is AppendOutcome.NOT_FOUND or session is None:
            return _not_found(session_id)
        if outcome is AppendOutcome.DELETED:
            return _deleted(session_id)
        if outcome is AppendOutcome.INACTIVE:
            return FailedPrecondition(
                f"the session is {session.status.value}; resume it before appending",
                reason="SESSION_NOT_ACTIVE",
                metadata={"status": session.status.value},
            )
        if outcome is AppendOutcome.KEY_REUSED:
            return InvalidArgument(
                "idempotency_key was already used for different messages", field="idempotency_key"
            )
        if outcome is AppendOutcome.UNKNOWN_MESSAGE:
            return InvalidArgument(
                "revision.message_id names no message of this session", field="revision.message_id"
            )
        if outcome is AppendOutcome.VERSION_CONFLICT:
            return Aborted(
                f"the session is at version {session.version}, not {expected_version}; reload and retry",
                reason="VERSION_CONFLICT",
                metadata={"current_version": str(session.version)},
            )
        limit = self.settings.max_session_tokens
        return ResourceExhausted(
            f"the session's token limit is {limit}; it holds {session.token_count} tokens and this "
            f"append needs {sum(counts)}",
            reason="SESSION_TOKEN_LIMIT",
            metadata={
                "limit": str(limit),
                "token_count": str(session.token_count),
                "requested": str(sum(counts)),
            },
        )

    def _check_messages(self, messages: Sequence[NewMessage]) -> None:
        if not messages:
            raise InvalidArgument("messages must hold at least one message", field="messages")
        if len(messages) > self.settings.max_messages_per_append:
            raise InvalidArgument(
                f"at most {self.settings.max_messages_per_append} messages per append", field="messages"
            )
        limit = self.settings.max_message_chars
        violations: dict[str, str] = {}
        for i, message in enumerate(messages):
            if not message.content.strip():
                violations[f"messages[{i}].content"] = "must not be empty"
            elif NUL in message.content:
                violations[f"messages[{i}].content"] = "must not contain NUL characters"
            elif len(message.content) > limit:
                violations[f"messages[{i}].content"] = (
                    f"is {len(message.content)} characters; the limit is {limit}"
                )
        if violations:
            raise InvalidArgument("messages are invalid", violations=violations)

    async def list_messages(
        self, owner_id: str, session_id: uuid.UUID, *, size: int, token: str
    ) -> Page[MessageRecord]:
        size = page_size(size, default=100, maximum=500)
        digest = filter_hash("messages", str(session_id))
        after = 0
        if token:
            after = _int_key(self._tokens.decode(token, "messages", digest))
        await self._visible(owner_id, session_id)
        rows = await self.repository.list_messages(session_id, after_sequence=after, limit=size + 1)
        next_token = ""
        if len(rows) > size:
            rows = rows[:size]
            next_token = self._tokens.encode("messages", [rows[-1].sequence], digest)
        return Page(rows, next_token)

    # ---- revisions ------------------------------------------------------------------

    @run_to_completion
    async def save_revision(
        self, owner_id: str, session_id: uuid.UUID, revision: NewRevision
    ) -> RevisionRecord:
        message_id = check_revision(revision, "")
        if message_id is not None:
            await self._visible(owner_id, session_id)
            if not await self.repository.message_exists(session_id, message_id):
                raise InvalidArgument("message_id names no message of this session", field="message_id")
        now = self._clock()
        saved = await self.repository.save_revision(
            owner_id, session_id, revision, now=now, expire_time=now + self._ttl
        )
        if saved is AppendOutcome.NOT_FOUND:
            raise _not_found(session_id)
        if saved is AppendOutcome.DELETED:
            raise _deleted(session_id)
        if isinstance(saved, AppendOutcome):
            raise FailedPrecondition(
                "the session is not active; resume it before saving a revision", reason="SESSION_NOT_ACTIVE"
            )
        session, record = saved
        await self.cache.put_revision_and_session(record, session)
        return record

    async def get_revision(self, owner_id: str, session_id: uuid.UUID, number: int) -> RevisionRecord:
        if number < 1:
            raise InvalidArgument("revision_number must be at least 1", field="revision_number")
        await self._visible(owner_id, session_id)
        found = await self.repository.get_revision(session_id, number)
        if found is None:
            raise NotFound(f"session {session_id} has no revision {number}", reason="REVISION_NOT_FOUND")
        return found

    async def list_revisions(
        self, owner_id: str, session_id: uuid.UUID, *, size: int, token: str
    ) -> Page[RevisionRecord]:
        size = page_size(size, default=20, maximum=100)
        digest = filter_hash("revisions", str(session_id))
        before = None
        if token:
            before = _int_key(self._tokens.decode(token, "revisions", digest))
        await self._visible(owner_id, session_id)
        rows = await self.repository.list_revisions(session_id, before_number=before, limit=size + 1)
        next_token = ""
        if len(rows) > size:
            rows = rows[:size]
            next_token = self._tokens.encode("revisions", [rows[-1].number], digest)
        return Page(rows, next_token)

    # ---- usage ----------------------------------------------------------------------

    @run_to_completion
    async def record_usage(self, owner_id: str, usage: NewUsage) -> UsageRecord:
        usage = check_usage(usage, "usage")
        await self._live(owner_id, usage.session_id)
        return await self.repository.record_usage(owner_id, usage, self._clock())

    async def get_usage(self, owner_id: str, session_id: uuid.UUID | None) -> UsageReport:
        if session_id is not None:
            await self._visible(owner_id, session_id)
        return await self.repository.usage_report(owner_id, session_id)

    # ---- turns ----------------------------------------------------------------------

    @run_to_completion
    async def commit_turn(
        self,
        owner_id: str,
        session_id: uuid.UUID,
        messages: Sequence[NewMessage],
        *,
        idempotency_key: str = "",
        revision: NewRevision | None = None,
        usage: Sequence[NewUsage] = (),
        title: str | None = None,
    ) -> CommitResult:
        """An agent turn's outcome in one transaction: what AppendMessages, SaveRevision,
        RecordUsage and UpdateSession(title) would write, checked by the same rules, all or
        nothing."""
        self._check_messages(messages)
        _check_idempotency_key(idempotency_key)
        message_id = check_revision(revision, "revision.") if revision is not None else None
        if len(usage) > MAX_USAGE_PER_COMMIT:
            raise InvalidArgument(f"at most {MAX_USAGE_PER_COMMIT} usage records per commit", field="usage")
        checked = [check_usage(u, f"usage[{i}]") for i, u in enumerate(usage)]
        if title is not None:
            validate_title(title, "title")
        counts = await _count_all(messages)
        now = self._clock()
        attempt = await self.repository.append_messages(
            owner_id,
            session_id,
            messages,
            counts,
            extras=TurnExtras(revision=revision, revision_message_id=message_id, usage=checked, title=title),
            idempotency_key=idempotency_key,
            fingerprint=_turn_fingerprint(messages, revision, checked, title),
            token_limit=self.settings.max_session_tokens,
            now=now,
            expire_time=now + self._ttl,
        )
        if attempt.outcome not in (AppendOutcome.STORED, AppendOutcome.REPLAYED):
            raise self._refusal(attempt, session_id, counts, None)
        assert attempt.result is not None
        session = attempt.result.session
        if attempt.outcome is AppendOutcome.STORED and attempt.revision is not None:
            await self.cache.put_revision_and_session(attempt.revision, session)
        else:
            await self.cache.put_session(session)
        return CommitResult(
            session=session,
            messages=attempt.result.messages,
            revision=attempt.revision,
            replayed=attempt.result.replayed,
        )


def _check_idempotency_key(key: str) -> None:
    no_nul(key, "idempotency_key")
    if len(key) > MAX_IDEMPOTENCY_KEY:
        raise InvalidArgument(
            f"idempotency_key is longer than {MAX_IDEMPOTENCY_KEY} characters", field="idempotency_key"
        )


def check_revision(revision: NewRevision, prefix: str) -> uuid.UUID | None:
    """The checks of a revision to save; its message id (parsed) or None. Field names are
    prefixed with `prefix` ("revision." inside a CommitTurn)."""
    if not revision.msc.strip():
        raise InvalidArgument(f"{prefix}msc is required", field=f"{prefix}msc")
    if len(revision.msc) > MAX_MSC_CHARS:
        raise InvalidArgument(f"{prefix}msc is longer than {MAX_MSC_CHARS} characters", field=f"{prefix}msc")
    no_nul(revision.msc, f"{prefix}msc")
    no_nul(revision.summary, f"{prefix}summary")
    if NUL in json.dumps(revision.invoice) or (revision.totals and NUL in json.dumps(revision.totals)):
        raise InvalidArgument(f"{prefix}invoice must not contain NUL characters", field=f"{prefix}invoice")
    if len(revision.summary) > MAX_SUMMARY:
        raise InvalidArgument(
            f"{prefix}summary is longer than {MAX_SUMMARY} characters", field=f"{prefix}summary"
        )
    if not revision.message_id:
        return None
    return parse_uuid(revision.message_id, f"{prefix}message_id")


def check_usage(usage: NewUsage, field: str) -> NewUsage:
    """The checks of one usage record named `field`; returns it with its cost rounded to
    what is stored (10 decimal places: finer fractions of a dollar are rounded, not refused)."""
    violations = {
        f"{field}.{name}": "must not be negative"
        for name, value in (
            ("prompt_tokens", usage.prompt_tokens),
            ("completion_tokens", usage.completion_tokens),
            ("latency_ms", usage.latency_ms),
        )
        if value < 0
    }
    if usage.cost_usd < 0:
        violations[f"{field}.cost_usd"] = "must not be negative"
    elif usage.cost_usd >= MAX_COST_USD:
        violations[f"{field}.cost_usd"] = "must be below 1000000000"
    if NUL in usage.model or NUL in usage.provider:
        violations[f"{field}.model"] = "model and provider must not contain NUL characters"
    if not usage.model:
        violations[f"{field}.model"] = "is required"
    elif len(usage.model) > 128:
        violations[f"{field}.model"] = "is longer than 128 characters"
    if len(usage.provider) > 64:
        violations[f"{field}.provider"] = "is longer than 64 characters"
    if violations:
        raise InvalidArgument("usage is invalid", violations=violations)
    return dataclasses.replace(usage, cost_usd=usage.cost_usd.quantize(COST_QUANTUM, ROUND_HALF_UP))


def _not_found(session_id: uuid.UUID) -> NotFound:
    return NotFound(f"session {session_id} not found", reason="SESSION_NOT_FOUND")


def _deleted(session_id: uuid.UUID) -> NotFound:
    return NotFound(
        f"session {session_id} is deleted; restore it first",
        reason="SESSION_DELETED",
    )


def _int_key(key: list[Any]) -> int:
    if len(key) != 1 or not isinstance(key[0], int) or isinstance(key[0], bool):
        raise InvalidArgument("page_token is malformed", field="page_token")
    return key[0]


def _fingerprint(messages: Sequence[NewMessage]) -> str:
    digest = hashlib.sha256()
    for message in messages:
        encoded = message.content.encode()
        digest.update(f"{message.role.value}:{len(encoded)}:".encode())
        digest.update(encoded)
    return digest.hexdigest()


def _turn_fingerprint(
    messages: Sequence[NewMessage], revision: NewRevision | None, usage: Sequence[NewUsage], title: str | None
) -> str:
    """The digest a commit's idempotency key is checked against: everything it writes, so a
    key reused for another revision or other usage is refused like one reused for other
    messages. A commit of messages alone writes what an append does and digests the same."""
    messages_digest = _fingerprint(messages)
    if revision is None and not usage and title is None:
        return messages_digest
    digest = hashlib.sha256(messages_digest.encode())
    if revision is not None:
        digest.update(revision.msc.encode())
        digest.update(
            json.dumps(
                [revision.invoice, revision.totals, revision.message_id, revision.summary], sort_keys=True
            ).encode()
        )
    for u in usage:
        digest.update(
            json.dumps(
                [
                    u.provider,
                    u.model,
                    u.prompt_tokens,
                    u.completion_tokens,
                    str(u.cost_usd),
                    u.latency_ms,
                    u.estimated,
                ]
            ).encode()
        )
    digest.update(json.dumps(title).encode())
    return digest.hexdigest()


async def _count_all(messages: Sequence[NewMessage]) -> list[int]:
    """Each message counted once, here; stored with it and never recounted."""
    if sum(len(m.content) for m in messages) <= _TOKENIZE_INLINE_CHARS:
        return [count_tokens(m.content) for m in messages]
    return await asyncio.to_thread(lambda: [count_tokens(m.content) for m in messages])
