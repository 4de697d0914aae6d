"""Redis hot cache of session state, optional and never trusted with anything durable.

Keys are namespaced and versioned (`docmesh:session:v1:<id>` for the session,
`...:<id>:revision` for its latest revision), values are `<version>:<json>` (the JSON is
`mapping`'s cache form: a revision's invoice and totals are their wire bytes in base64; an
entry of another form, e.g. an older release's, is dropped when read), and a write only
replaces an older version (a Lua script compares them), so out-of-order write-throughs from
concurrent requests never leave stale state behind.
Commands go through `redis_link` (every command pipelined on one connection; redis-py's
client cost about ten times the CPU per command). Reads slide the TTL (GETEX). Every Redis
error or timeout is caught and logged, the caller
falls back to the database, and no request touches Redis until a background probe of the
shared back-off (docmesh_common.backoff) finds it answering again; keys whose write-through was
missed meanwhile are deleted first, so a Redis that comes back never serves state older than
the database.
"""

from __future__ import annotations

import json
import logging
import uuid
from typing import Final

from prometheus_client import Counter

from docmesh_common.backoff import Backoff
from docmesh_session.domain import RevisionRecord, SessionRecord, SessionView
from docmesh_session.mapping import (
    revision_from_cache,
    revision_to_cache,
    session_from_cache,
    session_to_cache,
)
from docmesh_session.redis_link import RedisLink, Script

log = logging.getLogger(__name__)

CACHE_READS = Counter(
    "docmesh_session_cache_reads_total",
    "Session cache reads by result: hit, miss, skipped (Redis backing off or not configured), error.",
    ["result"],
)
CACHE_ERRORS = Counter(
    "docmesh_session_cache_errors_total",
    "Redis operations that failed and were answered from the database, by operation.",
    ["operation"],
)
# The read counter's children, looked up once: `labels()` on every read cost a lock and a
# tuple key per GetSession.
_READ_HIT, _READ_MISS, _READ_SKIPPED, _READ_ERROR = (
    CACHE_READS.labels(result) for result in ("hit", "miss", "skipped", "error")
)

KEY_SCHEMA: Final = "session:v1"
# A hard-deleted session leaves a tombstone whose version beats any late write-through.
TOMBSTONE_VERSION: Final = 2**52

# The version guard of every write-through, as a Lua function the put scripts share.
_PUT_FUNCTION = """
local function put(key, version, body, ttl)
  local cur = redis.call('GET', key)
  if cur then
    local sep = string.find(cur, ':', 1, true)
    if sep then
      local v = tonumber(string.sub(cur, 1, sep - 1))
      if v and v >= tonumber(version) then
        redis.call('PEXPIRE', key, ttl)
        return 0
      end
    end
  end
  redis.call('SET', key, version .. ':' .. body, 'PX', ttl)
  return 1
end
"""
_PUT_IF_NEWER = _PUT_FUNCTION + "return put(KEYS[1], ARGV[1], ARGV[2], ARGV[3])\n"
# A change that made a revision (CommitTurn, SaveRevision): both entries in one round trip,
# the revision first, so a reader that sees the new session never finds an older revision
# beside it for long (it fills a missing one from the database).
_PUT_BOTH_IF_NEWER = _PUT_FUNCTION + (
    "return {put(KEYS[1], ARGV[1], ARGV[2], ARGV[5]), put(KEYS[2], ARGV[3], ARGV[4], ARGV[5])}\n"
)


# GetSession's read: both entries and both TTLs slid in one command; a script costs the client
# less than a pipeline of two GETEX (measured: ~85 vs ~120 us of CPU per read in redis-py).
_GET_BOTH = """
return {redis.call('GETEX', KEYS[1], 'PX', ARGV[1]), redis.call('GETEX', KEYS[2], 'PX', ARGV[1])}
"""


class Gone:
    """Marker: the cache knows the session was deleted for good."""


GONE: Final = Gone()


