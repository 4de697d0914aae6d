"""The edge: keys, owners, rate limits, limits on bodies, CORS, headers, health, metrics, breakers."""

from __future__ import annotations

import asyncio
import json
import logging
import math
import re
from pathlib import Path

import httpx
import pytest
from openapi_spec_validator import validate

from docmesh_gateway import keys as keys_cli
from docmesh_gateway.auth import load_keys_file
from tests.gateway.conftest import Backends, Gateway, StartGateway, error_of, require

# A path that needs a key but never reaches a service (the session id is checked first by it).
PROTECTED = "/api/v1/usage"


async def test_a_request_without_a_key_is_401_with_a_challenge(gateway: Gateway) -> None:
    async with gateway.client(owner=None) as client:
        response = await client.get(PROTECTED)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert error_of(response)["status"] == "UNAUTHENTICATED"


async def test_an_unknown_key_is_401(gateway: Gateway) -> None:
    async with gateway.client(owner=None, headers={"X-API-Key": "dmk_not-a-real-key"}) as client:
        response = await client.get(PROTECTED)
    assert response.status_code == 401


async def test_a_bearer_token_works_like_x_api_key(gateway: Gateway, backends: Backends) -> None:
    require(backends, "session")
    async with gateway.client(
        owner=None, headers={"Authorization": f"Bearer {gateway.keys['bob']}"}
    ) as client:
        response = await client.get(PROTECTED)
    assert response.status_code == 200


async def test_the_dev_key_is_refused_outside_dev_mode(start_gateway: StartGateway) -> None:
    gateway = await start_gateway(dev_mode=False, dev_api_key="dev-secret-key")
    async with gateway.client(owner=None, headers={"X-API-Key": "dev-secret-key"}) as client:
        response = await client.get(PROTECTED)
        page = await client.get("/")
    assert response.status_code == 401
    assert "dev-secret-key" not in page.text


async def test_dev_mode_accepts_the_dev_key_and_the_page_carries_it(
    start_gateway: StartGateway, backends: Backends
) -> None:
    require(backends, "session")
    gateway = await start_gateway(dev_mode=True, dev_api_key="dev-secret-key")
    async with gateway.client(owner=None, headers={"X-API-Key": "dev-secret-key"}) as client:
        response = await client.get(PROTECTED)
        page = await client.get("/")
    assert response.status_code == 200
    assert '"devKey": "dev-secret-key"' in page.text


async def test_dev_mode_without_a_key_generates_and_prints_one(
    start_gateway: StartGateway, capsys: pytest.CaptureFixture[str]
) -> None:
    gateway = await start_gateway(dev_mode=True, dev_api_key="")
    printed = capsys.readouterr().out
    assert gateway.server.dev_key and gateway.server.dev_key in printed


async def test_rate_limit_answers_429_with_retry_after_and_ratelimit_headers(
    start_gateway: StartGateway,
) -> None:
    gateway = await start_gateway(rate_limit_rps=0.5, rate_limit_burst=3)
    async with gateway.client() as client:
        answers = [await client.get("/api/v1/sessions/x/revisions/notanumber") for _ in range(4)]
    assert [a.status_code for a in answers[:3]] == [400, 400, 400]
    limited = answers[3]
    assert limited.status_code == 429
    assert error_of(limited)["status"] == "RESOURCE_EXHAUSTED"
    assert int(limited.headers["retry-after"]) >= 1
    assert limited.headers["ratelimit-limit"] == "3"
    assert limited.headers["ratelimit-remaining"] == "0"
    assert int(limited.headers["ratelimit-reset"]) >= 1


async def test_the_rate_limit_is_per_key(start_gateway: StartGateway) -> None:
    gateway = await start_gateway(rate_limit_rps=0.5, rate_limit_burst=1)
    async with gateway.client("alice") as alice, gateway.client("bob") as bob:
        assert (await alice.get("/api/v1/sessions/x/revisions/nan")).status_code == 400
        assert (await alice.get("/api/v1/sessions/x/revisions/nan")).status_code == 429
        assert (await bob.get("/api/v1/sessions/x/revisions/nan")).status_code == 400


@pytest.mark.redis
async def test_replicas_share_the_bucket_through_redis(
    start_gateway: StartGateway, redis_url: str, redis_prefix: str, tmp_path: Path
) -> None:
    settings = {
        "rate_limit_rps": 0.5,
        "rate_limit_burst": 2,
        "redis_url": redis_url,
        "rate_limit_key_prefix": f"{redis_prefix}:gateway-rl:",
    }
    first = await start_gateway(**settings)
    second = await start_gateway(**settings, api_keys_file=first.server.gateway.settings.api_keys_file)
    key = {"X-API-Key": first.keys["alice"]}
    async with httpx.AsyncClient(headers=key) as client:
        statuses = [
            (await client.get(f"{url}/api/v1/sessions/x/revisions/nan")).status_code
            for url in (first.url, second.url, second.url)
        ]
    assert statuses == [400, 400, 429]


