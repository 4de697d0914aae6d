"""The session cache's Redis client: every command pipelined on one connection.

Redis answers the commands of a connection in the order it received them, so one connection
carries every caller's commands at once: a command is written as soon as it is asked for
(hiredis packs it) and its reply resolves the oldest pending caller (hiredis parses it). There
is no pool to check a connection out of, no lock, and under load several callers' replies
arrive in one read and one wake-up of the event loop. (Joining the writes of one loop step was
tried: under h2load it saved no write(2) per call, gRPC hands the calls over one by one.)

Why not redis-py's asyncio client: its per-command bookkeeping (a pool checkout and release
under a lock, two timeout contexts, event and observability hooks) cost about 90-120 us of CPU
per command on the session cache's calls, against about 8-13 us here (bench in the report of
issue 16: sequential and 32 concurrent EVALSHA of the GetSession script, uvloop). That was one
of the largest costs of a GetSession served from the cache.

Failures: a command not answered within `timeout` fails with TimeoutError, and so does every
other command pending on the connection, which is closed (later replies could no longer be
told apart); a lost connection fails its pending commands with ConnectionError. The next
command connects again. An error reply raises `ReplyError`. The caller (SessionCache) decides
what a failure means; this module only reports it.
"""

from __future__ import annotations

import asyncio
import collections
import hashlib
import ssl
from typing import Any, cast
from urllib.parse import unquote, urlsplit

import hiredis

ReplyError = hiredis.ReplyError


class _Connection(asyncio.Protocol):
    """One connection: commands written in order, replies matched to them in order."""

    def __init__(self, timeout: float) -> None:
        self._timeout = timeout
        self._reader = hiredis.Reader()
        # (future, its time-out handle) per command sent and not yet answered, oldest first.
        self._pending: collections.deque[tuple[asyncio.Future[Any], asyncio.TimerHandle]] = (
            collections.deque()
        )
        self._transport: asyncio.Transport | None = None
        # Callers waiting for the pipeline to have room (RedisLink's max_in_flight).
        self._room: collections.deque[asyncio.Future[None]] = collections.deque()
        self.closed = False

    @property
    def in_flight(self) -> int:
        return len(self._pending)

    def room(self) -> asyncio.Future[None]:
        """Resolved when a reply (or a failure) frees a place in the pipeline."""
        waiter = asyncio.get_running_loop().create_future()
        self._room.append(waiter)
        return waiter

    def _wake_one(self) -> None:
        while self._room:
            waiter = self._room.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # A write transport (uvloop's is not an asyncio.Transport subclass, so no isinstance).
        self._transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        self._reader.feed(data)
        pending = self._pending
        while pending:
            try:
                reply = self._reader.gets()
            except hiredis.ProtocolError as error:
                self.fail(ConnectionError(f"redis protocol error: {error}"))
                return
            if reply is False:
                return
            future, timer = pending.popleft()
            timer.cancel()
            if not future.done():  # a caller that went away still had its reply read
                future.set_result(reply)
            if self._room:
                self._wake_one()

    def connection_lost(self, exc: Exception | None) -> None:
        self.fail(ConnectionError("the redis connection was closed") if exc is None else exc)

    def send(self, packed: bytes) -> asyncio.Future[Any]:
        assert self._transport is not None
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._transport.write(packed)
        self._pending.append((future, loop.call_later(self._timeout, self._timed_out)))
        return future

    def _timed_out(self) -> None:
        self.fail(TimeoutError(f"redis did not answer within {self._timeout:g} s"))

    def fail(self, error: BaseException) -> None:
        """Close the connection and fail every command still pending on it."""
        self.closed = True
        if self._transport is not None:
            self._transport.abort()
        while self._pending:
            future, timer = self._pending.popleft()
            timer.cancel()
            if not future.done():
                future.set_exception(error)
        while self._room:
            self._wake_one()


