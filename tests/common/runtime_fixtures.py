"""A small real gRPC service for testing the shared runtime itself.

It implements docmesh.document.v1.DocumentService.Parse with behaviour chosen by the request
text, so tests can make a real server succeed, fail, sleep or call downstream.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import grpc

from docmesh.document.v1 import document_service_pb2 as pb
from docmesh.document.v1 import document_service_pb2_grpc as pb_grpc
from docmesh_common import context
from docmesh_common.clients import Upstream
from docmesh_common.errors import InvalidArgument, Unavailable
from docmesh_common.server import Server, build_server
from docmesh_common.settings import ServiceSettings

SERVICE_NAME = pb.DESCRIPTOR.services_by_name["DocumentService"].full_name
log = logging.getLogger("tests.runtime")


class ScriptedDocuments(pb_grpc.DocumentServiceServicer):
    """Parse(msc=...) does what the text says: ok, invalid, unavailable, crash,
    database-shutting-down, sleep:<s>, forward."""

    def __init__(self, downstream: Upstream[pb_grpc.DocumentServiceStub] | None = None) -> None:
        self.calls = 0
        self.downstream = downstream
        self.seen_request_ids: list[str] = []
        self.seen_owners: list[str] = []

    async def Parse(self, request: pb.ParseRequest, ctx: grpc.aio.ServicerContext) -> pb.ParseResponse:
        self.calls += 1
        self.seen_request_ids.append(context.request_id())
        self.seen_owners.append(context.optional_owner_id())
        log.info("handling %s", request.msc)
        command = request.msc
        if command == "invalid":
            raise InvalidArgument("msc is not MSC", field="msc")
        if command == "unavailable":
            raise Unavailable("temporarily down", retry_after_seconds=2)
        if command == "crash":
            raise RuntimeError("secret internals")
        if command == "database-shutting-down":
            # What asyncpg raises while PostgreSQL shuts down (pg_ctl restart -m fast).
            raise asyncpg.exceptions.CannotConnectNowError("the database system is shutting down")
        if command.startswith("sleep:"):
            await asyncio.sleep(float(command.split(":", 1)[1]))
        if command == "forward" and self.downstream is not None:
            reply = await self.downstream.call(self.downstream.stub.Parse, pb.ParseRequest(msc="ok"))
            return pb.ParseResponse(form="forwarded:" + reply.form)
        return pb.ParseResponse(form="ok")


async def start_scripted(
    servicer: ScriptedDocuments,
    *,
    readiness: Callable[[], Awaitable[bool]] | None = None,
    **overrides: Any,
) -> Server:
    settings = ServiceSettings(port=0, metrics_port=0, **overrides)
    server = await build_server(
        settings,
        name="scripted",
        services=[(pb_grpc.add_DocumentServiceServicer_to_server, servicer, SERVICE_NAME)],
        readiness=readiness,
    )
    await server.start()
    return server
