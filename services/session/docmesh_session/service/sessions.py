"""The rules of sessions themselves: create, read (Redis first), list, change, delete, restore,
complete and resume."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from docmesh_common.errors import FailedPrecondition, InvalidArgument
from docmesh_session.cache import GONE, SessionCache
from docmesh_session.domain import (
    MessageRecord,
    Page,
    SessionFilter,
    SessionOrder,
    SessionRecord,
    SessionView,
    Stage,
    Status,
)
from docmesh_session.errors import not_found
from docmesh_session.paging import Keyset, PageTokens, filter_hash
from docmesh_session.repository import SessionRepository
from docmesh_session.service.shared import SessionLookup, run_to_completion
from docmesh_session.validation import (
    MAX_METADATA_KEY,
    MAX_METADATA_VALUE,
    MAX_TITLE,
    no_nul,
    page_size,
    validate_metadata,
    validate_title,
)

UPDATABLE_FIELDS = frozenset({"title", "metadata", "status", "document_kind", "stage"})
_UPDATE_ORDERS = frozenset({SessionOrder.UPDATE_ASC, SessionOrder.UPDATE_DESC})


def _sessions_keyset(order: SessionOrder) -> Keyset[SessionRecord, tuple[dt.datetime, uuid.UUID]]:
    """Sessions page by (the order's time, id)."""
    by_update = order in _UPDATE_ORDERS
    return Keyset(
        "sessions",
        key_of=lambda s: [(s.update_time if by_update else s.create_time).isoformat(), str(s.id)],
        parse=lambda key: (dt.datetime.fromisoformat(key[0]), uuid.UUID(key[1])),
    )


_SESSIONS_KEYSETS = {order: _sessions_keyset(order) for order in SessionOrder}


@dataclass(slots=True, frozen=True)
class SessionChanges:
    """What UpdateSession asks for: the mask's fields and their new values."""

    fields: frozenset[str]
    title: str = ""
    metadata: Mapping[str, str] | None = None
    status: Status | None = None
    document_kind: str = ""
    stage: Stage | None = None


class SessionRules:
    def __init__(
        self,
        repository: SessionRepository,
        cache: SessionCache,
        lookup: SessionLookup,
        tokens: PageTokens,
        *,
        ttl: dt.timedelta,
        clock: Callable[[], dt.datetime],
    ) -> None:
        self._repository = repository
        self._cache = cache
        self._lookup = lookup
        self._tokens = tokens
        self._ttl = ttl
        self._clock = clock

    # Not run_to_completion (a task and a shield per call, 4 % of a create's CPU): a create
    # cancelled between its commit and the cache write leaves no entry, and a missing entry is
    # a miss, never stale state (the id is new). A cancelled caller was never acknowledged.
    async def create(
        self, owner_id: str, *, title: str, metadata: Mapping[str, str], document_kind: str
    ) -> SessionRecord:
        record = self.new_record(owner_id, title=title, metadata=metadata, document_kind=document_kind)
        await self._repository.sessions.create(record)
        await self._cache.put_session(record)
        return record

    def new_record(
        self, owner_id: str, *, title: str, metadata: Mapping[str, str], document_kind: str
    ) -> SessionRecord:
        """A new session of `owner_id`, checked, not yet stored (CreateSession, BeginTurn)."""
        now = self._clock()
        return SessionRecord(
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

    async def get(
        self, owner_id: str, session_id: uuid.UUID, *, with_messages: bool = False
    ) -> tuple[SessionView, list[MessageRecord]]:
        if not with_messages:
            cached = await self._cached_view(owner_id, session_id)
            if cached is not None:
                return cached, []
        found = await self._repository.sessions.get_view(owner_id, session_id, with_messages=with_messages)
        if found is None:
            raise not_found(session_id)
        view, messages = found
        await self._cache.put(view)
        return view, messages

    async def _cached_view(self, owner_id: str, session_id: uuid.UUID) -> SessionView | None:
        session, revision = await self._cache.get(session_id)
        if session is GONE:
            raise not_found(session_id)
        if session is None or not isinstance(session, SessionRecord):
            return None
        if session.owner_id != owner_id:
            raise not_found(session_id)
        if session.latest_revision_number == 0:
            return SessionView(session, None)
        if revision is not None and revision.number == session.latest_revision_number:
            return SessionView(session, revision)
        # The session is cached but its revision is not (or is older): fill it in.
        latest = await self._repository.revisions.get(session_id, session.latest_revision_number)
        if latest is None:
            return None
        await self._cache.put_revision(latest)
        return SessionView(session, latest)

    async def list(
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
        if len(filters.query) > MAX_TITLE:
            raise InvalidArgument(f"query is longer than {MAX_TITLE} characters", field="query")
        no_nul(filters.query, "query")
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
            # Only when set: a page token of the previous release (without these filters)
            # keeps its digest and stays valid across the upgrade.
            *(
                (filters.document_kind, filters.stage, filters.query)
                if filters.document_kind or filters.stage or filters.query
                else ()
            ),
        )
        keyset = _SESSIONS_KEYSETS[filters.order]
        after = self._tokens.after(keyset, token, digest)
        rows = await self._repository.sessions.page(owner_id, filters, after=after, limit=size + 1)
        return self._tokens.page(keyset, rows, size, digest)

    @run_to_completion
    async def update(self, owner_id: str, session_id: uuid.UUID, changes: SessionChanges) -> SessionRecord:
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
        updated = await self._repository.sessions.update(owner_id, session_id, values, now)
        if updated is None:
            raise not_found(session_id)
        await self._cache.put_session(updated)
        return updated

    def _status_values(self, status: Status, now: dt.datetime) -> dict[str, Any]:
        if status is Status.COMPLETED:
            return {"status": status.value, "complete_time": now}
        if status is Status.ACTIVE:
            # Active again: the idle clock restarts.
            return {"status": status.value, "complete_time": None, "expire_time": now + self._ttl}
        return {"status": status.value, "complete_time": None}

    @run_to_completion
    async def delete(self, owner_id: str, session_id: uuid.UUID, *, hard: bool) -> SessionRecord | None:
        if hard:
            if not await self._repository.sessions.hard_delete(owner_id, session_id):
                raise not_found(session_id)
            await self._cache.tombstone(session_id)
            return None
        deleted = await self._repository.sessions.soft_delete(owner_id, session_id, self._clock())
        if deleted is None:
            current = await self._repository.sessions.get(owner_id, session_id)
            if current is None:
                raise not_found(session_id)
            return current  # already soft-deleted: deleting again changes nothing
        await self._cache.put_session(deleted)
        return deleted

    @run_to_completion
    async def restore(self, owner_id: str, session_id: uuid.UUID) -> SessionRecord:
        now = self._clock()
        restored = await self._repository.sessions.restore(owner_id, session_id, now, now + self._ttl)
        if restored is None:
            if await self._repository.sessions.get(owner_id, session_id) is None:
                raise not_found(session_id)
            raise FailedPrecondition("the session is not deleted", reason="SESSION_NOT_DELETED")
        await self._cache.put_session(restored)
        return restored

    @run_to_completion
    async def complete(self, owner_id: str, session_id: uuid.UUID) -> SessionRecord:
        current = await self._lookup.live(owner_id, session_id)
        if current.status is Status.COMPLETED:
            return current
        return await self._set_status(owner_id, session_id, Status.COMPLETED)

    @run_to_completion
    async def resume(self, owner_id: str, session_id: uuid.UUID) -> SessionRecord:
        await self._lookup.live(owner_id, session_id)
        resumed = await self._set_status(owner_id, session_id, Status.ACTIVE, activity=True)
        # Warm the cache with the whole view so the next GetSession is served from Redis.
        found = await self._repository.sessions.get_view(owner_id, session_id)
        if found is not None:
            await self._cache.put(found[0])
        return resumed

    async def _set_status(
        self, owner_id: str, session_id: uuid.UUID, status: Status, *, activity: bool = False
    ) -> SessionRecord:
        now = self._clock()
        values = self._status_values(status, now)
        if activity:
            values["last_activity_time"] = now
        updated = await self._repository.sessions.update(owner_id, session_id, values, now)
        if updated is None:
            raise not_found(session_id)
        await self._cache.put_session(updated)
        return updated
