"""Free ports for processes started by the launcher, tests and benchmarks, held until they are used.

Asking the OS for a free port (bind to 0, read it, close) and handing it to a child that binds it
seconds later leaves a window in which the kernel may give the same port to anything else: an
outgoing connection's local port comes from the same range (CI once saw a replica's metrics server
fail with "Address already in use" while the mesh started). A reservation keeps the socket bound,
not listening, until the child listens:

- the kernel's ephemeral-port choice (connect, and bind to port 0) skips a port with a socket
  bound to it, so nothing else is handed the port meanwhile;
- the reserving socket sets SO_REUSEADDR and SO_REUSEPORT, so the child may still bind the same
  address: a server with SO_REUSEADDR (wsgiref, asyncio/uvicorn, PostgreSQL, redis-server) because
  the reserving socket does not listen, a gRPC server (SO_REUSEPORT) because both set it. Only
  listening sockets take connections, so the reservation never answers one.
"""

from __future__ import annotations

import socket
from types import TracebackType

LOOPBACK = "127.0.0.1"


class PortReservation:
    """One free port on 127.0.0.1, reserved until `release` (or the end of a `with` block)."""

    def __init__(self, host: str = LOOPBACK) -> None:
        self._socket: socket.socket | None = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        self._socket.bind((host, 0))
        self.port: int = int(self._socket.getsockname()[1])

    def release(self) -> None:
        """Let the port go (idempotent); the process meant to use it should be listening by now."""
        if self._socket is not None:
            self._socket.close()
            self._socket = None

    def __enter__(self) -> PortReservation:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.release()


def reserve_port(host: str = LOOPBACK) -> PortReservation:
    return PortReservation(host)
