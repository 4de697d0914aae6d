"""Background expiry inside the service: idle sessions become abandoned, old deletions are purged.

Safe with several replicas: the repository's statements take disjoint rows
(`FOR UPDATE SKIP LOCKED` on PostgreSQL, the single write lock on SQLite), so every
session is handled by exactly one replica per transition.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from prometheus_client import Counter

from docmesh_session.cache import SessionCache
from docmesh_session.domain import SessionRecord
from docmesh_session.repository import SessionRepository

log = logging.getLogger(__name__)

SWEPT = Counter(
    "docmesh_session_swept_total",
    "Sessions handled by the sweeper, by action (abandoned, purged).",
    ["action"],
)


@dataclass(slots=True)
class SweepResult:
    abandoned: list[uuid.UUID] = field(default_factory=list)
    purged: list[uuid.UUID] = field(default_factory=list)


class Sweeper:
    def __init__(
        self,
        repository: SessionRepository,
        cache: SessionCache,
        *,
        interval_seconds: float,
        retention_seconds: float,
        batch_size: int,
        clock: Callable[[], dt.datetime],
    ) -> None:
        self.repository = repository
        self.cache = cache
        self.interval = interval_seconds
        self.retention = dt.timedelta(seconds=retention_seconds)
        self.batch_size = batch_size
        self._clock = clock
        self._task: asyncio.Task[None] | None = None

    async def sweep_once(self) -> SweepResult:
        """One pass: batches until nothing is left to do."""
        result = SweepResult()
        while True:
            # Shielded: a stop between the commit and the cache update would leave Redis
            # serving the sessions as still active (or still there).
            abandoned = await asyncio.shield(self._abandon_batch())
            result.abandoned.extend(s.id for s in abandoned)
            if len(abandoned) < self.batch_size:
                break
        while True:
            purged = await asyncio.shield(self._purge_batch())
            result.purged.extend(purged)
            if len(purged) < self.batch_size:
                break
        if result.abandoned or result.purged:
            SWEPT.labels("abandoned").inc(len(result.abandoned))
            SWEPT.labels("purged").inc(len(result.purged))
            log.info(
                "sweep done",
                extra={"abandoned": len(result.abandoned), "purged": len(result.purged)},
            )
        return result

    async def _abandon_batch(self) -> list[SessionRecord]:
        abandoned = await self.repository.sessions.abandon_idle(self._clock(), self.batch_size)
        for session in abandoned:
            await self.cache.put_session(session)
        return abandoned

    async def _purge_batch(self) -> list[uuid.UUID]:
        purged = await self.repository.sessions.purge_deleted(self._clock() - self.retention, self.batch_size)
        for session_id in purged:
            await self.cache.tombstone(session_id)
        return purged

    def start(self) -> None:
        if self.interval > 0 and self._task is None:
            self._task = asyncio.create_task(self._run(), name="session-sweeper")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            # Jitter keeps replicas that started together from sweeping in lockstep.
            await asyncio.sleep(self.interval * random.uniform(0.8, 1.2))
            try:
                await self.sweep_once()
            except Exception:
                log.exception("sweep failed; trying again next interval")
