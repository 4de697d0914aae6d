"""grpc.health.v1 for asyncio, with Watch as an async generator.

grpc's own aio HealthServicer writes Watch responses with `context.write()`. Server
interceptors that wrap streaming handlers as async generators (OpenTelemetry's does) break
such a handler, and client-side health checking, which uses Watch, then fails every call.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import grpc
from grpc_health.v1 import health_pb2
from grpc_health.v1.health import aio as health_aio

UNKNOWN = health_pb2.HealthCheckResponse.SERVICE_UNKNOWN


class HealthServicer(health_aio.HealthServicer):
    async def Watch(  # type: ignore[override]
        self, request: health_pb2.HealthCheckRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[health_pb2.HealthCheckResponse]:
        service = request.service
        condition = self._server_watchers[service]
        self._watcher_count_by_service[service] += 1
        last = None
        try:
            while True:
                status = self._server_status.get(service, UNKNOWN)
                if status != last:
                    # Yield outside the lock: a slow reader must not block status changes.
                    yield health_pb2.HealthCheckResponse(status=status)
                    last = status
                async with condition:
                    if self._server_status.get(service, UNKNOWN) == last:
                        await condition.wait()
        finally:
            self._watcher_count_by_service[service] -= 1
            if self._watcher_count_by_service[service] == 0:
                del self._server_watchers[service]
                del self._watcher_count_by_service[service]
