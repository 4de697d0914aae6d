"""The session service while its PostgreSQL (one of the test's own) restarts or stops.

Every call goes through the client the gateway and the agent use (docmesh_common.clients),
breakers and all: a fault costs its own duration plus about a second, and a failing call is
UNAVAILABLE with a retry hint, never INTERNAL.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest

from docmesh.session.v1 import session_service_pb2 as pb
from docmesh.session.v1 import session_service_pb2_grpc
from docmesh_common.clients import Upstream
from docmesh_common.errors import DomainError, Unavailable
from docmesh_common.settings import ServiceSettings
from docmesh_session.server import create_server
from docmesh_session.settings import SessionSettings
from tests.faults.servers import OwnPostgres, own_postgres

OWNER = (("x-owner-id", "faults-owner"),)
# The target: errors end within this long after the fault ended.
RECOVERY_SECONDS = 2.0


@dataclass
class Session:
    database: OwnPostgres
    client: Upstream[session_service_pb2_grpc.SessionServiceStub]
    session_id: str


@dataclass
class Outcomes:
    """What a steady stream of reads saw: (monotonic time, error or None)."""

    seen: list[tuple[float, DomainError | None]] = field(default_factory=list)

    @property
    def errors(self) -> list[DomainError]:
        return [e for _, e in self.seen if e is not None]

    def last_error_at(self) -> float:
        return max((t for t, e in self.seen if e is not None), default=0.0)


@pytest.fixture
async def session() -> AsyncIterator[Session]:
    with own_postgres() as database:
        settings = SessionSettings(
            DOCMESH_SESSION_PORT=0,
            DOCMESH_SESSION_METRICS_PORT=0,
            DOCMESH_DATABASE_URL=database.url,
            DOCMESH_AUTO_MIGRATE=True,
            DOCMESH_SESSION_SWEEP_INTERVAL_SECONDS=0,
        )
        server, port = await create_server(settings)
        await server.start()
        client = Upstream(
            "session", f"127.0.0.1:{port}", session_service_pb2_grpc.SessionServiceStub, ServiceSettings()
        )
        try:
            created = await client.call(
                client.stub.CreateSession,
                pb.CreateSessionRequest(session=pb.Session(title="faults")),
                metadata=OWNER,
            )
            yield Session(database, client, created.session.id)
        finally:
            await client.close()
            await server.stop(0.2)


async def _reads(session: Session, until: float, outcomes: Outcomes) -> None:
    while time.monotonic() < until:
        try:
            await session.client.call(
                session.client.stub.GetSession,
                pb.GetSessionRequest(session_id=session.session_id),
                metadata=OWNER,
                timeout=2.0,
            )
            outcomes.seen.append((time.monotonic(), None))
        except DomainError as error:
            outcomes.seen.append((time.monotonic(), error))
        await asyncio.sleep(0.05)


async def _under_reads(session: Session, fault: object, settle: float) -> tuple[Outcomes, float]:
    """Reads before, during and `settle` s after the fault (run in a thread); when it ended."""
    outcomes = Outcomes()
    reader = asyncio.create_task(_reads(session, time.monotonic() + 600, outcomes))
    await asyncio.sleep(0.5)
    await asyncio.to_thread(fault)  # type: ignore[arg-type]
    ended = time.monotonic()
    await asyncio.sleep(settle)
    reader.cancel()
    return outcomes, ended


async def test_a_fast_restart_costs_about_a_second_of_errors(session: Session) -> None:
    outcomes, ended = await _under_reads(session, session.database.restart, settle=RECOVERY_SECONDS + 2)
    assert outcomes.last_error_at() <= ended + RECOVERY_SECONDS
    assert outcomes.seen[-1][1] is None


async def test_every_error_during_a_restart_is_unavailable_with_a_retry_hint(session: Session) -> None:
    outcomes, _ = await _under_reads(session, session.database.restart, settle=1.0)
    for error in outcomes.errors:
        assert isinstance(error, Unavailable), error
        assert error.retry_after_seconds is not None


async def test_after_a_ten_second_stop_reads_recover_within_two_seconds(session: Session) -> None:
    def stop_for_a_while() -> None:
        session.database.stop()
        time.sleep(10)
        session.database.start()

    outcomes, ended = await _under_reads(session, stop_for_a_while, settle=RECOVERY_SECONDS + 2)
    assert outcomes.errors, "the stop was seen"
    assert all(isinstance(e, Unavailable) for e in outcomes.errors)
    assert outcomes.last_error_at() <= ended + RECOVERY_SECONDS