class SessionCache:
    """Best-effort cache; every method returns quietly when Redis misbehaves."""

    def __init__(
        self,
        redis_url: str,
        *,
        ttl_seconds: int,
        timeout_seconds: float = 0.25,
        retry_seconds: float = 1.0,
        namespace: str = "docmesh",
        max_connections: int = 64,
    ) -> None:
        # Every command pipelined on one connection (redis_link); at most `max_connections`
        # in flight, the bound the connection pool used to set: under a burst, callers wait.
        self._redis: RedisLink | None = None
        if redis_url:
            self._redis = RedisLink(redis_url, timeout=timeout_seconds, max_in_flight=max_connections)
        self._ttl_ms = ttl_seconds * 1000
        self._prefix = f"{namespace}:{KEY_SCHEMA}:"
        # After a failure no request touches Redis: the shared back-off probes it in the
        # background (first after about retry_seconds, then at growing intervals), and the
        # probe also drops the keys missed meanwhile before the cache is trusted again.
        self._backoff = Backoff(
            "redis cache", self._recover, first_seconds=retry_seconds, max_seconds=max(5.0, retry_seconds)
        )
        # Sessions whose write-through was missed while Redis was unreachable.
        self._dirty: set[uuid.UUID] = set()
        self._put_script = Script(self._redis, _PUT_IF_NEWER) if self._redis else None
        self._put_both_script = Script(self._redis, _PUT_BOTH_IF_NEWER) if self._redis else None
        self._get_script = Script(self._redis, _GET_BOTH) if self._redis else None

    @property
    def enabled(self) -> bool:
        return self._redis is not None

    def key(self, session_id: uuid.UUID) -> str:
        return f"{self._prefix}{session_id}"

    def revision_key(self, session_id: uuid.UUID) -> str:
        return f"{self._prefix}{session_id}:revision"

    async def get(
        self, session_id: uuid.UUID, *, with_revision: bool = True
    ) -> tuple[SessionRecord | Gone | None, RevisionRecord | None]:
        """The cached session (GONE when deleted for good) and latest revision; None on a miss.

        One round trip; the TTLs slide. Any error counts as a miss. Without `with_revision`
        only the (small) session entry is read, e.g. for an ownership check.
        """
        if not await self._usable():
            _READ_SKIPPED.inc()
            return None, None
        assert self._redis is not None
        try:
            if with_revision:
                assert self._get_script is not None
                raw_session, raw_revision = await self._get_script(
                    keys=[self.key(session_id), self.revision_key(session_id)], args=[self._ttl_ms]
                )
            else:
                raw_session = await self._redis.execute("GETEX", self.key(session_id), "PX", self._ttl_ms)
                raw_revision = None
        except Exception as error:  # any Redis failure means: ask the database
            _READ_ERROR.inc()
            await self._failed("get", error)
            return None, None
        (_READ_MISS if raw_session is None else _READ_HIT).inc()
        session: SessionRecord | Gone | None = None
        revision: RevisionRecord | None = None
        try:
            if raw_session is not None:
                head, _, body = raw_session.partition(b":")
                session = GONE if int(head) >= TOMBSTONE_VERSION else session_from_cache(json.loads(body))
            if raw_revision is not None:
                revision = revision_from_cache(session_id, json.loads(raw_revision.partition(b":")[2]))
        except (ValueError, KeyError, TypeError) as error:
            log.warning("unreadable cache entry for session %s dropped: %s", session_id, error)
            await self.delete(session_id)
            return None, None
        return session, revision

    async def put_session(self, session: SessionRecord) -> None:
        """Write-through: store `session` unless the cache already has a newer version."""
        body = json.dumps(session_to_cache(session))
        await self._put(self.key(session.id), session.id, session.version, body)

    async def put_revision(self, revision: RevisionRecord) -> None:
        """Write-through of the latest revision; its number orders the writes."""
        await self._put(
            self.revision_key(revision.session_id),
            revision.session_id,
            revision.number,
            json.dumps(revision_to_cache(revision)),
        )

    async def put_revision_and_session(self, revision: RevisionRecord, session: SessionRecord) -> None:
        """Write-through of a change that made a new revision: both entries, each guarded by
        its own version, in one round trip."""
        if not await self._usable():
            self._dirty.add(session.id)
            return
        assert self._put_both_script is not None
        try:
            await self._put_both_script(
                keys=[self.revision_key(session.id), self.key(session.id)],
                args=[
                    revision.number,
                    json.dumps(revision_to_cache(revision)),
                    session.version,
                    json.dumps(session_to_cache(session)),
                    self._ttl_ms,
                ],
            )
        except Exception as error:
            self._dirty.add(session.id)
            await self._failed("put", error)

    async def put(self, view: SessionView) -> None:
        await self.put_session(view.session)
        if view.latest_revision is not None:
            await self.put_revision(view.latest_revision)

    async def tombstone(self, session_id: uuid.UUID) -> None:
        await self._put(self.key(session_id), session_id, TOMBSTONE_VERSION, "")

    async def delete(self, session_id: uuid.UUID) -> None:
        if not await self._usable():
            self._dirty.add(session_id)
            return
        assert self._redis is not None
        try:
            await self._redis.execute("DEL", self.key(session_id), self.revision_key(session_id))
        except Exception as error:
            self._dirty.add(session_id)
            await self._failed("delete", error)

    async def ping(self) -> bool:
        if self._redis is None:
            return False
        try:
            return bool(await self._redis.execute("PING"))
        except Exception:
            return False

    async def close(self) -> None:
        await self._backoff.close()
        if self._redis is not None:
            await self._redis.close()

    async def _put(self, key: str, session_id: uuid.UUID, version: int, body: str) -> None:
        if not await self._usable():
            self._dirty.add(session_id)
            return
        assert self._put_script is not None
        try:
            await self._put_script(keys=[key], args=[version, body, self._ttl_ms])
        except Exception as error:
            self._dirty.add(session_id)
            await self._failed("put", error)

    async def _usable(self) -> bool:
        """False while backing off after a failure; first drops keys whose write was missed."""
        if self._redis is None or self._backoff.down:
            return False
        if self._dirty:
            try:
                await self._drop_dirty()
            except Exception as error:
                await self._failed("recover", error)
                return False
        return True

    async def _drop_dirty(self) -> None:
        assert self._redis is not None
        stale = list(self._dirty)
        if stale:
            await self._redis.execute("DEL", *(k for s in stale for k in (self.key(s), self.revision_key(s))))
            self._dirty.difference_update(stale)

    async def _recover(self) -> None:
        """The back-off's probe: Redis answers, and the keys missed meanwhile are gone (raises if not)."""
        assert self._redis is not None
        await self._redis.execute("PING")
        await self._drop_dirty()

    async def _failed(self, operation: str, error: Exception) -> None:
        CACHE_ERRORS.labels(operation).inc()
        if not self._backoff.down:
            # Logged once per outage, not once per request.
            log.warning(
                "redis cache %s failed, answering from the database: %s: %s",
                operation,
                type(error).__name__,
                error,
            )
        # The link itself closes a connection that timed out or was lost, and the probe's
        # command connects afresh; an error reply leaves the connection, and the other callers'
        # commands on it, alone.
        self._backoff.failed(error)
