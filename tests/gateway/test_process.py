"""The gateway as operators run it: `docmesh-gateway`, configured by env, stopped by SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest


def _wait_healthy(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    pytest.fail("the gateway did not answer /healthz")


@pytest.fixture
def gateway_process(tmp_path: Path, free_port: Callable[[], int]):
    port = free_port()
    env = {
        **os.environ,
        "DOCMESH_GATEWAY_PORT": str(port),
        "DOCMESH_DEV_MODE": "true",
        "DOCMESH_DEV_API_KEY": "process-dev-key",
        "DOCMESH_AGENT_TARGET": "127.0.0.1:1",
        "DOCMESH_SHUTDOWN_GRACE_SECONDS": "5",
    }
    script = Path(sys.executable).parent / "docmesh-gateway"
    process = subprocess.Popen([str(script)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        _wait_healthy(port, process)
        yield process, port
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()


async def test_sigterm_lets_an_in_flight_request_finish_then_exits_0(gateway_process) -> None:
    process, port = gateway_process
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    body = b'{"message": "hello there"}'
    writer.write(
        b"POST /api/v1/chat HTTP/1.1\r\nHost: gw\r\nX-API-Key: process-dev-key\r\n"
        b"Content-Type: application/json\r\nContent-Length: "
        + str(len(body)).encode()
        + b"\r\n\r\n"
        + body[:5]
    )
    await writer.drain()
    await asyncio.sleep(0.3)
    process.send_signal(signal.SIGTERM)
    await asyncio.sleep(0.5)
    assert process.poll() is None, "the gateway quit with a request in flight"
    writer.write(body[5:])
    await writer.drain()
    status_line = await asyncio.wait_for(reader.readline(), timeout=10)
    writer.close()
    # The agent is unreachable, so the answer is 503 — but it is an answer, during the drain.
    assert status_line.startswith(b"HTTP/1.1 503")
    assert await asyncio.to_thread(process.wait, 10) == 0


def test_the_dev_key_is_printed_at_start(gateway_process) -> None:
    process, _ = gateway_process
    process.send_signal(signal.SIGTERM)
    out, _ = process.communicate(timeout=10)
    assert b"docmesh gateway dev API key: process-dev-key" in out