async def test_a_body_over_the_limit_is_413(start_gateway: StartGateway) -> None:
    gateway = await start_gateway(max_body_bytes=1000)
    async with gateway.client() as client:
        response = await client.post("/api/v1/chat", json={"message": "x" * 2000})
    assert response.status_code == 413
    assert error_of(response)["code"] == 413


async def test_a_chunked_body_over_the_limit_is_413(start_gateway: StartGateway) -> None:
    gateway = await start_gateway(max_body_bytes=1000)

    async def chunks():  # no Content-Length: the gateway counts as it reads
        for _ in range(5):
            yield b" " * 400

    async with gateway.client() as client:
        response = await client.post("/api/v1/chat", content=chunks())
    assert response.status_code == 413


async def test_an_unknown_route_is_404_json(gateway: Gateway) -> None:
    async with gateway.client() as client:
        response = await client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert error_of(response)["status"] == "NOT_FOUND"


async def test_a_wrong_method_is_405_with_allow(gateway: Gateway) -> None:
    async with gateway.client() as client:
        response = await client.put("/api/v1/sessions/abc", json={})
    assert response.status_code == 405
    assert response.headers["allow"] == "DELETE, GET, PATCH"
    error_of(response)


async def test_every_response_has_a_request_id_and_security_headers(gateway: Gateway) -> None:
    async with gateway.client() as client:
        for path in ("/", "/healthz", "/api/v1/nothing", "/openapi.json"):
            response = await client.get(path)
            assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])
            assert "default-src 'self'" in response.headers["content-security-policy"]
            assert response.headers["x-content-type-options"] == "nosniff"
            assert response.headers["x-frame-options"] == "DENY"


async def test_a_malformed_request_id_is_replaced(gateway: Gateway) -> None:
    async with gateway.client(headers={"X-Request-Id": "bad id with spaces"}) as client:
        response = await client.get("/healthz")
    assert response.headers["x-request-id"] != "bad id with spaces"


async def test_cors_allows_listed_origins_only(start_gateway: StartGateway) -> None:
    gateway = await start_gateway(cors_origins=["https://app.example.com"])
    async with gateway.client(owner=None) as client:
        allowed = await client.options(
            "/api/v1/chat",
            headers={"Origin": "https://app.example.com", "Access-Control-Request-Method": "POST"},
        )
        denied = await client.options(
            "/api/v1/chat",
            headers={"Origin": "https://evil.example.com", "Access-Control-Request-Method": "POST"},
        )
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "https://app.example.com"
    assert "access-control-allow-origin" not in denied.headers


async def test_large_responses_are_gzipped(gateway: Gateway) -> None:
    async with gateway.client(headers={"Accept-Encoding": "gzip"}) as client:
        response = await client.get("/openapi.json")
    assert response.headers["content-encoding"] == "gzip"
    assert json.loads(response.content)["openapi"].startswith("3.")  # httpx decoded it


async def test_healthz_answers_without_upstreams(start_gateway: StartGateway) -> None:
    gateway = await start_gateway(
        session_target="127.0.0.1:1", agent_target="127.0.0.1:1", document_target="127.0.0.1:1"
    )
    async with gateway.client(owner=None) as client:
        health = await client.get("/healthz")
        ready = await client.get("/readyz")
        legacy = await client.get("/api/health")
    assert health.status_code == 200
    assert ready.status_code == 503
    assert ready.json()["upstreams"]["session"] == "NOT_SERVING"
    assert legacy.status_code == 200 and legacy.json()["status"] == "healthy"


async def test_readyz_is_200_when_every_upstream_serves(gateway: Gateway, backends: Backends) -> None:
    require(backends, "session", "agent", "document")
    async with gateway.client(owner=None) as client:
        response = await client.get("/readyz")
    assert response.status_code == 200
    assert set(response.json()["upstreams"].values()) == {"SERVING"}


async def test_an_unreachable_upstream_is_503_with_retry_after_then_the_breaker_opens(
    start_gateway: StartGateway,
) -> None:
    gateway = await start_gateway(
        session_target="127.0.0.1:1",
        breaker_fail_max=2,
        breaker_first_open_seconds=30,
        breaker_reset_seconds=30,
    )
    async with gateway.client() as client:
        failures = [await client.get("/api/v1/usage") for _ in range(2)]
        started = asyncio.get_running_loop().time()
        opened = await client.get("/api/v1/usage")
        elapsed = asyncio.get_running_loop().time() - started
    assert [f.status_code for f in failures] == [503, 503]
    assert all(int(f.headers["retry-after"]) >= 1 for f in failures)
    assert opened.status_code == 503
    # The time actually left until the breaker lets a probe through, not the configured interval.
    left = gateway.server.gateway.upstreams["session"].breaker.seconds_until_probe()
    # (whole seconds, rounded up, quoted a moment before `left` was read)
    assert math.ceil(left) <= int(opened.headers["retry-after"]) <= math.ceil(left + 0.5)
    reasons = [d.get("reason") for d in error_of(opened)["details"]]
    assert "CIRCUIT_OPEN" in reasons
    assert elapsed < 0.5


