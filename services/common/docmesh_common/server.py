"""gRPC server bootstrap shared by every backend service.

`build_server` assembles a grpc.aio server with health (grpc.health.v1), reflection, the
call interceptor (request id, owner id, deadline, JSON access log, Prometheus metrics,
domain-error mapping) and a Prometheus HTTP endpoint. `run_service` is each service's
`main()`: settings, logging, tracing, signals and a graceful drain (see `Server.stop` for the
drain with one replica or several).
"""

from __future__ import annotations

import asyncio
import gc
import inspect
import logging
import signal
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any, Protocol, TypeVar

import grpc
import uvloop
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from docmesh_common import context
from docmesh_common.connection_errors import as_unavailable
from docmesh_common.errors import DomainError
from docmesh_common.health import HealthServicer
from docmesh_common.logging import AccessLogPolicy, configure_logging
from docmesh_common.metrics import RPC_HANDLED, RPC_LATENCY, SERVING, start_metrics_server
from docmesh_common.settings import ServiceSettings, load_settings
from docmesh_common.tracing import setup_tracing, shutdown_tracing

log = logging.getLogger("docmesh.server")

ServiceBinding = tuple[Callable[[Any, grpc.aio.Server], None], Any, str]
READINESS_INTERVAL_SECONDS = 2.0
# A health entry that is SERVING while the process lives, whatever its dependencies say: the
# liveness probe asks for it, so an outage of a database restarts no pods.
LIVENESS_SERVICE = "liveness"
# Health probes arrive every few seconds; logging each at INFO would drown the real calls.
_QUIET_METHODS = frozenset({"/grpc.health.v1.Health/Check", "/grpc.health.v1.Health/Watch"})
# Allocations (net of frees) between two collections of the young generation (Python's default
# is 700); see settle_heap.
YOUNG_GC_THRESHOLD = 10_000


def _as_domain_error(exc: BaseException) -> DomainError | None:
    """The one mapping of what a handler raised to what the client sees (None: INTERNAL)."""
    if isinstance(exc, DomainError):
        return exc
    return as_unavailable(exc)


