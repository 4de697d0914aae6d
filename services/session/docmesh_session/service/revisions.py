"""The rules of a session's document revisions."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable

from docmesh_common.errors import InvalidArgument
from docmesh_session.cache import SessionCache
from docmesh_session.domain import AppendOutcome, NewRevision, Page, RevisionRecord
from docmesh_session.errors import refusal, revision_not_found, unknown_message
from docmesh_session.paging import Keyset, PageTokens, filter_hash, int_key
from docmesh_session.repository import SessionRepository
from docmesh_session.service.shared import SessionLookup, run_to_completion
from docmesh_session.validation import check_revision, page_size

# Revisions page by number, newest first.
_REVISIONS: Keyset[RevisionRecord, int] = Keyset("revisions", key_of=lambda r: [r.number], parse=int_key)


class RevisionRules:
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

    @run_to_completion
    async def save(self, owner_id: str, session_id: uuid.UUID, revision: NewRevision) -> RevisionRecord:
        message_id = check_revision(revision, "")
        if message_id is not None:
            await self._lookup.visible(owner_id, session_id)
            if not await self._repository.messages.exists(session_id, message_id):
                raise unknown_message("message_id")
        now = self._clock()
        attempt = await self._repository.revisions.save(
            owner_id, session_id, revision, now=now, expire_time=now + self._ttl
        )
        if attempt.outcome is not AppendOutcome.STORED:
            raise refusal(attempt, session_id, action="saving a revision")
        assert attempt.session is not None and attempt.revision is not None
        await self._cache.put_revision_and_session(attempt.revision, attempt.session)
        return attempt.revision

    async def get(self, owner_id: str, session_id: uuid.UUID, number: int) -> RevisionRecord:
        if number < 1:
            raise InvalidArgument("revision_number must be at least 1", field="revision_number")
        await self._lookup.visible(owner_id, session_id)
        found = await self._repository.revisions.get(session_id, number)
        if found is None:
            raise revision_not_found(session_id, number)
        return found

    async def list(
        self, owner_id: str, session_id: uuid.UUID, *, size: int, token: str
    ) -> Page[RevisionRecord]:
        size = page_size(size, default=20, maximum=100)
        digest = filter_hash("revisions", str(session_id))
        before = self._tokens.after(_REVISIONS, token, digest)
        await self._lookup.visible(owner_id, session_id)
        rows = await self._repository.revisions.page(session_id, before_number=before, limit=size + 1)
        return self._tokens.page(_REVISIONS, rows, size, digest)