async def test_grpc_timeout_header_bounds_the_deadline(
    start_gateway: StartGateway, backends: Backends
) -> None:
    require(backends, "session")
    gateway = await start_gateway()
    async with gateway.client(headers={"Grpc-Timeout": "1n"}) as client:
        response = await client.get("/api/v1/usage")
    assert response.status_code == 504
    assert error_of(response)["status"] == "DEADLINE_EXCEEDED"


async def test_metrics_count_requests_by_route_method_and_status(gateway: Gateway) -> None:
    async with gateway.client() as client:
        await client.put("/api/v1/sessions/abc", json={})
        metrics = await client.get("/metrics")
    assert metrics.status_code == 200
    text = metrics.text
    assert 'docmesh_gateway_http_requests_total{method="PUT",route="method_not_allowed",status="405"}' in text
    assert "docmesh_gateway_http_request_duration_seconds_bucket" in text


async def test_openapi_document_validates_and_covers_every_route(gateway: Gateway) -> None:
    async with gateway.client(owner=None) as client:
        response = await client.get("/openapi.json")
        docs = await client.get("/docs")
    spec = response.json()
    validate(spec)
    operations = {op["operationId"] for path in spec["paths"].values() for op in path.values()}
    expected = {r.operation_id for r in gateway.server.gateway.router.routes}
    assert expected <= operations
    session_schema = spec["components"]["schemas"]["docmesh.session.v1.Session"]
    assert (
        session_schema["properties"]["title"]["description"] == 'A title for lists, e.g. "Invoice for Acme".'
    )
    assert "/api/v1/sessions/{session_id}/{file_name}" in spec["paths"]
    assert docs.status_code == 200 and "/static/docs.js" in docs.text


def test_the_keys_cli_prints_a_key_once_and_stores_only_its_hash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "keys.json"
    assert keys_cli.main(["create", "--owner", "alice", "--file", str(file)]) == 0
    key = capsys.readouterr().out.strip()
    stored = file.read_text()
    assert key and key not in stored
    entries = load_keys_file(file)
    assert [e.owner_id for e in entries] == ["alice"]
    assert entries[0].key_hash.startswith("sha256:")


async def test_a_key_made_by_the_cli_opens_the_api(
    start_gateway: StartGateway, backends: Backends, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    require(backends, "session")
    file = tmp_path / "cli-keys.yaml"
    assert keys_cli.main(["create", "--owner", "carol", "--file", str(file)]) == 0
    key = capsys.readouterr().out.strip()
    gateway = await start_gateway(api_keys_file=str(file))
    async with gateway.client(owner=None, headers={"X-API-Key": key}) as client:
        created = await client.post("/api/v1/sessions", json={"title": "carol's"})
    assert created.status_code == 200
    assert created.json()["session"]["owner_id"] == "carol"


async def test_each_request_is_logged_once_with_its_request_id(
    gateway: Gateway, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="docmesh.gateway.access"):
        async with gateway.client(headers={"X-Request-Id": "log-me-7"}) as client:
            await client.get("/api/v1/nothing-here")
    lines = [r for r in caplog.records if r.name == "docmesh.gateway.access" and r.request_id == "log-me-7"]  # type: ignore[attr-defined]
    assert len(lines) == 1
    assert lines[0].status == 404 and lines[0].path == "/api/v1/nothing-here"  # type: ignore[attr-defined]


async def test_a_revoked_key_stops_working_without_a_restart(
    start_gateway: StartGateway, backends: Backends, capsys: pytest.CaptureFixture[str]
) -> None:
    require(backends, "session")
    gateway = await start_gateway(api_keys_reload_seconds=0)
    file = gateway.server.gateway.settings.api_keys_file
    async with gateway.client("bob") as bob:
        assert (await bob.get(PROTECTED)).status_code == 200
        bob_hash = next(e.key_hash for e in load_keys_file(file) if e.owner_id == "bob")
        assert keys_cli.main(["revoke", "--file", file, "--hash", bob_hash]) == 0
        assert (await bob.get(PROTECTED)).status_code == 401
    async with gateway.client("alice") as alice:
        assert (await alice.get(PROTECTED)).status_code == 200


async def test_a_missing_keys_file_stops_the_start(start_gateway: StartGateway, tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        await start_gateway(api_keys_file=str(tmp_path / "nowhere.json"))
