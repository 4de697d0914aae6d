"""grpc.health.v1 for asyncio: grpc's own aio servicer, with Watch served as an async generator.

Statuses are kept by grpc's servicer and changed through its public `set()` and
`enter_graceful_shutdown()`. Its Watch, though, writes responses with `context.write()`, and
server interceptors that wrap streaming handlers as async generators (OpenTelemetry's does)
break such a handler: client-side health checking, which uses Watch, then fails every call. So
Watch runs grpc's own Watch against a context whose `write()` queues the response, and yields
what it queued.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import TypeAlias

import grpc
from grpc_health.v1 import health_pb2
from grpc_health.v1.health import aio as health_aio

Response: TypeAlias = health_pb2.HealthCheckResponse


class _QueueWriter:
    """The one part of a servicer context grpc's Watch uses: `write()`."""

    def __init__(self, queue: asyncio.Queue[Response | None]) -> None:
        self._queue = queue

    async def write(self, message: Response) -> None:
        self._queue.put_nowait(message)


class HealthServicer(health_aio.HealthServicer):
    async def Watch(  # type: ignore[override]
        self, request: health_pb2.HealthCheckRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[Response]:
        updates: asyncio.Queue[Response | None] = asyncio.Queue()
        watcher = asyncio.create_task(super().Watch(request, _QueueWriter(updates)))
        # grpc's Watch only ends by an error; None tells the loop below to stop and raise it.
        watcher.add_done_callback(lambda _: updates.put_nowait(None))
        try:
            while (update := await updates.get()) is not None:
                yield update
            watcher.result()
        finally:
            # The client went away (or the server stops): grpc's Watch unregisters its watcher.
            watcher.cancel()
