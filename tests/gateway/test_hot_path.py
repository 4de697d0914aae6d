"""The REST hop made cheaper keeps what operators and owners rely on: the request id end to end,
a metric for every request, the access line for failed and sampled requests, the owner check,
and API keys that stop working when revoked even after they were verified and remembered."""

from __future__ import annotations

import logging
import uuid
from pathlib import Path

import pytest
from prometheus_client import REGISTRY

from docmesh_common.logging import AccessLogPolicy
from docmesh_gateway.auth import ApiKey, KeyStore, generate_key, hash_key, save_keys_file
from tests.gateway.conftest import Backends, StartGateway, error_of, require

SESSIONS = "/api/v1/sessions"
SESSION = "/api/v1/sessions/{session_id}"


def requests_counted(route: str, method: str, status: int) -> float:
    value = REGISTRY.get_sample_value(
        "docmesh_gateway_http_requests_total", {"route": route, "method": method, "status": str(status)}
    )
    return value or 0.0


async def test_the_request_id_reaches_the_session_service_and_comes_back_when_no_line_is_sampled(
    start_gateway: StartGateway, backends: Backends, caplog: pytest.LogCaptureFixture
) -> None:
    require(backends, "session")
    gateway = await start_gateway(access_log_sample_rate=0.0)
    with caplog.at_level(logging.INFO):
        async with gateway.client(headers={"X-Request-Id": "hot-gw-1"}) as client:
            response = await client.get(f"{SESSIONS}/{uuid.uuid4()}")
    assert response.status_code == 404
    assert response.headers["x-request-id"] == "hot-gw-1"
    assert error_of(response)["request_id"] == "hot-gw-1"
    # The session service logs its failed call under the id the gateway forwarded.
    served = [r for r in caplog.records if r.getMessage() == "rpc" and r.request_id == "hot-gw-1"]  # type: ignore[attr-defined]
    assert [r.code for r in served] == ["NOT_FOUND"]  # type: ignore[attr-defined]


async def test_a_successful_request_keeps_its_request_id_when_no_line_is_sampled(
    start_gateway: StartGateway, backends: Backends
) -> None:
    require(backends, "session")
    gateway = await start_gateway(access_log_sample_rate=0.0)
    async with gateway.client(headers={"X-Request-Id": "hot-gw-2"}) as client:
        response = await client.post(SESSIONS, json={"title": "ids"})
    assert response.status_code == 200
    assert response.headers["x-request-id"] == "hot-gw-2"


async def test_every_request_is_counted_when_its_access_line_is_not_sampled(
    start_gateway: StartGateway, backends: Backends, caplog: pytest.LogCaptureFixture
) -> None:
    require(backends, "session")
    gateway = await start_gateway(access_log_sample_rate=0.0)
    before = requests_counted(SESSIONS, "POST", 200)
    with caplog.at_level(logging.INFO, logger="docmesh.gateway.access"):
        async with gateway.client() as client:
            for _ in range(3):
                assert (await client.post(SESSIONS, json={"title": "counted"})).status_code == 200
    assert requests_counted(SESSIONS, "POST", 200) - before == 3
    assert not [r for r in caplog.records if r.name == "docmesh.gateway.access"]


async def test_a_sampled_request_is_logged_by_the_gateway_with_the_clients_request_id(
    start_gateway: StartGateway, backends: Backends, caplog: pytest.LogCaptureFixture
) -> None:
    require(backends, "session")
    gateway = await start_gateway(access_log_sample_rate=1.0)
    with caplog.at_level(logging.INFO):
        async with gateway.client(headers={"X-Request-Id": "hot-gw-3"}) as client:
            assert (await client.post(SESSIONS, json={"title": "logged"})).status_code == 200
    lines = [r for r in caplog.records if r.request_id == "hot-gw-3"]  # type: ignore[attr-defined]
    assert [r.status for r in lines if r.name == "docmesh.gateway.access"] == [200]  # type: ignore[attr-defined]


def test_every_hop_samples_the_same_requests() -> None:
    gateway, service = AccessLogPolicy(sample_rate=0.1), AccessLogPolicy(sample_rate=0.1)
    ids = [uuid.uuid4().hex for _ in range(5000)]
    picked = [i for i in ids if gateway.wants(i, failed=False, seconds=0.001)]
    assert picked == [i for i in ids if service.wants(i, failed=False, seconds=0.001)]
    assert 350 <= len(picked) <= 650  # about a tenth


def test_failed_and_slow_requests_are_always_logged() -> None:
    policy = AccessLogPolicy(sample_rate=0.0, slow_seconds=1.0)
    assert policy.wants("any", failed=True, seconds=0.001)
    assert policy.wants("any", failed=False, seconds=1.5)
    assert not policy.wants("any", failed=False, seconds=0.001)


async def test_another_owners_session_is_not_found_through_the_gateway(
    start_gateway: StartGateway, backends: Backends
) -> None:
    require(backends, "session")
    gateway = await start_gateway()
    async with gateway.client("alice") as alice, gateway.client("bob") as bob:
        created = (await alice.post(SESSIONS, json={"title": "alice's"})).json()["session"]
        assert (await alice.get(f"{SESSIONS}/{created['id']}")).status_code == 200
        refused = await bob.get(f"{SESSIONS}/{created['id']}")
    assert refused.status_code == 404
    assert error_of(refused)["status"] == "NOT_FOUND"


def test_a_remembered_key_stops_working_when_the_keys_file_revokes_it(tmp_path: Path) -> None:
    file = tmp_path / "keys.json"
    kept, revoked = generate_key(), generate_key()
    save_keys_file(file, [ApiKey(hash_key(kept), "alice"), ApiKey(hash_key(revoked), "bob")])
    store = KeyStore.from_file(str(file), check_seconds=0)
    assert store.authenticate(revoked) == ("bob", hash_key(revoked))
    assert store.authenticate(revoked) == ("bob", hash_key(revoked))  # now from the verified keys
    save_keys_file(file, [ApiKey(hash_key(kept), "alice"), ApiKey(hash_key(generate_key()), "carol")])
    store.refresh()
    assert store.authenticate(revoked) is None
    assert store.authenticate(kept) == ("alice", hash_key(kept))


def test_wrong_keys_are_not_remembered(tmp_path: Path) -> None:
    store = KeyStore([ApiKey(hash_key(generate_key()), "alice")])
    for _ in range(3):
        assert store.authenticate("dmk_wrong-key") is None
    assert len(store._verified) == 0


async def test_a_client_without_gzip_skips_compression_and_is_told_the_response_varies(
    start_gateway: StartGateway,
) -> None:
    gateway = await start_gateway()
    async with gateway.client(owner=None, headers={"Accept-Encoding": "identity"}) as client:
        response = await client.get("/openapi.json")  # large enough to be compressed for gzip
    assert response.status_code == 200
    assert "content-encoding" not in response.headers
    assert response.headers["vary"] == "Accept-Encoding"
