"""The turn lock of a session: one chat turn at a time per session, across every agent replica.

A turn holds its session through a lease of its own in the session service (AcquireTurnLease /
RenewTurnLease / ReleaseTurnLease): a compare-and-set on a token of this turn attempt and the
lease's expiry, apart from the session's fields, so no edit of the session's metadata can lose
it (nor it an edit). The lease is short so that a holder that died (kill -9, a lost database
connection, a replica gone) frees the session within seconds:

* the turn acquires it before it writes anything, for DOCMESH_AGENT_TURN_LEASE_SECONDS (a chat
  turn in the same call that appends its message: SessionStore.begin_turn, then `keep`); a
  turn refused because another holds it gets ABORTED with the lease time actually left as its
  retry hint (the gateway turns that into 409 with Retry-After);
* while the turn runs, a heartbeat renews it every third of that, so a live turn keeps its
  session however long the language model takes;
* the turn releases it when it ends, however it ends; a release that fails leaves a lease that
  runs out on its own.

The token is new for every attempt, even a retry with the same idempotency key: a retry while
the first attempt still runs is refused (it would ask the language model twice); once the
holder is gone, the retry finds its user message and runs the turn again (turn.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

from docmesh_agent.ports import SessionStore
from docmesh_common.errors import DomainError

log = logging.getLogger(__name__)

# Renewals per lease: a missed renewal or two still leaves the lease alive.
RENEWALS_PER_LEASE = 3
# Releases still running for turns whose caller went away.
_releasing: set[asyncio.Future[None]] = set()


@dataclass
class Lease:
    """A turn's hold on its session. `released` once a write of the turn freed it (its commit
    carries the holder, CommitTurn's release_turn_lease): then no release call is made."""

    holder: str
    released: bool = False


def new_lease() -> Lease:
    """A lease token of its own for one turn attempt."""
    return Lease(uuid.uuid4().hex)


@contextlib.asynccontextmanager
async def hold(sessions: SessionStore, session_id: str, lease_seconds: float) -> AsyncIterator[Lease]:
    """Hold `session_id` for the block (Aborted, TURN_IN_PROGRESS, when another turn does)."""
    lease = new_lease()
    await sessions.acquire_turn_lease(session_id, lease.holder, lease_seconds)
    async with keep(sessions, session_id, lease_seconds, lease):
        yield lease


@contextlib.asynccontextmanager
async def keep(
    sessions: SessionStore, session_id: str, lease_seconds: float, lease: Lease
) -> AsyncIterator[Lease]:
    """Keep a lease already taken (by `hold`, or by the turn's BeginTurn) for the block: renewed
    by the heartbeat, released at the end unless a write of the turn freed it."""
    holder = lease.holder

    async def beat() -> None:
        interval = lease_seconds / RENEWALS_PER_LEASE
        while True:
            await asyncio.sleep(interval)
            if lease.released:
                return
            try:
                await sessions.renew_turn_lease(session_id, holder, lease_seconds)
            except DomainError as error:
                # The next beat tries again; a lease that runs out frees the session, which
                # is what a holder that cannot reach the store should do anyway.
                log.warning("could not renew the turn lease: %s", error.message)

    task = asyncio.create_task(beat())
    try:
        yield lease
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        if not lease.released:
            # Shielded: a turn whose caller went away still frees its session at once (held
            # here until done: the event loop keeps only weak references to tasks). A cancel
            # is not swallowed: it goes on to the caller while the release finishes.
            await release_quietly(sessions, session_id, lease)


async def release_quietly(sessions: SessionStore, session_id: str, lease: Lease) -> None:
    """Frees `lease` (if held: also one whose begin failed in transit), shielded from the
    caller's cancellation; a release that fails leaves a lease that runs out on its own."""
    release = asyncio.ensure_future(_release(sessions, session_id, lease.holder))
    _releasing.add(release)
    release.add_done_callback(_releasing.discard)
    await asyncio.shield(release)


async def _release(sessions: SessionStore, session_id: str, holder: str) -> None:
    try:
        await sessions.release_turn_lease(session_id, holder)
    except DomainError as error:
        log.warning("could not release the turn lease (it runs out on its own): %s", error.message)
