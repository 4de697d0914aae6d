"""The gateway's ASGI application: REST transcoded to gRPC, behind the edge.

Layers, outermost first: `Edge` (request id, security headers, metrics, last-resort error
handling; in edge.py), CORS, gzip, then `Gateway` (fixed endpoints, the transcoded routes, keys,
rate limits).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from typing import Any
from urllib.parse import parse_qsl, quote

import grpc
from google.protobuf.message import Message
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from docmesh_common import context
from docmesh_common.clients import Upstream
from docmesh_common.errors import (
    DomainError,
    InvalidArgument,
    NotFound,
    ResourceExhausted,
    Unauthenticated,
)
from docmesh_common.logging import AccessLogPolicy
from docmesh_gateway.auth import KeyStore, presented_key
from docmesh_gateway.edge import (
    BODY_WAIT_SECONDS_KEY,
    REQUEST_ID_KEY,
    ROUTE_KEY,
    UPSTREAM_SECONDS_KEY,
    Compression,
    Edge,
    send_bytes,
    send_error,
    send_json,
)
from docmesh_gateway.errors import (
    HttpError,
    error_document,
    with_headers,
)
from docmesh_gateway.jsonmap import to_dict
from docmesh_gateway.ratelimit import RateLimiter
from docmesh_gateway.routes import Route, Router
from docmesh_gateway.settings import GatewaySettings
from docmesh_gateway.transcode import RequestError, build_request, has_field, http_body_of

log = logging.getLogger("docmesh.gateway")
_GRPC_TIMEOUT = re.compile(r"^(\d{1,8})([HMSmun])$")
_GRPC_TIMEOUT_UNITS = {"H": 3600.0, "M": 60.0, "S": 1.0, "m": 1e-3, "u": 1e-6, "n": 1e-9}
_FILE_NAME_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def parse_grpc_timeout(value: str) -> float | None:
    """A Grpc-Timeout header ("10S", "500m") in seconds; None when absent or malformed."""
    match = _GRPC_TIMEOUT.match(value.strip())
    if match is None:
        return None
    return int(match.group(1)) * _GRPC_TIMEOUT_UNITS[match.group(2)]


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}


@dataclass
class Principal:
    owner_id: str
    rate_key: str


IDEMPOTENCY_HEADER = "idempotency-key"


def carry_idempotency_key(request: Any, headers: Mapping[str, str]) -> None:
    """The client's Idempotency-Key header becomes the call's idempotency_key (a body value wins).

    Retries of a turn are the client's (docmesh_common.clients: no layer in between retries an
    LLM-bound call); with the same key the agent replays the first result instead of running
    the turn again.
    """
    key = headers.get(IDEMPOTENCY_HEADER, "").strip()
    if key and has_field(request.DESCRIPTOR, "idempotency_key") and not request.idempotency_key:
        request.idempotency_key = key


class GenericStub:
    """Multi-callables built from the descriptors, so any annotated RPC can be called."""

    def __init__(self, channel: grpc.aio.Channel) -> None:
        self.channel = channel
        self._methods: dict[str, Any] = {}

    def method(self, route: Route) -> Any:
        found = self._methods.get(route.full_method)
        if found is None:
            factory = self.channel.unary_stream if route.server_streaming else self.channel.unary_unary
            found = factory(
                route.full_method,
                request_serializer=route.request_class.SerializeToString,  # type: ignore[attr-defined]
                response_deserializer=route.response_class.FromString,  # type: ignore[attr-defined]
            )
            self._methods[route.full_method] = found
        return found


STATIC_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
}


class Gateway:
    """Fixed endpoints, then the transcoded routes."""

    def __init__(
        self,
        settings: GatewaySettings,
        router: Router,
        upstreams: Mapping[str, Upstream[GenericStub]],
        openapi: dict[str, Any],
        keys: KeyStore,
        dev_key: str,
        limiter: RateLimiter | None,
    ) -> None:
        self.settings = settings
        self.router = router
        self.upstreams = upstreams
        self.openapi_body = json.dumps(openapi, separators=(",", ":")).encode()
        self.keys = keys
        self._dev_digest = hashlib.sha256(dev_key.encode()).digest() if dev_key else b""
        self.dev_key = dev_key
        self.limiter = limiter
        self._budgets: dict[str, float] = {}
        self._body_limits: dict[str, int] = {}
        self._static = self._load_static(dev_key if settings.dev_mode else "")
        self._fixed: dict[tuple[str, str], Callable[[Scope, Receive, Send], Awaitable[None]]] = {
            ("GET", "/healthz"): self._healthz,
            ("GET", "/readyz"): self._readyz,
            ("GET", "/metrics"): self._metrics,
            ("GET", "/openapi.json"): self._openapi,
            ("GET", "/api/health"): self._legacy_health,
        }

    @staticmethod
    def _load_static(dev_key: str) -> dict[str, tuple[bytes, str]]:
        files: dict[str, tuple[bytes, str]] = {}
        for entry in (resources.files("docmesh_gateway") / "static").iterdir():
            suffix = "." + entry.name.rsplit(".", 1)[-1]
            if suffix in STATIC_TYPES:
                files[entry.name] = (entry.read_bytes(), STATIC_TYPES[suffix])
        index, kind = files["index.html"]
        # Only in dev mode does the page carry a key: it saves pasting the one printed at start.
        injected = json.dumps(dev_key).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        files["index.html"] = (index.replace(b'"__DOCMESH_DEV_KEY__"', injected.encode()), kind)
        return files

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            return
        method: str = scope["method"]
        path: str = scope["path"]
        request_id: str = scope.get(REQUEST_ID_KEY) or context.new_request_id()
        fixed = self._fixed.get((method if method != "HEAD" else "GET", path))
        if fixed is not None:
            scope[ROUTE_KEY] = path
            await fixed(scope, receive, send)
            return
        if method in ("GET", "HEAD") and (path in ("/", "/docs") or path.startswith("/static/")):
            await self._serve_static(scope, send, path)
            return
        raw_path = scope.get("raw_path")
        match_path = raw_path.decode("latin-1") if raw_path else quote(path)
        match_path = match_path.split("?", 1)[0]
        found = self.router.match(method, match_path)
        if found is None:
            allowed = self.router.allowed_methods(match_path)
            if allowed:
                scope[ROUTE_KEY] = "method_not_allowed"
                error = HttpError(405, grpc.StatusCode.UNIMPLEMENTED, f"{method} is not allowed on {path}")
                await send_error(send, error, request_id, {"allow": ", ".join(allowed)})
                return
            scope[ROUTE_KEY] = "unmatched"
            await send_error(
                send, NotFound(f"no route for {method} {path}", reason="ROUTE_NOT_FOUND"), request_id
            )
            return
        route, params = found
        scope[ROUTE_KEY] = route.template.text
        headers = _headers(scope)
        try:
            principal = self._authenticate(headers)
            limit_headers = await self._rate_limit(principal)
            body = b""
            if route.body:
                reading = time.perf_counter()
                body = await self._read_body(receive, headers, self._body_limit(route))
                scope[BODY_WAIT_SECONDS_KEY] = time.perf_counter() - reading
            raw_query: bytes = scope["query_string"]
            query = parse_qsl(raw_query.decode("latin-1"), keep_blank_values=True) if raw_query else []
            try:
                request = build_request(route, params, query, body, headers.get("content-type", ""))
            except RequestError as error:
                raise InvalidArgument(error.message, field=error.field or None) from None
            carry_idempotency_key(request, headers)
            timeout = self._deadline(route, headers)
            context.bind(request_id=request_id, owner_id=principal.owner_id, timeout=timeout)
            upstream = self.upstreams[route.upstream]
            if route.server_streaming:
                await self._stream(
                    route, upstream, request, timeout, receive, send, request_id, limit_headers
                )
                return
            called = time.perf_counter()
            try:
                response = await upstream.call(upstream.stub.method(route), request, timeout=timeout)
            finally:
                scope[UPSTREAM_SECONDS_KEY] = time.perf_counter() - called
        except DomainError as error:
            await send_error(send, error, request_id)
            return
        await self._respond(route, response, send, limit_headers)

    # Edge steps

    def _authenticate(self, headers: Mapping[str, str]) -> Principal:
        key = presented_key(headers)
        self.keys.refresh()
        if not key:
            raise _unauthenticated("an API key is required: send X-API-Key or Authorization: Bearer")
        found = self.keys.authenticate(key)
        if found is not None:
            owner, key_hash = found
            return Principal(owner, key_hash)
        if self._dev_digest and hmac.compare_digest(hashlib.sha256(key.encode()).digest(), self._dev_digest):
            return Principal(self.settings.dev_owner_id, "dev")
        raise _unauthenticated("the API key is not valid")

    async def _rate_limit(self, principal: Principal) -> dict[str, str]:
        if self.limiter is None:
            return {}
        decision = await self.limiter.acquire(principal.rate_key)
        headers = decision.headers(self.limiter.rate)
        if not decision.allowed:
            error = ResourceExhausted(
                "rate limit exceeded for this API key",
                reason="RATE_LIMITED",
                retry_after_seconds=decision.retry_after_seconds,
            )
            raise with_headers(error, headers)
        return headers

    def _body_limit(self, route: Route) -> int:
        """A route's body limit from the settings, worked out once per route."""
        found = self._body_limits.get(route.full_method)
        if found is None:
            method = route.method
            name = f"{method.containing_service.name}.{method.name}"
            found = self._body_limits[route.full_method] = self.settings.route_body_limits.get(
                name, self.settings.max_body_bytes
            )
        return found

    async def _read_body(self, receive: Receive, headers: Mapping[str, str], limit: int) -> bytes:
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise _too_large(limit)
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise HttpError(499, grpc.StatusCode.CANCELLED, "the client went away")
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise _too_large(limit)
            chunks.append(chunk)
            more = message.get("more_body", False)
        return b"".join(chunks)

    def _budget(self, route: Route) -> float:
        """A route's deadline from the settings, worked out once per route (settings never change)."""
        found = self._budgets.get(route.full_method)
        if found is not None:
            return found
        method = route.method
        overrides = self.settings.route_timeouts
        budget = overrides.get(f"{method.containing_service.name}.{method.name}")
        if budget is None:
            budget = overrides.get(method.containing_service.full_name + "." + method.name)
        if budget is None:
            # Agent calls wait for an LLM; everything else answers quickly or not at all.
            slow = route.upstream == "agent" and route.http_method != "GET"
            budget = self.settings.chat_timeout_seconds if slow else self.settings.upstream_timeout_seconds
        self._budgets[route.full_method] = budget
        return budget

    def _deadline(self, route: Route, headers: Mapping[str, str]) -> float:
        budget = self._budget(route)
        asked = parse_grpc_timeout(headers.get("grpc-timeout", ""))
        return budget if asked is None else min(budget, asked)

    # Responses

    async def _respond(self, route: Route, response: Message, send: Send, extra: Mapping[str, str]) -> None:
        download = http_body_of(route, response)
        if download is not None:
            data, content_type, file_name = download
            headers = dict(extra)
            if file_name:
                headers["content-disposition"] = _content_disposition(file_name)
            await send_bytes(send, 200, data, content_type, headers)
            return
        payload: Any = to_dict(response)
        if route.response_body:
            payload = payload.get(route.response_body)
        await send_json(send, 200, payload, extra)

    async def _stream(
        self,
        route: Route,
        upstream: Upstream[GenericStub],
        request: Message,
        timeout: float,
        receive: Receive,
        send: Send,
        request_id: str,
        extra: Mapping[str, str],
    ) -> None:
        """Server-streaming RPC as Server-Sent Events; an error before the first event is a plain error."""
        events = upstream.stream(upstream.stub.method(route), request, timeout=timeout)
        iterator = events.__aiter__()
        try:
            first: Message | None = await iterator.__anext__()
        except StopAsyncIteration:
            first = None
        headers = [
            (b"content-type", b"text/event-stream; charset=utf-8"),
            (b"cache-control", b"no-cache"),
            (b"x-accel-buffering", b"no"),
            *((k.encode("latin-1"), v.encode("latin-1")) for k, v in extra.items()),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})

        async def pump() -> None:
            item: Message | None = first
            try:
                while item is not None:
                    await send({"type": "http.response.body", "body": _sse_event(item), "more_body": True})
                    try:
                        item = await iterator.__anext__()
                    except StopAsyncIteration:
                        item = None
            except DomainError as error:
                event = json.dumps(error_document(error, request_id), separators=(",", ":"))
                await send({"type": "http.response.body", "body": _sse(b"error", event), "more_body": True})
            finally:
                with contextlib.suppress(Exception):
                    await events.aclose()  # type: ignore[attr-defined]

        async def watch_disconnect() -> None:
            while (await receive())["type"] != "http.disconnect":
                pass

        pumping = asyncio.ensure_future(pump())
        watching = asyncio.ensure_future(watch_disconnect())
        try:
            done, _ = await asyncio.wait({pumping, watching}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (pumping, watching):
                if not task.done():
                    task.cancel()
                    with contextlib.suppress(BaseException):
                        await task
        if pumping in done:
            pumping.result()
            await send({"type": "http.response.body", "body": b"", "more_body": False})

    # Fixed endpoints

    async def _healthz(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send_json(send, 200, {"status": "ok"})

    async def _legacy_health(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send_json(send, 200, {"status": "healthy", "timestamp": _now()})

    async def _readyz(self, scope: Scope, receive: Receive, send: Send) -> None:
        timeout = self.settings.readiness_timeout_seconds
        names = sorted(self.upstreams)
        results = await asyncio.gather(*(self.upstreams[n].is_serving("", timeout) for n in names))
        upstreams = {
            name: ("SERVING" if ok else "NOT_SERVING") for name, ok in zip(names, results, strict=True)
        }
        ready = all(results)
        await send_json(
            send, 200 if ready else 503, {"status": "ready" if ready else "not ready", "upstreams": upstreams}
        )

    async def _metrics(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send_bytes(send, 200, generate_latest(REGISTRY), CONTENT_TYPE_LATEST)

    async def _openapi(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send_bytes(send, 200, self.openapi_body, "application/json")

    async def _serve_static(self, scope: Scope, send: Send, path: str) -> None:
        name = {"/": "index.html", "/docs": "docs.html"}.get(path) or path.removeprefix("/static/")
        found = self._static.get(name)
        scope[ROUTE_KEY] = "/" if path == "/" else ("/docs" if path == "/docs" else "/static")
        request_id = scope.get(REQUEST_ID_KEY, "")
        if found is None:
            await send_error(send, NotFound(f"no file {path}", reason="ROUTE_NOT_FOUND"), request_id)
            return
        data, content_type = found
        await send_bytes(send, 200, data, content_type, {"cache-control": "no-cache"})


def _unauthenticated(message: str) -> Unauthenticated:
    error = Unauthenticated(message, reason="API_KEY_INVALID")
    return with_headers(error, {"www-authenticate": 'Bearer realm="docmesh"'})


def _too_large(limit: int) -> HttpError:
    return HttpError(
        413,
        grpc.StatusCode.INVALID_ARGUMENT,
        f"the request body is larger than {limit} bytes",
        reason="BODY_TOO_LARGE",
    )


def _sse(event: bytes, data: str) -> bytes:
    lines = b"".join(b"data: " + line.encode() + b"\n" for line in data.split("\n"))
    return b"event: " + event + b"\n" + lines + b"\n"


def _sse_event(message: Message) -> bytes:
    """One SSE event: named after the set oneof field (e.g. text_delta, done), data the message as JSON."""
    name = "message"
    oneofs = message.DESCRIPTOR.oneofs
    if len(oneofs) == 1:
        name = message.WhichOneof(oneofs[0].name) or name
    return _sse(name.encode(), json.dumps(to_dict(message), separators=(",", ":"), ensure_ascii=False))


def _content_disposition(file_name: str) -> str:
    ascii_name = _FILE_NAME_UNSAFE.sub("_", file_name).strip("._") or "download"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(file_name, safe='')}"


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def build_app(gateway: Gateway, settings: GatewaySettings) -> ASGIApp:
    app: ASGIApp = Compression(gateway, minimum_size=1024, compresslevel=5)
    if settings.cors_origins:
        app = CORSMiddleware(
            app,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PATCH", "PUT", "DELETE"],
            allow_headers=["authorization", "content-type", "x-api-key", "x-request-id", "grpc-timeout"],
            expose_headers=[
                "x-request-id",
                "retry-after",
                "ratelimit-limit",
                "ratelimit-remaining",
                "ratelimit-reset",
                "content-disposition",
            ],
            max_age=600,
        )
    return Edge(app, AccessLogPolicy(settings.access_log_sample_rate, settings.access_log_slow_seconds))
