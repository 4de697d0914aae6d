"""One socket write per HTTP response: uvicorn's httptools protocol over a coalescing transport.

uvicorn writes a response's status line and headers when the app sends `http.response.start`,
and its body at `http.response.body`: two send(2) calls, so two TCP segments (TCP_NODELAY) for
one small JSON answer. In py-spy the headers' write alone was 7 % of the gateway's samples on
a GET of a session (bench_rest_hop, 32 clients), and the client reads twice. Both writes of a
response happen in the same step of the request's task, so the transport below keeps what is
written during one step of the event loop and hands it to the socket as one write at the end of
that step (`loop.call_soon`). Nothing waits longer than the current loop iteration; a close
writes what is pending first; flow control stays the real transport's (it still sees every
byte at once, and pauses the protocol past its high-water mark as before).
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class CoalescingTransport:
    """A transport that joins the writes made within one event-loop step into one write."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._pending: list[bytes] = []
        self._scheduled = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if not data:
            return
        self._pending.append(bytes(data))
        if not self._scheduled:
            self._scheduled = True
            self._loop.call_soon(self.flush)

    def writelines(self, chunks: Any) -> None:
        for chunk in chunks:
            self.write(chunk)

    def flush(self) -> None:
        """Hand everything written so far to the socket in one write."""
        self._scheduled = False
        if not self._pending:
            return
        data = self._pending[0] if len(self._pending) == 1 else b"".join(self._pending)
        self._pending.clear()
        if not self._transport.is_closing():  # the peer went away: the bytes have nowhere to go
            self._transport.write(data)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def abort(self) -> None:
        self._pending.clear()
        self._transport.abort()

    def get_write_buffer_size(self) -> int:
        return sum(map(len, self._pending)) + self._transport.get_write_buffer_size()

    def __getattr__(self, name: str) -> Any:
        # Everything else (is_closing, get_extra_info, pause_reading, ...) is the socket's own.
        return getattr(self._transport, name)


class CoalescingHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, writing each response through a CoalescingTransport."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(CoalescingTransport(transport, self.loop))  # type: ignore[arg-type]
