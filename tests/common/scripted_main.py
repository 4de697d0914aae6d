"""A real process running the scripted test service through run_service (SIGTERM tests)."""

from __future__ import annotations

from pydantic import Field

from docmesh.document.v1 import document_service_pb2_grpc as pb_grpc
from docmesh_common.clients import Upstream
from docmesh_common.server import Server, build_server, run_service
from docmesh_common.settings import ServiceSettings
from tests.common.runtime_fixtures import SERVICE_NAME, ScriptedDocuments


class ScriptedSettings(ServiceSettings):
    port: int = Field(0, validation_alias="DOCMESH_SCRIPTED_PORT")
    metrics_port: int = Field(0, validation_alias="DOCMESH_SCRIPTED_METRICS_PORT")
    downstream: str = Field("", validation_alias="DOCMESH_SCRIPTED_DOWNSTREAM")


async def create_server(settings: ScriptedSettings) -> tuple[Server, int]:
    downstream = (
        Upstream("downstream", settings.downstream, pb_grpc.DocumentServiceStub, settings)
        if settings.downstream
        else None
    )
    server = await build_server(
        settings,
        name="scripted",
        services=[
            (pb_grpc.add_DocumentServiceServicer_to_server, ScriptedDocuments(downstream), SERVICE_NAME)
        ],
    )
    return server, server.port


if __name__ == "__main__":
    run_service(create_server, ScriptedSettings)
