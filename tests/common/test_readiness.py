"""Readiness tells a blip of a dependency from an outage: one failed check does not eject a replica."""

from __future__ import annotations

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from tests.common.runtime_fixtures import ScriptedDocuments, start_scripted

SERVING = health_pb2.HealthCheckResponse.SERVING
NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING


class Dependency:
    """A readiness check whose answers the test scripts."""

    def __init__(self) -> None:
        self.up = True

    async def __call__(self) -> bool:
        return self.up


async def _health(port: int) -> int:
    async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
        reply = await health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest())
        return reply.status


async def test_one_failed_check_leaves_a_ready_server_serving() -> None:
    database = Dependency()
    server = await start_scripted(ScriptedDocuments(), readiness=database, readiness_failures_to_eject=3)
    try:
        database.up = False
        await server._check_readiness()
        assert await _health(server.port) == SERVING
    finally:
        await server.stop(0)


async def test_a_run_of_failed_checks_reports_not_serving() -> None:
    database = Dependency()
    server = await start_scripted(ScriptedDocuments(), readiness=database, readiness_failures_to_eject=3)
    try:
        database.up = False
        for _ in range(3):
            await server._check_readiness()
        assert await _health(server.port) == NOT_SERVING
    finally:
        await server.stop(0)


async def test_the_first_check_that_passes_makes_it_serving_again() -> None:
    database = Dependency()
    server = await start_scripted(ScriptedDocuments(), readiness=database, readiness_failures_to_eject=2)
    try:
        database.up = False
        for _ in range(2):
            await server._check_readiness()
        database.up = True
        await server._check_readiness()
        assert await _health(server.port) == SERVING
    finally:
        await server.stop(0)


async def test_a_draining_server_stays_not_serving_whatever_its_checks_say() -> None:
    database = Dependency()
    server = await start_scripted(ScriptedDocuments(), readiness=database)
    await server.stop(0)
    await server._check_readiness()
    assert server._health._server_status[""] == NOT_SERVING  # type: ignore[attr-defined]
