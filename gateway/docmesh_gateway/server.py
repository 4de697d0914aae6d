"""The gateway process: route table from the descriptors, upstream clients, uvicorn on one port."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import sys
from collections.abc import Iterator

import uvicorn

from docmesh_common.clients import Upstream
from docmesh_common.tracing import tracing_enabled
from docmesh_gateway.app import Gateway, GenericStub, build_app
from docmesh_gateway.auth import KeysFileError, KeyStore, generate_key
from docmesh_gateway.openapi import build_openapi
from docmesh_gateway.ratelimit import MemoryRateLimiter, RateLimiter, RedisRateLimiter
from docmesh_gateway.routes import Router, build_routes, generated_modules, services
from docmesh_gateway.settings import GatewaySettings
from docmesh_gateway.transport import CoalescingHttpToolsProtocol

log = logging.getLogger("docmesh.gateway.server")


class _Uvicorn(uvicorn.Server):
    # run_service owns SIGTERM/SIGINT; uvicorn must not replace its handlers.
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class GatewayServer:
    """Started-or-not HTTP server with a graceful stop, shaped like the gRPC services' Server."""

    def __init__(
        self,
        *,
        sock: socket.socket,
        config: uvicorn.Config,
        gateway: Gateway,
        settings: GatewaySettings,
    ) -> None:
        self.port: int = sock.getsockname()[1]
        self.gateway = gateway
        self._sock = sock
        self._server = _Uvicorn(config)
        self._settings = settings
        self._task: asyncio.Task[None] | None = None

    @property
    def dev_key(self) -> str:
        return self.gateway.dev_key

    async def start(self) -> None:
        self._task = asyncio.create_task(self._server.serve(sockets=[self._sock]))
        while not self._server.started:
            if self._task.done():
                self._task.result()  # surfaces a failure to start
                raise RuntimeError("gateway stopped while starting")
            await asyncio.sleep(0.01)

    async def stop(self, grace: float | None = None) -> None:
        """Stop accepting, let in-flight requests finish within the grace period, then close upstreams."""
        wait = self._settings.shutdown_grace_seconds if grace is None else grace
        # uvicorn's type says int, but it only ever passes the value to asyncio.wait_for.
        self._server.config.timeout_graceful_shutdown = max(0.0, wait)  # type: ignore[assignment]
        self._server.should_exit = True
        if self._task is not None:
            try:
                await asyncio.wait_for(asyncio.shield(self._task), timeout=wait + 2.0)
            except TimeoutError:
                self._server.force_exit = True
                self._task.cancel()
                with contextlib.suppress(BaseException):
                    await self._task
        for upstream in self.gateway.upstreams.values():
            await upstream.close()
        if self.gateway.limiter is not None:
            await self.gateway.limiter.close()
        with contextlib.suppress(OSError):
            self._sock.close()

    async def wait_for_termination(self) -> None:
        if self._task is not None:
            await self._task


def _dev_key(settings: GatewaySettings) -> str:
    if not settings.dev_mode:
        if settings.dev_api_key:
            log.warning(
                "DOCMESH_DEV_API_KEY is ignored: dev mode is off, so only keys from the keys file work"
            )
        return ""
    key = settings.dev_api_key or generate_key()
    # Dev mode only: the launcher shows this line so the developer can call the API at once.
    log.warning("dev mode: API key %s acts for owner %r", key, settings.dev_owner_id)
    print(f"docmesh gateway dev API key: {key}", file=sys.stdout, flush=True)  # noqa: T201
    return key


def _limiter(settings: GatewaySettings) -> RateLimiter | None:
    if settings.rate_limit_rps <= 0:
        return None
    if settings.redis_url:
        return RedisRateLimiter(
            settings.redis_url,
            settings.rate_limit_rps,
            settings.rate_limit_burst,
            settings.rate_limit_key_prefix,
            sync_seconds=settings.rate_limit_sync_seconds,
        )
    return MemoryRateLimiter(settings.rate_limit_rps, settings.rate_limit_burst)


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on accepted sockets whose proto says
    # TCP, and without it a response written in two parts waits ~40 ms on the client's delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    sock.setblocking(False)
    return sock


async def create_server(settings: GatewaySettings) -> tuple[GatewayServer, int]:
    routes = build_routes(services(generated_modules()))
    targets = {
        "session": settings.session_target,
        "agent": settings.agent_target,
        "document": settings.document_target,
    }
    missing = sorted({r.upstream for r in routes} - set(targets))
    if missing:
        raise ValueError(f"routes need upstreams with no target setting: {', '.join(missing)}")
    upstreams = {name: Upstream(name, target, GenericStub, settings) for name, target in targets.items()}
    try:
        keys = (
            KeyStore.from_file(settings.api_keys_file, check_seconds=settings.api_keys_reload_seconds)
            if settings.api_keys_file
            else KeyStore([])
        )
    except KeysFileError as error:
        # Starting without the operator's keys would refuse every call; say why and stop instead.
        log.error("invalid setting DOCMESH_API_KEYS_FILE: %s", error)
        raise SystemExit(2) from None
    dev_key = _dev_key(settings)
    if not len(keys) and not dev_key:
        log.warning("no API keys configured (DOCMESH_API_KEYS_FILE): every API call will be refused")
    gateway = Gateway(
        settings=settings,
        router=Router(routes),
        upstreams=upstreams,
        openapi=build_openapi(routes),
        keys=keys,
        dev_key=dev_key,
        limiter=_limiter(settings),
    )
    app = build_app(gateway, settings)
    if tracing_enabled():
        # An HTTP server span per request, continuing an incoming `traceparent`; the gRPC
        # calls made while handling it become its children.
        from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware

        app = OpenTelemetryMiddleware(app)
    config = uvicorn.Config(
        app,
        log_config=None,
        access_log=False,
        lifespan="off",
        # httptools (a dependency), each response written to the socket at once: see transport.py.
        http=CoalescingHttpToolsProtocol,
        server_header=False,
        proxy_headers=False,
        timeout_graceful_shutdown=settings.shutdown_grace_seconds,  # type: ignore[arg-type]
        # Longer than the idle timeout of the load balancers in front (60 s is common), so that
        # the gateway never closes a keep-alive connection a balancer is about to reuse.
        timeout_keep_alive=settings.keep_alive_seconds,
        backlog=2048,
    )
    sock = _bind(settings.bind_host, settings.port)
    server = GatewayServer(sock=sock, config=config, gateway=gateway, settings=settings)
    log.info("gateway ready to start", extra={"port": server.port, "routes": len(routes)})
    return server, server.port
