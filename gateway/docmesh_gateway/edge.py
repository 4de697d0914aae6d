"""The gateway's edge: request ids, security headers, metrics, the access log, compression and
the guarantee of a JSON 500 without a traceback; and the helpers every response is sent with.

Split from app.py (which keeps `Gateway`, the routes and the fixed endpoints) by job.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Mapping, MutableMapping
from typing import Any

from prometheus_client import Counter, Histogram
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from docmesh_common import context
from docmesh_common.errors import DomainError, Internal
from docmesh_common.logging import AccessLogPolicy
from docmesh_gateway.errors import error_body, error_headers, status_of

log = logging.getLogger("docmesh.gateway")
access = logging.getLogger("docmesh.gateway.access")
# Probes and scrapes arrive every few seconds; logging each would drown the real requests.
_QUIET_ROUTES = frozenset({"/healthz", "/readyz", "/metrics"})

HTTP_REQUESTS = Counter(
    "docmesh_gateway_http_requests_total",
    "HTTP requests answered by the gateway, by route template, method and status.",
    ["route", "method", "status"],
)
HTTP_LATENCY = Histogram(
    "docmesh_gateway_http_request_duration_seconds",
    "Time from request to the end of the response, by route template and method.",
    ["route", "method"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120),
)
# What the gateway itself costs: the request's time minus the time spent waiting for the upstream.
GATEWAY_OVERHEAD = Histogram(
    "docmesh_gateway_overhead_seconds",
    "Time the gateway spends on a unary request besides the upstream call and the wait for the "
    "client's body, by route template.",
    ["route"],
    buckets=(0.0001, 0.00025, 0.0005, 0.00075, 0.001, 0.0015, 0.002, 0.003, 0.005, 0.01, 0.025, 0.1),
)

ROUTE_KEY = "docmesh.route"
UPSTREAM_SECONDS_KEY = "docmesh.upstream_seconds"
# Time spent waiting for the client to send its body: the client's pace, not the gateway's cost.
BODY_WAIT_SECONDS_KEY = "docmesh.body_wait_seconds"
REQUEST_ID_KEY = "docmesh.request_id"
# Set when the response skips compression because the client does not accept gzip.
IDENTITY_KEY = "docmesh.identity"
_VARY = (b"vary", b"Accept-Encoding")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")
# img-src allows blob: for the logo, which the page fetches with its API key and shows from memory.
SECURITY_HEADERS: list[tuple[bytes, bytes]] = [
    (
        b"content-security-policy",
        b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
        b"connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    (b"strict-transport-security", b"max-age=31536000; includeSubDomains"),
]


async def send_bytes(
    send: Send, status: int, body: bytes, content_type: str, headers: Mapping[str, str] | None = None
) -> None:
    raw = [(b"content-type", content_type.encode()), (b"content-length", str(len(body)).encode())]
    for name, value in (headers or {}).items():
        raw.append((name.encode("latin-1"), value.encode("latin-1")))
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


# One encoder for every response: json.dumps with options builds a new one per call.
_JSON = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


async def send_json(send: Send, status: int, payload: Any, headers: Mapping[str, str] | None = None) -> None:
    body = _JSON.encode(payload).encode()
    await send_bytes(send, status, body, "application/json", headers)


async def send_error(
    send: Send, error: DomainError, request_id: str, headers: Mapping[str, str] | None = None
) -> None:
    merged = {**error_headers(error), **(headers or {})}
    await send_bytes(send, status_of(error), error_body(error, request_id), "application/json", merged)


class Edge:
    """Request ids, security headers, metrics and the guarantee of a JSON 500 without a traceback.

    Every request is counted and timed in the metrics; the access log line is written for the
    requests `access_log` picks (failed, slow, or sampled by request id: see AccessLogPolicy).
    """

    def __init__(self, app: ASGIApp, access_log: AccessLogPolicy | None = None) -> None:
        self.app = app
        self.access_log = access_log or AccessLogPolicy()
        # The labelled series of each (route, method, status), looked up once: `labels()` takes a
        # lock and builds its key on every call. Routes are templates, so the set stays small.
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}
        self._overhead: dict[str, Any] = {}

    def _series(self, route: str, method: str, status: int) -> tuple[Any, Any]:
        found = self._children.get((route, method, status))
        if found is None:
            found = (HTTP_REQUESTS.labels(route, method, str(status)), HTTP_LATENCY.labels(route, method))
            if len(self._children) < 10_000:  # a bound: methods and statuses come from clients
                self._children[(route, method, status)] = found
        return found

    def _overhead_of(self, route: str) -> Any:
        found = self._overhead.get(route)
        if found is None:
            found = self._overhead[route] = GATEWAY_OVERHEAD.labels(route)
        return found

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = ""
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                candidate = value.decode("latin-1")
                request_id = candidate if _REQUEST_ID.match(candidate) else ""
                break
        request_id = request_id or context.new_request_id()
        scope[REQUEST_ID_KEY] = request_id
        # Every log line of this request (and the metadata of its upstream calls) carries the id.
        context.bind(request_id=request_id, owner_id="")
        status_holder = [0]

        async def send_with_headers(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status_holder[0] = message["status"]
                headers = list(message.get("headers", ()))
                headers.append((b"x-request-id", request_id.encode()))
                headers.extend(SECURITY_HEADERS)
                if scope.get(IDENTITY_KEY):  # not through GZipMiddleware, which adds its own
                    headers.append(_VARY)
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            log.exception("unhandled error", extra={"path": scope.get("path")})
            if status_holder[0] == 0:
                error = Internal(f"internal error (request id {request_id})")
                await send_error(send_with_headers, error, request_id)
        finally:
            elapsed = time.perf_counter() - started
            route = scope.get(ROUTE_KEY, "unmatched")
            method = scope["method"]
            status = status_holder[0] or 500
            requests, latency = self._series(route, method, status)
            requests.inc()
            latency.observe(elapsed)
            upstream = scope.get(UPSTREAM_SECONDS_KEY)
            if upstream is not None:
                waited = upstream + scope.get(BODY_WAIT_SECONDS_KEY, 0.0)
                self._overhead_of(route).observe(max(0.0, elapsed - waited))
            if (route not in _QUIET_ROUTES or status >= 400) and self.access_log.wants(
                request_id, failed=status >= 400, seconds=elapsed
            ):
                # The path only: query strings may carry data that does not belong in logs.
                access.info(
                    "http",
                    extra={
                        "method": method,
                        "path": scope.get("path", ""),
                        "route": route,
                        "status": status,
                        "duration_ms": round(elapsed * 1000, 3),
                    },
                )


class Compression:
    """GZip for the clients that accept it; the others skip the middleware.

    Starlette's GZipMiddleware does per-request work even when it will not compress (it parses
    the request's and the response's headers and normalises its excluded types again); most API
    clients send no Accept-Encoding: gzip. The skipped responses still say `Vary:
    Accept-Encoding` (added by Edge), as the middleware says on the ones it could compress.
    """

    def __init__(self, app: ASGIApp, *, minimum_size: int, compresslevel: int) -> None:
        self.app = app
        self.gzip = GZipMiddleware(app, minimum_size=minimum_size, compresslevel=compresslevel)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            for name, value in scope["headers"]:
                if name == b"accept-encoding" and b"gzip" in value.lower():
                    await self.gzip(scope, receive, send)
                    return
            scope[IDENTITY_KEY] = True
        await self.app(scope, receive, send)