class RedisLink:
    """Commands to one Redis server (a `redis://` or `rediss://` URL) over one pipelined
    connection, connected on first use and again after a failure."""

    def __init__(self, url: str, *, timeout: float, max_in_flight: int = 64) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("redis", "rediss"):
            raise ValueError(f"the Redis URL must be redis:// or rediss://, not {parts.scheme}://")
        if parts.query:
            raise ValueError("the Redis URL takes no query parameters")
        self._host = parts.hostname or "127.0.0.1"
        self._port = parts.port or 6379
        self._ssl = ssl.create_default_context() if parts.scheme == "rediss" else None
        self._username = unquote(parts.username) if parts.username else ""
        self._password = unquote(parts.password) if parts.password else ""
        path = parts.path.strip("/")
        self._db = int(path) if path else 0
        self._timeout = timeout
        self._max_in_flight = max_in_flight
        self._connection: _Connection | None = None
        self._connecting: asyncio.Future[_Connection] | None = None

    async def execute(self, *args: str | bytes | int | float) -> Any:
        """One command's reply; raises ReplyError, TimeoutError or ConnectionError/OSError."""
        connection = self._connection
        if connection is None or connection.closed:
            connection = await self._connect()
        if connection.in_flight >= self._max_in_flight:
            connection = await self._wait_for_room()
        reply = await connection.send(_pack(args))
        if isinstance(reply, ReplyError):
            raise reply
        return reply

    async def close(self) -> None:
        """Close the connection (a later command connects again). A connection being made
        is left to finish or time out: other callers may be waiting for it."""
        if self._connection is not None:
            self._connection.fail(ConnectionError("the redis client was closed"))
            self._connection = None

    async def _wait_for_room(self) -> _Connection:
        """A full pipeline: wait (up to the time-out) until a reply makes room, as callers of a
        full pool waited for a connection."""
        async with asyncio.timeout(self._timeout):
            while True:
                connection = self._connection
                if connection is None or connection.closed:
                    connection = await self._connect()
                if connection.in_flight < self._max_in_flight:
                    return connection
                await connection.room()

    async def _connect(self) -> _Connection:
        # Callers arriving while a connection is being made wait for that one.
        if self._connecting is None or self._connecting.done():
            self._connecting = asyncio.ensure_future(self._open())
            self._connecting.add_done_callback(_retrieve)
        return await asyncio.shield(self._connecting)

    async def _open(self) -> _Connection:
        loop = asyncio.get_running_loop()
        connection: _Connection | None = None
        try:
            async with asyncio.timeout(self._timeout):
                _, connection = await loop.create_connection(
                    lambda: _Connection(self._timeout),
                    self._host,
                    self._port,
                    ssl=self._ssl,
                    server_hostname=self._host if self._ssl else None,
                )
                handshake = []
                if self._password:
                    user = (self._username,) if self._username else ()
                    handshake.append(connection.send(_pack(("AUTH", *user, self._password))))
                if self._db:
                    handshake.append(connection.send(_pack(("SELECT", self._db))))
                for reply in await asyncio.gather(*handshake):
                    if isinstance(reply, ReplyError):
                        raise reply
        except BaseException as error:
            if connection is not None:
                connection.fail(ConnectionError(f"redis connection setup failed: {error}"))
            raise
        self._connection = connection
        return connection


def _pack(args: tuple[str | bytes | int | float, ...]) -> bytes:
    # hiredis's type stub declares a one-element tuple; any number of arguments is packed.
    return hiredis.pack_command(args)  # type: ignore[arg-type]


def _retrieve(future: asyncio.Future[Any]) -> None:
    """A connection attempt whose callers all went away: its outcome is read, not warned about."""
    if not future.cancelled():
        future.exception()


class Script:
    """A Lua script run by its SHA-1 (EVALSHA); sent whole (EVAL, which also loads it) when
    the server does not know it, e.g. after a restart."""

    def __init__(self, link: RedisLink, source: str) -> None:
        self._link = link
        self._source = source
        self._sha = hashlib.sha1(source.encode()).hexdigest()

    async def __call__(self, keys: list[str], args: list[str | int]) -> Any:
        try:
            return await self._link.execute("EVALSHA", self._sha, len(keys), *keys, *args)
        except ReplyError as error:
            if not str(error).startswith("NOSCRIPT"):
                raise
        return await self._link.execute("EVAL", self._source, len(keys), *keys, *args)
