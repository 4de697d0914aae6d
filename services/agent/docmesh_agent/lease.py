"""The turn lock of a session: who may start a turn, and the heartbeat that keeps a running
turn's hold on its session.

A turn holds its session while the session's last message is its user message without a
reply. That hold is a lease, short so that a holder that died (kill -9, a lost database
connection, a replica gone) frees the session within seconds:

* it starts with the user message (its create_time, the session store's clock) and lasts
  DOCMESH_AGENT_TURN_LEASE_SECONDS;
* while the turn runs, a heartbeat renews it every third of that through the SessionStore
  (the session's `turn_lease_until`), so a live turn keeps its session however long the
  language model takes;
* a turn refused for a held session gets ABORTED with the lease time actually left as its
  retry hint (the gateway turns that into 409 with Retry-After).

Once the holder is gone, a retry of its turn with the same idempotency key finds its user
message and runs the turn again (turn.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import AsyncIterator, Sequence

from docmesh_agent.domain import Message, Session
from docmesh_agent.ports import SessionStore
from docmesh_common.errors import Aborted, DomainError

log = logging.getLogger(__name__)

# Renewals per lease: a missed renewal or two still leaves the lease alive.
RENEWALS_PER_LEASE = 3


def seconds_held(session: Session, messages: Sequence[Message], lease_seconds: float) -> float:
    """Seconds the session stays held by a running turn (0: free)."""
    if not messages or messages[-1].role != "user":
        return 0.0
    now = dt.datetime.now(dt.UTC)
    until = messages[-1].create_time + dt.timedelta(seconds=lease_seconds)
    if session.turn_lease_until is not None:
        until = max(until, session.turn_lease_until)
    return max(0.0, (until - now).total_seconds())


def refuse_if_held(session: Session, messages: Sequence[Message], lease_seconds: float) -> None:
    """ABORTED while another turn holds the session, with the lease time left as retry hint."""
    left = seconds_held(session, messages, lease_seconds)
    if left > 0:
        raise Aborted(
            "another turn is still running on this session; wait for its answer and try again",
            reason="TURN_IN_PROGRESS",
            retry_after_seconds=left,
        )


@contextlib.asynccontextmanager
async def heartbeat(sessions: SessionStore, session_id: str, lease_seconds: float) -> AsyncIterator[None]:
    """Renew the turn's lease on `session_id` while the block runs."""

    async def beat() -> None:
        interval = lease_seconds / RENEWALS_PER_LEASE
        while True:
            await asyncio.sleep(interval)
            until = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=lease_seconds)
            try:
                await sessions.renew_turn_lease(session_id, until)
            except DomainError as error:
                # The next beat tries again; a lease that runs out frees the session, which
                # is what a holder that cannot reach the store should do anyway.
                log.warning("could not renew the turn lease: %s", error.message)

    task = asyncio.create_task(beat())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
