"""Outbound gRPC: one factory for channels and one breaker-protected client per upstream.

Every call gets a deadline (the caller's remaining deadline, capped by the default),
forwards x-request-id and x-owner-id, spreads over every address of the target with
round_robin, and goes through a circuit breaker (docmesh_common.breaker) of its upstream and
its kind of call, which errors of the caller's own making never trip.

Kinds of call: an LLM-bound call (a chat turn: it needs the language model) has its own
breaker, apart from every other call of the same upstream, so an LLM outage fails turns only
and never exports, undo, revert or reads.

Retries happen at exactly one layer per call:
* LLM-bound calls are retried by nobody here: the agent retries the LLM request itself (its
  provider's retry loop, under the same turn and idempotency key), and a retry of the whole
  turn from this side would repeat LLM calls and store one error reply per attempt. A client
  that wants to retry a turn sends it again with the same Idempotency-Key, which the gateway
  passes on as the turn's key, so the agent replays instead of running it twice.
* every other call is retried by gRPC itself (the service config below) on UNAVAILABLE only:
  the status our servers return when they did not run the call (draining, database
  unreachable: the transaction never committed) - never by a loop of our own.
gRPC's transparent retry of a call that never left the client applies to both: it is safe.

A restart of the only replica (see the drain in docmesh_common.server): while no replica of an
upstream is ready - the last one reports NOT_SERVING because it drains, or its replacement is
still starting - a call waits for one, for at most READY_WAIT_SECONDS after the
channel lost its last ready replica (and never past its deadline). An upstream that stays away
longer, or was never reached, fails calls at once as before (UNAVAILABLE, then the breaker).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any, Generic, TypeVar

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from docmesh_common import context
from docmesh_common.breaker import Breaker, BreakerOpen
from docmesh_common.errors import (
    CALLER_FAULT_CODES,
    FAILED_DEPENDENCY_KEY,
    DeadlineExceeded,
    DomainError,
    Unavailable,
    blame_dependency,
    error_from_rpc,
    failed_dependency,
    status_from_metadata,
)
from docmesh_common.settings import ServiceSettings

StubT = TypeVar("StubT")
Resp = TypeVar("Resp")
Metadata = Sequence[tuple[str, str]]

# Calls that need the language model: (gRPC service, method).
LLM_BOUND_METHODS: frozenset[tuple[str, str]] = frozenset(
    {
        ("docmesh.agent.v1.AgentService", "Chat"),
        ("docmesh.agent.v1.AgentService", "ChatStream"),
        ("docmesh.agent.v1.InvoiceAppService", "GenerateInvoice"),
        ("docmesh.agent.v1.InvoiceAppService", "SendChatMessage"),
    }
)
LLM_BOUND = "llm"
# How long after an upstream lost its last ready replica a call still waits for one: a restart
# of the only replica takes the drain delay (1 s) plus a reconnect; 5 s leaves room for a
# replacement that is still starting on a loaded machine.
READY_WAIT_SECONDS = 5.0
DEFAULT_KIND = "default"
# A bound on the multi-callables whose breaker an Upstream remembers (stubs make a few dozen).
MAX_REMEMBERED_METHODS = 1024
# A budget shorter than this is spent before any call could answer: gRPC's deadline timer and a
# fast answer then race, so such a call would succeed or fail by chance. It fails, as asked.
MIN_CALL_SECONDS = 0.001

RETRY_POLICY: dict[str, Any] = {
    "maxAttempts": 4,
    "initialBackoff": "0.05s",
    "maxBackoff": "1s",
    "backoffMultiplier": 2,
    "retryableStatusCodes": ["UNAVAILABLE"],
}


def call_kind(full_method: str | bytes) -> str:
    """LLM_BOUND for a call that needs the language model, else DEFAULT_KIND."""
    name = full_method.decode() if isinstance(full_method, bytes) else full_method
    service, _, method = name.strip("/").partition("/")
    return LLM_BOUND if (service, method) in LLM_BOUND_METHODS else DEFAULT_KIND


# gRPC retries a call only when the upstream answered UNAVAILABLE (it did not run it, e.g.
# while draining) or the call never left; anything else is the caller's to decide. The more
# specific entry (no retryPolicy) wins for LLM-bound methods: see the module docstring.
SERVICE_CONFIG = json.dumps(
    {
        "loadBalancingConfig": [{"round_robin": {}}],
        # Client-side health checking: round_robin skips a replica as soon as it reports
        # NOT_SERVING (draining), before it stops accepting calls.
        "healthCheckConfig": {"serviceName": ""},
        "methodConfig": [
            {"name": [{}], "retryPolicy": RETRY_POLICY},
            {
                "name": [
                    {"service": service, "method": method} for service, method in sorted(LLM_BOUND_METHODS)
                ]
            },
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
    """Whether an error says the upstream is unhealthy.

    Neither the caller's own errors do, nor an error that names a failed dependency of the
    upstream's own (FAILED_DEPENDENCY_KEY: its language model, its database's service): the
    upstream answered, and the dependency's own breaker, nearer to it, fails fast and probes.
    Counting it here too would chain two breakers that must each let a probe through in turn
    before calls succeed again (turns failed ~4 s after an LLM outage ended).
    """
    if isinstance(exc, grpc.aio.AioRpcError):
        if exc.code() in CALLER_FAULT_CODES or exc.code() == grpc.StatusCode.CANCELLED:
            return False
        return failed_dependency(status_from_metadata(exc.trailing_metadata())) is None
    return not isinstance(exc, DomainError)


def _failed(upstream: str, err: grpc.aio.AioRpcError) -> DomainError:
    """The domain error of a failed call; one that says the upstream failed names it as the
    failed dependency, so the breakers of whoever called us do not count it against us."""
    error = error_from_rpc(err)
    return blame_dependency(error, upstream) if _counts_as_failure(err) else error


def _method_name(method: object) -> str:
    """The full name of a grpc.aio multi-callable ("" when it does not say)."""
    name = getattr(method, "_method", b"")
    return name.decode() if isinstance(name, bytes) else str(name)


class Upstream(Generic[StubT]):
    """A client of one upstream service with one breaker per kind of call (see call_kind)."""

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
        self._settings = settings
        self.breakers: dict[str, Breaker] = {}
        self._method_breakers: dict[object, Breaker] = {}
        self.breaker = self.breaker_for(DEFAULT_KIND)
        self._default_timeout = settings.upstream_timeout_seconds
        self._health = health_pb2_grpc.HealthStub(self.channel)
        # When the channel last left READY (None: ready now, or never was); kept by a watcher.
        self._lost_ready_at: float | None = None
        self._watcher: asyncio.Task[None] | None = None

    async def _watch_connectivity(self) -> None:
        state = self.channel.get_state(try_to_connect=False)
        while True:
            await self.channel.wait_for_state_change(state)
            previous, state = state, self.channel.get_state(try_to_connect=False)
            if state == grpc.ChannelConnectivity.READY:
                self._lost_ready_at = None
            elif previous == grpc.ChannelConnectivity.READY:
                self._lost_ready_at = time.monotonic()

    async def _await_a_ready_replica(self) -> None:
        """While the last ready replica is restarting, wait (bounded) for one; see the module doc."""
        if self._watcher is None:
            self._watcher = asyncio.get_running_loop().create_task(
                self._watch_connectivity(), name=f"{self.name}-connectivity"
            )
        lost_at = self._lost_ready_at
        if lost_at is None:
            return  # ready (or never reached: the call fails fast)
        wait = lost_at + READY_WAIT_SECONDS - time.monotonic()
        remaining = context.deadline_remaining()
        if remaining is not None:
            wait = min(wait, remaining)
        if wait > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.channel.channel_ready(), wait)

    def _timeout(self, timeout: float | None) -> float:
        budget = self._default_timeout if timeout is None else timeout
        remaining = context.deadline_remaining()
        return budget if remaining is None else min(budget, remaining)

    def breaker_for(self, kind: str) -> Breaker:
        """The breaker of one kind of call to this upstream (made on first use)."""
        found = self.breakers.get(kind)
        if found is None:
            found = Breaker(
                self.name if kind == DEFAULT_KIND else f"{self.name}.{kind}",
                fail_max=self._settings.breaker_fail_max,
                open_seconds=self._settings.breaker_reset_seconds,
                first_open_seconds=self._settings.breaker_first_open_seconds,
                counts_as_failure=_counts_as_failure,
            )
            self.breakers[kind] = found
        return found

    def _breaker_of(self, method: object) -> Breaker:
        # Multi-callables live as long as their stub: their breaker is worked out once each.
        found = self._method_breakers.get(method)
        if found is None:
            found = self.breaker_for(call_kind(_method_name(method)))
            if len(self._method_breakers) < MAX_REMEMBERED_METHODS:
                self._method_breakers[method] = found
        return found

    def _open_error(self, refused: BreakerOpen) -> Unavailable:
        # The hint is the time actually left until the breaker lets a probe through.
        return Unavailable(
            f"{self.name} is unavailable: circuit breaker open",
            reason="CIRCUIT_OPEN",
            retry_after_seconds=refused.retry_after,
            metadata={"upstream": self.name, FAILED_DEPENDENCY_KEY: self.name},
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
        budget = self._timeout(timeout)
        if budget < MIN_CALL_SECONDS:
            raise DeadlineExceeded(f"the deadline left no time to call {self.name}")
        outbound = context.outbound_metadata()
        if metadata:
            outbound.extend(metadata)
        try:
            with self._breaker_of(method).guard():
                if self._watcher is None or self._lost_ready_at is not None:
                    await self._await_a_ready_replica()  # not while a replica is ready
                return await method(request, timeout=self._timeout(timeout), metadata=outbound)
        except BreakerOpen as refused:
            raise self._open_error(refused) from None
        except grpc.aio.AioRpcError as err:
            raise _failed(self.name, err) from None

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
            with self._breaker_of(method).guard():
                await self._await_a_ready_replica()
                call = method(request, timeout=self._timeout(timeout), metadata=outbound)
                async for item in call:
                    yield item
        except BreakerOpen as refused:
            raise self._open_error(refused) from None
        except grpc.aio.AioRpcError as err:
            raise _failed(self.name, err) from None
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
        if self._watcher is not None:
            self._watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watcher
        await self.channel.close()
