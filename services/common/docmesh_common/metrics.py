"""Prometheus metrics shared by every process (one registry per process)."""

from __future__ import annotations

import threading
from wsgiref.simple_server import WSGIRequestHandler, make_server

from prometheus_client import Counter, Gauge, Histogram, make_wsgi_app
from prometheus_client.exposition import ThreadingWSGIServer

RPC_HANDLED = Counter(
    "docmesh_grpc_server_handled_total",
    "gRPC calls handled, by method and status code.",
    ["service", "method", "code"],
)
RPC_LATENCY = Histogram(
    "docmesh_grpc_server_handling_seconds",
    "gRPC call handling time.",
    ["service", "method"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
BREAKER_STATE = Gauge(
    "docmesh_breaker_state",
    "Circuit breaker state: 0 closed, 1 half-open, 2 open.",
    ["breaker"],
)
BREAKER_STATE_VALUES = {"closed": 0, "half-open": 1, "open": 2}
SERVING = Gauge(
    "docmesh_serving",
    "1 while this process reports SERVING to health-checking clients, else 0 (starting, draining).",
)


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """Scrapes are not worth a log line each."""


def start_metrics_server(host: str, port: int) -> ThreadingWSGIServer:
    """Serve /metrics on a daemon thread; port 0 picks a free port (see `server_port`).

    prometheus_client's own start_http_server polls for shutdown every 0.5 s; a short poll
    lets a server stop at once.
    """
    httpd = make_server(host, port, make_wsgi_app(), ThreadingWSGIServer, handler_class=_QuietHandler)
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="metrics", daemon=True
    )
    thread.start()
    return httpd
