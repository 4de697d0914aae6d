"""Wiring of the document service: the service, its worker pool and the gRPC server."""

from __future__ import annotations

from docmesh.document.v1 import document_service_pb2, document_service_pb2_grpc
from docmesh_common.server import Server, build_server
from docmesh_document.service import DocumentService
from docmesh_document.servicer import DocumentServicer
from docmesh_document.settings import DocumentSettings

DOCUMENT_SERVICE = document_service_pb2.DESCRIPTOR.services_by_name["DocumentService"].full_name


async def create_server(settings: DocumentSettings) -> tuple[Server, int]:
    """The document server (stateless: no upstreams, ready as soon as its workers run)."""
    service = DocumentService(settings)
    await service.start()
    server = await build_server(
        settings,
        name="document",
        services=[
            (
                document_service_pb2_grpc.add_DocumentServiceServicer_to_server,
                DocumentServicer(service),
                DOCUMENT_SERVICE,
            )
        ],
        on_stop=[service.close],
    )
    server.service = service  # type: ignore[attr-defined]  # tests and benchmarks reach it here
    return server, server.port
