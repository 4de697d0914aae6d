"""The per-upstream circuit breaker, against a real server that fails."""

from __future__ import annotations

import asyncio

import pytest

from docmesh.document.v1 import document_service_pb2 as pb
from docmesh.document.v1 import document_service_pb2_grpc as pb_grpc
from docmesh_common.breaker import MIN_RETRY_AFTER_SECONDS
from docmesh_common.clients import Upstream
from docmesh_common.errors import Internal, InvalidArgument, Unavailable
from docmesh_common.metrics import BREAKER_STATE
from docmesh_common.settings import ServiceSettings
from tests.common.runtime_fixtures import ScriptedDocuments, start_scripted

FAIL_MAX = 3
RESET_SECONDS = 0.5


@pytest.fixture
async def failing():
    servicer = ScriptedDocuments()
    server = await start_scripted(servicer)
    settings = ServiceSettings(breaker_fail_max=FAIL_MAX, breaker_reset_seconds=RESET_SECONDS)
    client = Upstream("flaky", f"127.0.0.1:{server.port}", pb_grpc.DocumentServiceStub, settings)
    yield servicer, client
    await client.close()
    await server.stop(0)


async def _parse(client: Upstream, text: str) -> pb.ParseResponse:
    return await client.call(client.stub.Parse, pb.ParseRequest(msc=text))


def _state(name: str) -> float:
    return BREAKER_STATE.labels(name)._value.get()


async def test_breaker_opens_after_its_failure_count(failing) -> None:
    _servicer, client = failing
    for _ in range(FAIL_MAX):
        with pytest.raises(Internal):
            await _parse(client, "crash")
    assert client.breaker.state == "open"
    assert _state("flaky") == 2


async def test_open_breaker_fails_at_once_without_calling_the_server(failing) -> None:
    servicer, client = failing
    for _ in range(FAIL_MAX):
        with pytest.raises(Internal):
            await _parse(client, "crash")
    calls = servicer.calls
    with pytest.raises(Unavailable) as caught:
        await _parse(client, "ok")
    assert servicer.calls == calls
    assert caught.value.reason == "CIRCUIT_OPEN"
    # The time left (under RESET_SECONDS here), quoted as the one-second minimum of Retry-After.
    assert caught.value.retry_after_seconds == MIN_RETRY_AFTER_SECONDS


async def test_breaker_half_opens_after_its_timeout_and_closes_on_success(failing) -> None:
    servicer, client = failing
    for _ in range(FAIL_MAX):
        with pytest.raises(Internal):
            await _parse(client, "crash")
    await asyncio.sleep(RESET_SECONDS + 0.1)
    calls = servicer.calls
    reply = await _parse(client, "ok")
    assert servicer.calls == calls + 1
    assert reply.form == "ok"
    assert client.breaker.state == "closed"
    assert _state("flaky") == 0


async def test_half_open_breaker_lets_a_single_probe_through(failing) -> None:
    servicer, client = failing
    for _ in range(FAIL_MAX):
        with pytest.raises(Internal):
            await _parse(client, "crash")
    await asyncio.sleep(RESET_SECONDS + 0.1)
    calls = servicer.calls
    results = await asyncio.gather(
        _parse(client, "sleep:0.2"), *(_parse(client, "ok") for _ in range(5)), return_exceptions=True
    )
    assert servicer.calls == calls + 1
    assert isinstance(results[0], pb.ParseResponse)
    assert all(isinstance(r, Unavailable) for r in results[1:])


async def test_failed_probe_opens_the_breaker_again(failing) -> None:
    _servicer, client = failing
    for _ in range(FAIL_MAX):
        with pytest.raises(Internal):
            await _parse(client, "crash")
    await asyncio.sleep(RESET_SECONDS + 0.1)
    with pytest.raises(Internal):
        await _parse(client, "crash")
    assert client.breaker.state == "open"


async def test_caller_errors_never_trip_the_breaker(failing) -> None:
    _servicer, client = failing
    for _ in range(FAIL_MAX * 3):
        with pytest.raises(InvalidArgument):
            await _parse(client, "invalid")
    assert client.breaker.state == "closed"
    assert (await _parse(client, "ok")).form == "ok"


async def test_a_cancelled_half_open_probe_leaves_the_breaker_half_open_for_the_next_caller(failing) -> None:
    servicer, client = failing
    for _ in range(FAIL_MAX):
        with pytest.raises(Internal):
            await _parse(client, "crash")
    await asyncio.sleep(RESET_SECONDS + 0.1)
    probe = asyncio.create_task(_parse(client, "sleep:5"))
    await asyncio.sleep(0.2)  # the probe reaches the server and is waiting for its answer
    assert servicer.calls == FAIL_MAX + 1
    probe.cancel()
    with pytest.raises(asyncio.CancelledError):
        await probe
    assert client.breaker.state == "half-open"
    assert (await _parse(client, "ok")).form == "ok"
    assert client.breaker.state == "closed"
