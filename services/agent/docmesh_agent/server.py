"""Wiring of the agent: upstream clients and their adapters, the provider, the turn and the gRPC server."""

from __future__ import annotations

import asyncio

from docmesh.agent.v1 import (
    agent_service_pb2,
    agent_service_pb2_grpc,
    invoice_app_service_pb2,
    invoice_app_service_pb2_grpc,
)
from docmesh_agent.adapters.customer_grpc import GrpcCustomerBook
from docmesh_agent.adapters.document_grpc import GrpcDocumentEngine
from docmesh_agent.adapters.profile_grpc import GrpcProfileBook
from docmesh_agent.adapters.session_grpc import GrpcSessionStore
from docmesh_agent.documents import SessionDocuments
from docmesh_agent.legacy import LegacyApp
from docmesh_agent.providers import Provider, create_provider
from docmesh_agent.servicer import AgentServicer, InvoiceAppServicer
from docmesh_agent.settings import AgentSettings
from docmesh_agent.turn import ChatTurns
from docmesh_common.server import Server, build_server

AGENT_SERVICE = agent_service_pb2.DESCRIPTOR.services_by_name["AgentService"].full_name
APP_SERVICE = invoice_app_service_pb2.DESCRIPTOR.services_by_name["InvoiceAppService"].full_name


async def create_server(settings: AgentSettings, *, provider: Provider | None = None) -> tuple[Server, int]:
    """The agent server; `provider` replaces the one the settings choose (benchmarks)."""
    session_store = GrpcSessionStore.connect(settings)
    document_engine = GrpcDocumentEngine.connect(settings)
    profile_book = GrpcProfileBook.connect(settings)
    customer_book = GrpcCustomerBook.connect(settings)
    brain = provider if provider is not None else create_provider(settings)
    turns = ChatTurns(
        settings,
        session_store,
        document_engine,
        brain,
        profiles=profile_book,
        customers=customer_book,
    )

    async def ready() -> bool:
        """Serving only while both upstreams report SERVING."""
        answers = await asyncio.gather(session_store.is_serving(), document_engine.is_serving())
        return all(answers)

    server = await build_server(
        settings,
        name="agent",
        services=[
            (
                agent_service_pb2_grpc.add_AgentServiceServicer_to_server,
                AgentServicer(
                    turns,
                    SessionDocuments(session_store, document_engine, profile_book),
                    turns.finalizer,
                ),
                AGENT_SERVICE,
            ),
            (
                invoice_app_service_pb2_grpc.add_InvoiceAppServiceServicer_to_server,
                InvoiceAppServicer(LegacyApp(turns, session_store)),
                APP_SERVICE,
            ),
        ],
        readiness=ready,
        on_stop=[
            brain.close,
            session_store.close,
            document_engine.close,
            profile_book.close,
            customer_book.close,
        ],
    )
    return server, server.port
