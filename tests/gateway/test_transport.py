"""The gateway's coalescing transport: a response's writes reach the socket as one write.

Over a real socket pair: the peer sees nothing while the writing step runs, then every byte
of that step in one piece; close and abort keep their meaning.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import pytest

from docmesh_gateway.transport import CoalescingTransport


@pytest.fixture
async def pair() -> AsyncIterator[tuple[CoalescingTransport, socket.socket]]:
    ours, peer = socket.socketpair()
    peer.setblocking(False)
    loop = asyncio.get_running_loop()
    transport, _ = await loop.connect_accepted_socket(asyncio.Protocol, ours)  # reads nothing back
    yield CoalescingTransport(transport, loop), peer  # type: ignore[arg-type]
    transport.close()
    peer.close()


def _received(peer: socket.socket) -> bytes:
    try:
        return peer.recv(65536)
    except BlockingIOError:
        return b""


async def _next_step() -> None:
    await asyncio.sleep(0)
    await asyncio.sleep(0)


async def test_writes_of_one_loop_step_reach_the_peer_as_one_write_after_the_step(
    pair: tuple[CoalescingTransport, socket.socket],
) -> None:
    transport, peer = pair
    transport.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n")
    transport.write(b"{}")
    assert _received(peer) == b""  # nothing left while the step still runs
    assert transport.get_write_buffer_size() == 40
    await _next_step()
    assert _received(peer) == b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}"


async def test_writes_of_later_steps_are_sent_too(pair: tuple[CoalescingTransport, socket.socket]) -> None:
    transport, peer = pair
    transport.write(b"event: a\n\n")
    await _next_step()
    transport.writelines([b"event: b\n\n", b"event: c\n\n"])
    await _next_step()
    assert _received(peer) == b"event: a\n\nevent: b\n\nevent: c\n\n"


async def test_close_sends_what_is_pending_first(pair: tuple[CoalescingTransport, socket.socket]) -> None:
    transport, peer = pair
    transport.write(b"HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n")
    transport.close()
    await _next_step()
    peer.setblocking(True)
    peer.settimeout(2)
    received = b""
    while chunk := peer.recv(65536):
        received += chunk
    assert received == b"HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n"
    assert transport.is_closing()


async def test_abort_drops_what_is_pending(pair: tuple[CoalescingTransport, socket.socket]) -> None:
    transport, peer = pair
    transport.write(b"never sent")
    transport.abort()
    await _next_step()
    peer.setblocking(True)
    peer.settimeout(2)
    assert peer.recv(65536) == b""
