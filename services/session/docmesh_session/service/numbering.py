"""The rule of document numbers: FinalizeSession gives a session's document the next number of
its owner's series, once (a retry returns the number given), and moves it to FINALIZED."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from docmesh_common.errors import FailedPrecondition, InvalidArgument
from docmesh_session.cache import SessionCache
from docmesh_session.domain import SessionRecord
from docmesh_session.errors import deleted, not_found
from docmesh_session.numbering import parse_pattern
from docmesh_session.repository import SessionRepository
from docmesh_session.repository.numbering import FinalizeOutcome
from docmesh_session.service.shared import run_to_completion


@dataclass(slots=True, frozen=True)
class Finalized:
    session: SessionRecord
    newly_numbered: bool


def parse_issue_date(text: str, today: dt.date, field: str = "issue_date") -> dt.date:
    """An ISO date (YYYY-MM-DD); empty means `today`."""
    if not text:
        return today
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidArgument(f"{field} is not a date (YYYY-MM-DD)", field=field) from None


class NumberingRules:
    def __init__(
        self, repository: SessionRepository, cache: SessionCache, *, clock: Callable[[], dt.datetime]
    ) -> None:
        self._repository = repository
        self._cache = cache
        self._clock = clock

    @run_to_completion
    async def finalize(
        self, owner_id: str, session_id: uuid.UUID, numbering_pattern: str, issue_date: str
    ) -> Finalized:
        pattern = parse_pattern(numbering_pattern, "numbering_pattern")
        now = self._clock()
        day = parse_issue_date(issue_date, now.date())
        attempt = await self._repository.numbering.finalize(
            owner_id,
            session_id,
            pattern.series_key(day),
            lambda seq: pattern.number(day, seq),
            now,
        )
        if attempt.outcome is FinalizeOutcome.NOT_FOUND or attempt.session is None:
            raise not_found(session_id)
        if attempt.outcome is FinalizeOutcome.DELETED:
            raise deleted(session_id)
        if attempt.outcome is FinalizeOutcome.NO_REVISION:
            raise FailedPrecondition(
                "the session has no document to finalize; save a revision first", reason="NO_REVISION"
            )
        if attempt.outcome is FinalizeOutcome.ALREADY_NUMBERED:
            return Finalized(attempt.session, newly_numbered=False)
        await self._cache.put_session(attempt.session)
        return Finalized(attempt.session, newly_numbered=True)