class CallInterceptor(grpc.aio.ServerInterceptor):
    """Wraps every handler: context from metadata, one log line, metrics, error mapping."""

    def __init__(self, service: str, access_log: AccessLogPolicy | None = None) -> None:
        self.service = service
        self.access_log = access_log or AccessLogPolicy()
        # A method's handler never changes once the server runs, so each is wrapped once:
        # building handlers per call cost a measurable share of a cheap RPC. (Interceptors
        # after this one, such as OpenTelemetry's, do their per-call work inside the handler.)
        self._wrapped: dict[str, grpc.RpcMethodHandler] = {}

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        method: str = handler_call_details.method  # type: ignore[attr-defined]
        wrapped = self._wrapped.get(method)
        if wrapped is not None:
            return wrapped
        handler = await continuation(handler_call_details)
        if handler is None:
            return handler
        wrapped = self._wrap(method, handler)
        self._wrapped[method] = wrapped
        return wrapped

    def _wrap(self, method: str, handler: grpc.RpcMethodHandler) -> grpc.RpcMethodHandler:
        if handler.unary_unary:
            return grpc.unary_unary_rpc_method_handler(
                self._wrap_unary(method, handler.unary_unary),
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        if handler.unary_stream:
            # A streaming handler is either an async generator or a coroutine that writes with
            # ctx.write() (as grpc's own aio health Watch does); each keeps its form.
            streaming = handler.unary_stream
            wrapped = (
                self._wrap_stream(method, streaming)
                if inspect.isasyncgenfunction(streaming)
                else self._wrap_unary(method, streaming)
            )
            return grpc.unary_stream_rpc_method_handler(
                wrapped,
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        return handler  # client-streaming RPCs: none in docmesh

    def _bind(self, ctx: grpc.aio.ServicerContext) -> None:
        metadata = {k: v for k, v in ctx.invocation_metadata() or () if isinstance(v, str)}
        context.bind(
            request_id=metadata.get(context.METADATA_REQUEST_ID) or context.new_request_id(),
            owner_id=metadata.get(context.METADATA_OWNER_ID, ""),
            timeout=ctx.time_remaining(),
        )

    def _wrap_unary(
        self, method: str, behavior: Callable[..., Awaitable[Any]]
    ) -> Callable[..., Awaitable[Any]]:
        record = self._recorder(method)

        async def unary(request: Any, ctx: grpc.aio.ServicerContext) -> Any:
            self._bind(ctx)
            started = time.perf_counter()
            code = grpc.StatusCode.OK
            try:
                return await behavior(request, ctx)
            except BaseException as exc:
                code = self._status_of(exc, ctx)
                await self._abort(exc, ctx, method)
                raise
            finally:
                record(code, started)

        return unary

    def _wrap_stream(
        self, method: str, behavior: Callable[..., AsyncIterator[Any]]
    ) -> Callable[..., AsyncIterator[Any]]:
        record = self._recorder(method)

        async def stream(request: Any, ctx: grpc.aio.ServicerContext) -> AsyncIterator[Any]:
            self._bind(ctx)
            started = time.perf_counter()
            code = grpc.StatusCode.OK
            try:
                async for item in behavior(request, ctx):
                    yield item
            except BaseException as exc:
                code = self._status_of(exc, ctx)
                await self._abort(exc, ctx, method)
                raise
            finally:
                record(code, started)

        return stream

    @staticmethod
    def _status_of(exc: BaseException, ctx: grpc.aio.ServicerContext) -> grpc.StatusCode:
        if isinstance(exc, asyncio.CancelledError):
            return grpc.StatusCode.CANCELLED
        if isinstance(exc, grpc.aio.AbortError):
            return ctx.code() or grpc.StatusCode.UNKNOWN  # type: ignore[return-value]
        known = _as_domain_error(exc)
        return grpc.StatusCode.INTERNAL if known is None else known.code

    @staticmethod
    async def _abort(exc: BaseException, ctx: grpc.aio.ServicerContext, method: str) -> None:
        """End the call with the status the exception maps to (ctx.abort raises)."""
        if isinstance(exc, asyncio.CancelledError | grpc.aio.AbortError):
            return
        known = _as_domain_error(exc)
        if known is not None:
            if known is not exc:
                # Logged once, with the class only: a driver's text may carry a host or a user.
                log.warning("%s: a dependency is unreachable (%s)", method, type(exc).__name__)
            await ctx.abort(known.code, known.message, trailing_metadata=known.trailing_metadata())
        log.exception("unhandled error in %s", method)
        # The client gets the request id to quote, never the traceback.
        await ctx.abort(grpc.StatusCode.INTERNAL, f"internal error (request id {context.request_id()})")

    def _recorder(self, method: str) -> Callable[[grpc.StatusCode, float], None]:
        """The metrics and log line of one method, with its labelled metrics looked up once."""
        handled: dict[grpc.StatusCode, Any] = {}  # filled as codes occur: no zero series for the rest
        latency = RPC_LATENCY.labels(self.service, method)
        quiet = method in _QUIET_METHODS
        level = logging.DEBUG if quiet else logging.INFO
        wants = self.access_log.wants

        def record(code: grpc.StatusCode, started: float) -> None:
            elapsed = time.perf_counter() - started
            counter = handled.get(code)
            if counter is None:
                counter = handled[code] = RPC_HANDLED.labels(self.service, method, code.name)
            counter.inc()
            latency.observe(elapsed)
            # Every call is counted above; the line is written for the calls the policy picks.
            if log.isEnabledFor(level) and (
                quiet or wants(context.request_id(), failed=code is not grpc.StatusCode.OK, seconds=elapsed)
            ):
                log.log(
                    level,
                    "rpc",
                    extra={"method": method, "code": code.name, "duration_ms": round(elapsed * 1000, 3)},
                )

        return record


class Server:
    """A started-or-not gRPC server with health, metrics and graceful stop."""

    def __init__(
        self,
        *,
        name: str,
        grpc_server: grpc.aio.Server,
        port: int,
        health: HealthServicer,
        service_names: Sequence[str],
        readiness: Callable[[], Awaitable[bool]] | None,
        on_stop: Sequence[Callable[[], Awaitable[None]]],
        settings: ServiceSettings,
    ) -> None:
        self.name = name
        self.port = port
        self.metrics_port = 0
        self._server = grpc_server
        self._health = health
        self._service_names = ["", *service_names]
        self._readiness = readiness
        self._on_stop = list(on_stop)
        self._settings = settings
        self._ready_task: asyncio.Task[None] | None = None
        self._metrics_httpd: Any = None
        self._stopped = False
        # Consecutive failed readiness checks, and whether this server has been ready yet.
        self._failed_checks = 0
        self._was_ready = False

    async def start(self) -> None:
        await self._server.start()
        httpd = start_metrics_server(self._settings.bind_host, self._settings.metrics_port)
        self._metrics_httpd = httpd
        self.metrics_port = httpd.server_port
        await self._health.set(LIVENESS_SERVICE, health_pb2.HealthCheckResponse.SERVING)
        await self._check_readiness()
        self._ready_task = asyncio.create_task(self._readiness_loop(), name=f"{self.name}-readiness")
        log.info("serving", extra={"port": self.port, "metrics_port": self.metrics_port})

    async def _check_readiness(self) -> None:
        """SERVING while the dependencies answer; NOT_SERVING after a run of failed checks.

        One failed check (a database restarting for a fraction of a second) must not eject
        the replica: clients health-check it and would route nowhere when it is the last one,
        turning a blip into an outage of every call, reads included. So a server that was
        ready stays SERVING until `readiness_failures_to_eject` checks in a row failed, and is
        SERVING again at the first check that passes. Before its first success it is not ready.
        """
        ok = True
        if self._readiness is not None:
            try:
                ok = await asyncio.wait_for(self._readiness(), timeout=READINESS_INTERVAL_SECONDS)
            except Exception:  # a dependency that hangs or fails is simply not ready
                log.warning("readiness check failed", exc_info=True)
                ok = False
        self._failed_checks = 0 if ok else self._failed_checks + 1
        self._was_ready = self._was_ready or ok
        ready = ok or (self._was_ready and self._failed_checks < self._settings.readiness_failures_to_eject)
        if self._stopped:
            return  # draining: the shutdown status stands
        status = (
            health_pb2.HealthCheckResponse.SERVING if ready else health_pb2.HealthCheckResponse.NOT_SERVING
        )
        for service in self._service_names:
            await self._health.set(service, status)
        SERVING.set(1 if ready else 0)

    async def _readiness_loop(self) -> None:
        while True:
            await asyncio.sleep(READINESS_INTERVAL_SECONDS)
            await self._check_readiness()

    async def stop(self, grace: float | None = None) -> None:
        """Drain: NOT_SERVING, refuse new calls, let in-flight calls finish, then close resources.

        Without an explicit grace (the SIGTERM path) the server first keeps serving for the drain
        delay while reporting NOT_SERVING: clients that health-check their backends stop picking
        it, so no new call lands in the moment the server stops accepting (it would be CANCELLED).
        Then it stops accepting and gives in-flight calls `shutdown_grace_seconds` to finish.

        With ONE replica nothing else reports SERVING, and client-side health checking would
        route nowhere: the clients fall back by waiting. An upstream client whose channel lost
        its last ready replica waits (up to clients.READY_WAIT_SECONDS, never past the call's
        deadline) for a ready one instead of failing the call at once: the replacement, which a
        rolling update starts before this one gets SIGTERM (maxSurge 1, maxUnavailable 0 in
        deploy/k8s; the launcher's restart_replica does the same on one port with SO_REUSEPORT),
        or the same replica's restart. When this server closes its connections, clients
        reconnect to the replacement and the waiting calls go there. The server itself cannot
        know whether it is the only replica, so the fallback lives on the side that can see it.

        Time budget within the pod's grace period: the kubelet runs preStop (5 s: endpoints
        and DNS drop the pod while it still serves), then SIGTERM; drain delay + shutdown grace
        + closing resources must end before terminationGracePeriodSeconds (checked by
        tests/deploy/test_policies.py).
        """
        if self._stopped:
            return
        self._stopped = True
        if self._ready_task is not None:
            self._ready_task.cancel()
        await self._health.enter_graceful_shutdown()
        SERVING.set(0)
        if grace is None:
            grace = self._settings.shutdown_grace_seconds
            await asyncio.sleep(self._settings.drain_delay_seconds)
        log.info("draining", extra={"grace_seconds": grace})
        await self._server.stop(grace)
        for hook in self._on_stop:
            try:
                await hook()
            except Exception:
                log.exception("error while closing a resource")
        if self._metrics_httpd is not None:
            await asyncio.to_thread(self._metrics_httpd.shutdown)
            self._metrics_httpd.server_close()
        log.info("stopped")

    async def wait_for_termination(self) -> None:
        await self._server.wait_for_termination()


async def build_server(
    settings: ServiceSettings,
    *,
    name: str,
    services: Sequence[ServiceBinding],
    readiness: Callable[[], Awaitable[bool]] | None = None,
    on_stop: Sequence[Callable[[], Awaitable[None]]] = (),
) -> Server:
    """Assemble (but do not start) a server bound to settings.bind_host:settings.port (0 = any free port)."""
    grpc_server = grpc.aio.server(
        interceptors=[
            CallInterceptor(
                name, AccessLogPolicy(settings.access_log_sample_rate, settings.access_log_slow_seconds)
            )
        ],
        options=[
            ("grpc.keepalive_time_ms", 30_000),
            ("grpc.keepalive_timeout_ms", 10_000),
            ("grpc.http2.min_ping_interval_without_data_ms", 10_000),
            ("grpc.keepalive_permit_without_calls", 1),
            ("grpc.max_receive_message_length", 16 * 1024 * 1024),
            # Connections are recycled now and then so that dns:/// clients re-resolve and
            # spread over replicas added by a scale-up.
            ("grpc.max_connection_age_ms", 5 * 60 * 1000),
            ("grpc.max_connection_age_grace_ms", 60 * 1000),
        ],
    )
    names = []
    for add, servicer, full_name in services:
        add(servicer, grpc_server)
        names.append(full_name)
    health = HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health, grpc_server)
    reflection.enable_server_reflection(
        [*names, health_pb2.DESCRIPTOR.services_by_name["Health"].full_name, reflection.SERVICE_NAME],
        grpc_server,
    )
    port = grpc_server.add_insecure_port(f"{settings.bind_host}:{settings.port}")
    if port == 0:
        raise RuntimeError(f"could not bind {settings.bind_host}:{settings.port}")
    return Server(
        name=name,
        grpc_server=grpc_server,
        port=port,
        health=health,
        service_names=names,
        readiness=readiness,
        on_stop=on_stop,
        settings=settings,
    )


def settle_heap() -> None:
    """Once a server has started: freeze what starting allocated, and collect the young
    generation less often. The collector still runs, and still frees every cycle.

    Under load (bench_rest_hop, GetSession at 32 clients) each of the gateway and the session
    service spent about 13 us per request in the collector with Python's defaults. Most of it was
    the full collections, one every ~9,000 requests, each walking the ~100k objects that live as
    long as the process (modules, descriptors, routes, pools) for 70-90 ms, a pause every
    request in flight waited out; frozen, they are no longer walked. The rest was the young
    generation, collected every ~40 requests for almost nothing: a request leaves hardly any
    cycles (grpc.aio's server leaves one small one per call), and the objects of the requests
    in flight were walked each time. Measured after: under 2 us per request.
    """
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_GC_THRESHOLD, middle, old)


class Lifecycle(Protocol):
    async def start(self) -> None: ...
    async def stop(self, grace: float | None = None) -> None: ...


S = TypeVar("S", bound=ServiceSettings)
L = TypeVar("L", bound=Lifecycle)


def run_service(create_server: Callable[[S], Awaitable[tuple[L, int]]], settings_cls: type[S]) -> None:
    """The body of every service's main(): runs until SIGTERM/SIGINT, drains, exits 0."""
    settings = load_settings(settings_cls)
    name = settings_cls.__name__.removesuffix("Settings").lower() or "docmesh"
    configure_logging(name, settings.log_level)
    setup_tracing(name, settings.otlp_endpoint)

    async def serve() -> None:
        # Handlers first: a SIGTERM while the server starts still gets a clean drain.
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        server, port = await create_server(settings)
        await server.start()
        settle_heap()
        log.info("started", extra={"port": port})
        await stop.wait()
        log.info("signal received, shutting down")
        await server.stop()

    # uvloop: the same asyncio API with a libuv loop; every RPC, Redis and database round trip
    # costs less CPU on it (about 10-15 % on the benchmarks' cheapest calls).
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(serve())
    shutdown_tracing()
