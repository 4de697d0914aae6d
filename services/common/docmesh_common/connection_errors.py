"""Which exceptions mean "a dependency could not be reached": the call may succeed if retried.

The server interceptor (docmesh_common.server) answers these UNAVAILABLE with a retry hint
(HTTP 503 with Retry-After at the gateway), never INTERNAL: a database restarting, shutting
down or unreachable is an ordinary fault, not a bug. The exception's whole chain is examined
(`__cause__`, `__context__` and SQLAlchemy's `.orig`), because drivers and SQLAlchemy wrap
the socket or server error they met in their own classes.
"""

from __future__ import annotations

import errno
import socket

import asyncpg.exceptions as pg
from sqlalchemy import exc as sa

from docmesh_common.errors import DomainError, Unavailable

# A database that is back after a restart answers within a second or so.
RETRY_AFTER_SECONDS = 1.0

_POSTGRES: tuple[type[BaseException], ...] = (
    pg.PostgresConnectionError,  # 08xxx, including ConnectionDoesNotExistError
    pg.CannotConnectNowError,  # 57P03: starting up or shutting down
    pg.AdminShutdownError,  # 57P01: pg_ctl stop / restart -m fast
    pg.CrashShutdownError,  # 57P02
    pg.TooManyConnectionsError,  # 53300: the server is full; a retry may find a slot
)
_SOCKET_ERRNOS = frozenset(
    {
        errno.ECONNREFUSED,
        errno.ECONNRESET,
        errno.ECONNABORTED,
        errno.ETIMEDOUT,
        errno.EHOSTUNREACH,
        errno.ENETUNREACH,
    }
)


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    todo: list[BaseException | None] = [exc]
    while todo:
        current = todo.pop()
        if current is None or any(current is s for s in seen):
            continue
        seen.append(current)
        orig = getattr(current, "orig", None)
        todo.extend(
            [current.__cause__, current.__context__, orig if isinstance(orig, BaseException) else None]
        )
    return seen


def _unreachable(exc: BaseException) -> bool:
    if isinstance(exc, _POSTGRES):
        return True
    if isinstance(exc, sa.DBAPIError) and (
        exc.connection_invalidated or isinstance(exc, sa.OperationalError | sa.InterfaceError)
    ):
        return True
    if isinstance(exc, ConnectionError | socket.gaierror | TimeoutError):
        return True
    if isinstance(exc, OSError):
        # asyncio's connect to several addresses raises a bare OSError("Multiple exceptions: ...").
        return exc.errno in _SOCKET_ERRNOS or (
            exc.errno is None and str(exc).startswith("Multiple exceptions")
        )
    return False


def is_connection_error(exc: BaseException) -> bool:
    """Whether the exception (or one it wraps) says a dependency could not be reached."""
    if isinstance(exc, DomainError):
        return False
    return any(_unreachable(e) for e in _chain(exc))


def as_unavailable(exc: BaseException) -> Unavailable | None:
    """The UNAVAILABLE a connection error stands for, or None for any other exception."""
    if not is_connection_error(exc):
        return None
    return Unavailable(
        "a dependency is not answering; try again",
        reason="DEPENDENCY_UNAVAILABLE",
        retry_after_seconds=RETRY_AFTER_SECONDS,
    )
