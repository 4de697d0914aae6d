"""The rules of LLM usage records."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable

from docmesh_session.domain import NewUsage, UsageRecord, UsageReport
from docmesh_session.repository import SessionRepository
from docmesh_session.service.shared import SessionLookup, run_to_completion
from docmesh_session.validation import check_usage


class UsageRules:
    def __init__(
        self, repository: SessionRepository, lookup: SessionLookup, *, clock: Callable[[], dt.datetime]
    ) -> None:
        self._repository = repository
        self._lookup = lookup
        self._clock = clock

    @run_to_completion
    async def record(self, owner_id: str, usage: NewUsage) -> UsageRecord:
        usage = check_usage(usage, "usage")
        await self._lookup.live(owner_id, usage.session_id)
        return await self._repository.usage.record(owner_id, usage, self._clock())

    async def report(self, owner_id: str, session_id: uuid.UUID | None) -> UsageReport:
        if session_id is not None:
            await self._lookup.visible(owner_id, session_id)
        return await self._repository.usage.report(owner_id, session_id)
