"""The rules of the turn lease (AcquireTurnLease, RenewTurnLease, ReleaseTurnLease): one chat
turn at a time per session across every agent replica, for a short lease the running turn
renews, so a holder that died frees the session within the lease time.

The expiry is computed on this service's clock, never the agent's, so replicas whose clocks
disagree still agree on who holds a session.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable

from docmesh_common.errors import Aborted, InvalidArgument
from docmesh_session.domain import SessionRecord, TurnLease
from docmesh_session.errors import deleted
from docmesh_session.repository import SessionRepository
from docmesh_session.service.shared import SessionLookup
from docmesh_session.validation import NUL

MAX_HOLDER = 64
# A lease is seconds (a heartbeat renews it); minutes would lock a session whose holder died.
MAX_LEASE = dt.timedelta(seconds=300)


def check_holder(holder: str, field: str = "holder") -> str:
    if not holder:
        raise InvalidArgument(f"{field} is required", field=field)
    if len(holder) > MAX_HOLDER or NUL in holder:
        raise InvalidArgument(f"{field} must be at most {MAX_HOLDER} characters without NUL", field=field)
    return holder


def check_duration(duration: dt.timedelta, field: str = "lease_duration") -> dt.timedelta:
    if duration <= dt.timedelta(0) or duration > MAX_LEASE:
        raise InvalidArgument(
            f"{field} must be more than 0 and at most {MAX_LEASE.total_seconds():g} s", field=field
        )
    return duration


class LeaseRules:
    def __init__(
        self, repository: SessionRepository, lookup: SessionLookup, *, clock: Callable[[], dt.datetime]
    ) -> None:
        self._repository = repository
        self._lookup = lookup
        self._clock = clock

    async def acquire(
        self, owner_id: str, session_id: uuid.UUID, holder: str, duration: dt.timedelta
    ) -> TurnLease:
        """The lease for `holder`; ABORTED (TURN_IN_PROGRESS, the time left) while another holds it."""
        check_holder(holder)
        check_duration(duration)
        return await self.take(await self._lookup.visible(owner_id, session_id), holder, duration)

    async def take(self, session: SessionRecord, holder: str, duration: dt.timedelta) -> TurnLease:
        """`acquire` of a session the caller has found (the owner's), its arguments checked."""
        session_id = session.id
        if session.delete_time is not None:
            raise deleted(session_id)
        now = self._clock()
        attempt = await self._repository.leases.acquire(session_id, holder, now, now + duration)
        if not attempt.acquired:
            left = (attempt.lease.expire_time - now).total_seconds()
            raise Aborted(
                "another turn is still running on this session; wait for its answer and try again",
                reason="TURN_IN_PROGRESS",
                retry_after_seconds=max(0.0, left),
            )
        return attempt.lease

    async def renew(
        self, owner_id: str, session_id: uuid.UUID, holder: str, duration: dt.timedelta
    ) -> TurnLease:
        """The holder's lease, extended to now + `duration`; ABORTED (TURN_LEASE_LOST) if gone."""
        check_holder(holder)
        check_duration(duration)
        await self._lookup.visible(owner_id, session_id)
        renewed = await self._repository.leases.renew(session_id, holder, self._clock() + duration)
        if renewed is None:
            raise Aborted(
                "this turn no longer holds the session: its lease ran out and another turn took it",
                reason="TURN_LEASE_LOST",
            )
        return renewed

    async def release(self, owner_id: str, session_id: uuid.UUID, holder: str) -> bool:
        check_holder(holder)
        await self._lookup.visible(owner_id, session_id)
        return await self._repository.leases.release(session_id, holder)
