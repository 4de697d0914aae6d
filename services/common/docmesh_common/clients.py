"""Outbound gRPC: one factory for channels and one breaker-protected client per upstream.

Every call gets a deadline (the caller's remaining deadline, capped by the default),
forwards x-request-id and x-owner-id, is retried by gRPC itself on UNAVAILABLE only, spreads
over every address of the target with round_robin, and goes through the upstream's circuit
breaker (docmesh_common.breaker), which errors of the caller's own making never trip.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any, Generic, TypeVar

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from docmesh_common import context
from docmesh_common.breaker import Breaker, BreakerOpen
from docmesh_common.errors import CALLER_FAULT_CODES, DomainError, Unavailable, error_from_rpc
from docmesh_common.settings import ServiceSettings

StubT = TypeVar("StubT")
Resp = TypeVar("Resp")
Metadata = Sequence[tuple[str, str]]

# gRPC retries a call only when the upstream answered UNAVAILABLE (it did not run it, e.g.
# while draining) or the call never left; anything else is the caller's to decide.
SERVICE_CONFIG = json.dumps(
    {
        "loadBalancingConfig": [{"round_robin": {}}],
        # Client-side health checking: round_robin skips a replica as soon as it reports
        # NOT_SERVING (draining), before it stops accepting calls.
        "healthCheckConfig": {"serviceName": ""},
        "methodConfig": [
            {
                "name": [{}],
                "retryPolicy": {
                    "maxAttempts": 4,
                    "initialBackoff": "0.05s",
                    "maxBackoff": "1s",
                    "backoffMultiplier": 2,
                    "retryableStatusCodes": ["UNAVAILABLE"],
                },
            }
        ],
    }
)

CHANNEL_OPTIONS: list[tuple[str, Any]] = [
    ("grpc.service_config", SERVICE_CONFIG),
    ("grpc.enable_retries", 1),
    ("grpc.keepalive_time_ms", 30_000),
    ("grpc.keepalive_timeout_ms", 10_000),
    ("grpc.max_receive_message_length", 16 * 1024 * 1024),
    # Re-resolve quickly after a backend goes away so round_robin picks up replacements.
    ("grpc.dns_min_time_between_resolutions_ms", 1_000),
    ("grpc.initial_reconnect_backoff_ms", 200),
    ("grpc.max_reconnect_backoff_ms", 2_000),
]


def create_channel(target: str) -> grpc.aio.Channel:
    """An insecure channel for in-mesh traffic (TLS belongs to the mesh/ingress layer)."""
    return grpc.aio.insecure_channel(target, options=CHANNEL_OPTIONS)


def _counts_as_failure(exc: BaseException) -> bool:
    """Whether an error says the upstream is unhealthy; the caller's own errors never do."""
    if isinstance(exc, grpc.aio.AioRpcError):
        return exc.code() not in CALLER_FAULT_CODES and exc.code() != grpc.StatusCode.CANCELLED
    return not isinstance(exc, DomainError)


class Upstream(Generic[StubT]):
    """A breaker-protected client of one upstream service."""

    def __init__(
        self,
        name: str,
        target: str,
        stub_factory: Callable[[grpc.aio.Channel], StubT],
        settings: ServiceSettings,
    ) -> None:
        self.name = name
        self.target = target
        self.channel = create_channel(target)
        self.stub: StubT = stub_factory(self.channel)
        self.breaker = Breaker(
            name,
            fail_max=settings.breaker_fail_max,
            open_seconds=settings.breaker_reset_seconds,
            counts_as_failure=_counts_as_failure,
        )
        self._default_timeout = settings.upstream_timeout_seconds
        self._health = health_pb2_grpc.HealthStub(self.channel)

    def _timeout(self, timeout: float | None) -> float:
        budget = self._default_timeout if timeout is None else timeout
        remaining = context.deadline_remaining()
        return budget if remaining is None else min(budget, remaining)

    def _open_error(self) -> Unavailable:
        # The hint is the breaker's whole open interval: when the upstream may be tried again.
        return Unavailable(
            f"{self.name} is unavailable: circuit breaker open",
            reason="CIRCUIT_OPEN",
            retry_after_seconds=self.breaker.open_seconds,
            metadata={"upstream": self.name},
        )

    async def call(
        self,
        method: Callable[..., Awaitable[Resp]],
        request: Any,
        *,
        timeout: float | None = None,
        metadata: Metadata = (),
    ) -> Resp:
        """Unary call; failures come back as DomainError subclasses."""
        outbound = [*context.outbound_metadata(), *metadata]
        try:
            with self.breaker.guard():
                return await method(request, timeout=self._timeout(timeout), metadata=outbound)
        except BreakerOpen:
            raise self._open_error() from None
        except grpc.aio.AioRpcError as err:
            raise error_from_rpc(err) from None

    async def stream(
        self,
        method: Callable[..., Any],
        request: Any,
        *,
        timeout: float | None = None,
        metadata: Metadata = (),
    ) -> AsyncIterator[Any]:
        """Server-streaming call; the breaker judges the stream as a whole."""
        outbound = [*context.outbound_metadata(), *metadata]
        call = None
        try:
            with self.breaker.guard():
                call = method(request, timeout=self._timeout(timeout), metadata=outbound)
                async for item in call:
                    yield item
        except BreakerOpen:
            raise self._open_error() from None
        except grpc.aio.AioRpcError as err:
            raise error_from_rpc(err) from None
        finally:
            if call is not None:
                call.cancel()

    async def is_serving(self, service: str = "", timeout: float = 1.0) -> bool:
        """grpc.health.v1 check, outside the breaker (probes must see the truth)."""
        try:
            reply = await self._health.Check(health_pb2.HealthCheckRequest(service=service), timeout=timeout)
        except grpc.aio.AioRpcError:
            return False
        return reply.status == health_pb2.HealthCheckResponse.SERVING

    async def close(self) -> None:
        await self.channel.close()
