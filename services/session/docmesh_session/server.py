"""Wiring of the session service: engine, migrations, cache, service, sweeper, gRPC server."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from docmesh.session.v1 import (
    customer_service_pb2,
    customer_service_pb2_grpc,
    profile_service_pb2,
    profile_service_pb2_grpc,
    session_service_pb2_grpc,
)
from docmesh.session.v1 import session_service_pb2 as pb
from docmesh_common.server import Server, build_server
from docmesh_session.cache import SessionCache
from docmesh_session.customer_servicer import CustomerServicer
from docmesh_session.database import create_engine
from docmesh_session.migrate import ensure_sqlite_folder, upgrade
from docmesh_session.profile_servicer import ProfileServicer
from docmesh_session.repository import SessionRepository
from docmesh_session.service import SessionService, utcnow
from docmesh_session.servicer import SessionServicer
from docmesh_session.settings import SessionSettings
from docmesh_session.sweeper import Sweeper

log = logging.getLogger(__name__)

SERVICE_NAME = pb.DESCRIPTOR.services_by_name["SessionService"].full_name
CUSTOMER_SERVICE_NAME = customer_service_pb2.DESCRIPTOR.services_by_name["CustomerService"].full_name
PROFILE_SERVICE_NAME = profile_service_pb2.DESCRIPTOR.services_by_name["ProfileService"].full_name
READINESS_TIMEOUT_SECONDS = 1.5


@dataclass(slots=True)
class SessionApp:
    """Everything one service instance owns, for the server and for tests."""

    settings: SessionSettings
    repository: SessionRepository
    cache: SessionCache
    service: SessionService
    sweeper: Sweeper

    async def ready(self) -> bool:
        """The database answers; Redis is optional and never makes the service unready."""
        try:
            return await asyncio.wait_for(self.repository.ping(), READINESS_TIMEOUT_SECONDS)
        except Exception as error:
            log.warning("database not answering: %s", error)
            return False

    async def close(self) -> None:
        await self.sweeper.stop()
        await self.cache.close()
        await self.repository.engine.dispose()


async def build_app(settings: SessionSettings, *, clock: Callable[[], dt.datetime] = utcnow) -> SessionApp:
    ensure_sqlite_folder(settings.database_url)
    engine = create_engine(
        settings.database_url, pool_size=settings.db_pool_size, max_overflow=settings.db_max_overflow
    )
    if settings.should_migrate:
        await upgrade(engine)
    repository = SessionRepository(engine)
    cache = SessionCache(
        settings.redis_url,
        ttl_seconds=settings.cache_ttl_seconds,
        timeout_seconds=settings.redis_timeout_seconds,
        retry_seconds=settings.redis_retry_seconds,
        namespace=settings.redis_namespace,
        max_connections=settings.redis_max_connections,
    )
    service = SessionService(repository, cache, settings, clock=clock)
    sweeper = Sweeper(
        repository,
        cache,
        interval_seconds=settings.sweep_interval_seconds,
        retention_seconds=settings.deleted_retention_seconds,
        batch_size=settings.sweep_batch_size,
        clock=clock,
    )
    return SessionApp(settings, repository, cache, service, sweeper)


async def create_server(settings: SessionSettings) -> tuple[Server, int]:
    app = await build_app(settings)
    server = await build_server(
        settings,
        name="session",
        services=[
            (
                session_service_pb2_grpc.add_SessionServiceServicer_to_server,
                SessionServicer(app.service),
                SERVICE_NAME,
            ),
            (
                profile_service_pb2_grpc.add_ProfileServiceServicer_to_server,
                ProfileServicer(app.service.profiles),
                PROFILE_SERVICE_NAME,
            ),
            (
                customer_service_pb2_grpc.add_CustomerServiceServicer_to_server,
                CustomerServicer(app.service.customers),
                CUSTOMER_SERVICE_NAME,
            ),
        ],
        readiness=app.ready,
        on_stop=[app.close],
    )
    app.sweeper.start()
    # Tests and tools reach the instance's parts through the server.
    server.app = app  # type: ignore[attr-defined]
    return server, server.port
