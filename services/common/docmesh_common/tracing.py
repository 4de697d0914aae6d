"""OpenTelemetry tracing across gRPC hops, on only when DOCMESH_OTLP_ENDPOINT is set.

When the endpoint is empty nothing is imported or patched, so tracing costs nothing.
"""

from __future__ import annotations

import logging

log = logging.getLogger("docmesh.tracing")
_enabled = False


def setup_tracing(service: str, endpoint: str) -> bool:
    """Install a tracer provider exporting to `endpoint` and instrument grpc.aio. Idempotent."""
    global _enabled
    if not endpoint or _enabled:
        return _enabled
    from opentelemetry import trace
    from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
    from opentelemetry.instrumentation.grpc import GrpcAioInstrumentorClient, GrpcAioInstrumentorServer
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    provider = TracerProvider(resource=Resource.create({"service.name": f"docmesh-{service}"}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint, insecure=True)))
    trace.set_tracer_provider(provider)
    # Both must run before any server or channel is created: they patch the factories.
    GrpcAioInstrumentorServer().instrument()
    GrpcAioInstrumentorClient().instrument()
    _enabled = True
    log.info("tracing enabled", extra={"otlp_endpoint": endpoint})
    return True


def tracing_enabled() -> bool:
    return _enabled


def shutdown_tracing() -> None:
    """Export the spans still buffered; called once the server has drained."""
    if not _enabled:
        return
    from opentelemetry import trace

    provider = trace.get_tracer_provider()
    shutdown = getattr(provider, "shutdown", None)
    if shutdown is not None:
        shutdown()
