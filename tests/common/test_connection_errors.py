"""Every database or network connection error is UNAVAILABLE with a retry hint, never INTERNAL."""

from __future__ import annotations

import errno

import asyncpg.exceptions as pg
import grpc
import pytest
from google.rpc import error_details_pb2
from sqlalchemy import exc as sa

from docmesh.document.v1 import document_service_pb2 as pb
from docmesh.document.v1 import document_service_pb2_grpc as pb_grpc
from docmesh_common.connection_errors import as_unavailable, is_connection_error
from docmesh_common.errors import InvalidArgument, status_from_metadata
from tests.common.runtime_fixtures import ScriptedDocuments, start_scripted


def _wrapped_by_sqlalchemy(orig: Exception) -> sa.DBAPIError:
    """How SQLAlchemy's asyncpg dialect hands a driver error up: a DBAPIError around it."""
    try:
        try:
            raise orig
        except Exception as driver:
            raise sa.DBAPIError("SELECT 1", {}, Exception(str(driver))) from driver
    except sa.DBAPIError as wrapped:
        return wrapped


@pytest.mark.parametrize(
    "error",
    [
        pg.CannotConnectNowError("the database system is shutting down"),
        pg.AdminShutdownError("terminating connection due to administrator command"),
        pg.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
        ConnectionRefusedError(errno.ECONNREFUSED, "Connect call failed"),
        OSError("Multiple exceptions: [Errno 111] Connect call failed ('127.0.0.1', 5432)"),
        sa.OperationalError("SELECT 1", {}, Exception("server closed the connection")),
        sa.InterfaceError("SELECT 1", {}, Exception("connection is closed")),
        sa.DBAPIError("SELECT 1", {}, Exception("lost"), connection_invalidated=True),
        _wrapped_by_sqlalchemy(pg.CannotConnectNowError("the database system is starting up")),
    ],
    ids=lambda e: type(e).__name__,
)
def test_a_connection_error_is_unavailable_with_a_retry_hint(error: Exception) -> None:
    unavailable = as_unavailable(error)
    assert unavailable is not None
    assert unavailable.code == grpc.StatusCode.UNAVAILABLE
    assert unavailable.retry_after_seconds is not None and unavailable.retry_after_seconds > 0


@pytest.mark.parametrize(
    "error",
    [
        RuntimeError("a bug"),
        FileNotFoundError(errno.ENOENT, "no such file"),
        sa.DBAPIError("SELECT 1", {}, Exception("syntax error")),
        pg.UniqueViolationError("duplicate key"),
        InvalidArgument("bad"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_any_other_error_is_not_a_connection_error(error: Exception) -> None:
    assert not is_connection_error(error)


async def test_a_handler_meeting_a_database_shutting_down_answers_unavailable_not_internal() -> None:
    server = await start_scripted(ScriptedDocuments())
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{server.port}") as channel:
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                await pb_grpc.DocumentServiceStub(channel).Parse(
                    pb.ParseRequest(msc="database-shutting-down")
                )
    finally:
        await server.stop(0)
    assert caught.value.code() == grpc.StatusCode.UNAVAILABLE
    assert "shutting down" not in caught.value.details()
    status = status_from_metadata(caught.value.trailing_metadata())
    assert status is not None
    assert any(d.Is(error_details_pb2.RetryInfo.DESCRIPTOR) for d in status.details)
