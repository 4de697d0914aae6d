"""Outbound gRPC: one factory for channels and one breaker-protected client per upstream.

Every call gets a deadline (the caller's remaining deadline, capped by the default),
forwards x-request-id and x-owner-id, is retried by gRPC itself on UNAVAILABLE only, spreads
over every address of the target with round_robin, and goes through a pybreaker circuit
breaker that errors of the caller's own making never trip.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any, Generic, TypeVar

import grpc
import pybreaker
from grpc_health.v1 import health_pb2, health_pb2_grpc

from docmesh_common import context
from docmesh_common.errors import CALLER_FAULT_CODES, DomainError, Unavailable, error_from_rpc
from docmesh_common.metrics import BREAKER_STATE, BREAKER_STATE_VALUES
from docmesh_common.settings import ServiceSettings

log = logging.getLogger("docmesh.clients")

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


def _not_a_failure(exc: BaseException) -> bool:
    """Errors that say nothing about the upstream's health: they never count toward opening."""
    if isinstance(exc, grpc.aio.AioRpcError):
        return exc.code() in CALLER_FAULT_CODES or exc.code() == grpc.StatusCode.CANCELLED
    return isinstance(exc, GeneratorExit | asyncio.CancelledError | DomainError)


class _StateMetric(pybreaker.CircuitBreakerListener):
    def __init__(self, name: str) -> None:
        self.name = name
        BREAKER_STATE.labels(name).set(0)

    def state_change(self, cb: pybreaker.CircuitBreaker, old_state: Any, new_state: Any) -> None:
        BREAKER_STATE.labels(self.name).set(BREAKER_STATE_VALUES.get(new_state.name, 0))
        log.warning("breaker %s: %s -> %s", self.name, getattr(old_state, "name", None), new_state.name)


def new_breaker(name: str, fail_max: int, reset_timeout: float) -> pybreaker.CircuitBreaker:
    """A breaker whose state is exported as docmesh_breaker_state{breaker=name}."""
    return pybreaker.CircuitBreaker(
        fail_max=fail_max,
        reset_timeout=reset_timeout,
        exclude=[_not_a_failure],
        listeners=[_StateMetric(name)],
        name=name,
        # The call that trips the breaker reports its own error, not a generic one.
        throw_new_error_on_trip=False,
    )


class BreakerGate:
    """pybreaker for asyncio: fail fast while open, and let a single probe through half-open.

    pybreaker's half-open state admits every caller; with hundreds of concurrent tasks that
    would hammer a recovering upstream, so concurrent callers wait out the probe's verdict
    by failing fast.
    """

    def __init__(self, name: str, breaker: pybreaker.CircuitBreaker) -> None:
        self.name = name
        self.breaker = breaker
        self._probe_in_flight = False

    def open_error(self) -> Unavailable:
        return Unavailable(
            f"{self.name} is unavailable: circuit breaker open",
            reason="CIRCUIT_OPEN",
            retry_after_seconds=float(self.breaker.reset_timeout),
            metadata={"upstream": self.name},
        )

    async def run(self, operation: Callable[[], Awaitable[Resp]]) -> Resp:
        state = self.breaker.current_state
        probing = state != pybreaker.STATE_CLOSED
        if probing and self._probe_in_flight:
            raise self.open_error()
        self._probe_in_flight = probing
        try:
            with self.breaker.calling():
                return await operation()
        except pybreaker.CircuitBreakerError:
            raise self.open_error() from None
        finally:
            if probing:
                self._probe_in_flight = False


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
        self.breaker = new_breaker(name, settings.breaker_fail_max, settings.breaker_reset_seconds)
        self._gate = BreakerGate(name, self.breaker)
        self._default_timeout = settings.upstream_timeout_seconds
        self._health = health_pb2_grpc.HealthStub(self.channel)

    def _timeout(self, timeout: float | None) -> float:
        budget = self._default_timeout if timeout is None else timeout
        remaining = context.deadline_remaining()
        return budget if remaining is None else min(budget, remaining)

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

        async def operation() -> Resp:
            return await method(request, timeout=self._timeout(timeout), metadata=outbound)

        try:
            return await self._gate.run(operation)
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
        if self.breaker.current_state == pybreaker.STATE_OPEN:
            raise self._gate.open_error()
        call = method(request, timeout=self._timeout(timeout), metadata=outbound)
        try:
            with self.breaker.calling():
                async for item in call:
                    yield item
        except pybreaker.CircuitBreakerError:
            raise self._gate.open_error() from None
        except grpc.aio.AioRpcError as err:
            raise error_from_rpc(err) from None
        finally:
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
