"""What every part of the service uses: the clock, changes that run to completion, and
finding the caller's session (from Redis first, else the database)."""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, ParamSpec, TypeVar

from docmesh_common.errors import DomainError
from docmesh_session.cache import GONE, SessionCache
from docmesh_session.domain import SessionRecord
from docmesh_session.errors import deleted, not_found
from docmesh_session.repository import SessionRepository

log = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


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


class SessionLookup:
    """The caller's session, for the rules that need it to exist first."""

    def __init__(self, repository: SessionRepository, cache: SessionCache) -> None:
        self._repository = repository
        self._cache = cache

    async def visible(self, owner_id: str, session_id: uuid.UUID) -> SessionRecord:
        """The owner's session (deleted or not) from the cache or the database, else NOT_FOUND."""
        session, _ = await self._cache.get(session_id, with_revision=False)
        if session is GONE:
            raise not_found(session_id)
        if isinstance(session, SessionRecord):
            if session.owner_id != owner_id:
                raise not_found(session_id)
            return session
        found = await self._repository.sessions.get(owner_id, session_id)
        if found is None:
            raise not_found(session_id)
        await self._cache.put_session(found)
        return found

    async def live(self, owner_id: str, session_id: uuid.UUID) -> SessionRecord:
        """The owner's session from the database; NOT_FOUND when absent or soft-deleted."""
        current = await self._repository.sessions.get(owner_id, session_id)
        if current is None:
            raise not_found(session_id)
        if current.delete_time is not None:
            raise deleted(session_id)
        return current
