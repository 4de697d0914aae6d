"""Back-off from an optional dependency that failed (Redis): known down, probed in the background.

A dependency that timed out once is likely to time out again: a hung Redis costs every request
that tries it the whole socket time-out. So after a failure the dependency is *known down* and
no request touches it; a background task probes it instead, first after `first_seconds`, then
at intervals that double up to `max_seconds`, each jittered so that replicas which lost it
together do not probe it in step. The first probe that succeeds makes it usable again.

The caller decides what a probe is (a PING, or a PING and the clean-up that must happen before
the dependency is trusted again) and what to do meanwhile (answer from the database, limit per
process).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable

log = logging.getLogger("docmesh.backoff")

# Each interval is scaled by a random factor in this range: only ever shorter, so the
# configured maximum still bounds how long a dependency stays unused after it came back.
JITTER = (0.8, 1.0)


class Backoff:
    """Whether a dependency is usable; after `failed()`, probes it in the background until it answers."""

    def __init__(
        self,
        name: str,
        probe: Callable[[], Awaitable[object]],
        *,
        first_seconds: float = 0.5,
        max_seconds: float = 5.0,
    ) -> None:
        self.name = name
        self.first_seconds = first_seconds
        self.max_seconds = max_seconds
        self._probe = probe
        self._task: asyncio.Task[None] | None = None

    @property
    def down(self) -> bool:
        """True from a failure until a probe succeeds."""
        return self._task is not None

    def failed(self, error: BaseException) -> None:
        """Mark the dependency down (once per outage: later failures change nothing)."""
        if self._task is not None:
            return
        # The error's type only: a Redis error's text can carry its URL and password.
        log.warning("%s unavailable (%s), backing off", self.name, type(error).__name__)
        self._task = asyncio.get_running_loop().create_task(self._probe_until_up(), name=f"{self.name}-probe")

    async def _probe_until_up(self) -> None:
        interval = self.first_seconds
        while True:
            await asyncio.sleep(interval * random.uniform(*JITTER))
            try:
                await self._probe()
            except Exception:  # still down: wait longer before the next probe
                interval = min(self.max_seconds, interval * 2)
                continue
            break
        self._task = None
        log.info("%s reachable again", self.name)

    async def close(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
