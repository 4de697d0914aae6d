"""Session routes through the real gateway to the real session service."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from tests.gateway.conftest import Backends, Gateway, error_of, require


@pytest.fixture(autouse=True)
def _needs_session(backends: Backends) -> None:
    require(backends, "session")


async def create(gateway: Gateway, owner: str = "alice", **fields: Any) -> dict[str, Any]:
    async with gateway.client(owner) as client:
        response = await client.post("/api/v1/sessions", json={"title": "Invoice for Acme", **fields})
    assert response.status_code == 200, response.text
    return response.json()["session"]


async def test_create_returns_the_session_with_proto_field_names_and_zero_values(gateway: Gateway) -> None:
    session = await create(gateway, metadata={"customer": "acme"})
    assert session["title"] == "Invoice for Acme"
    assert session["owner_id"] == "alice"
    assert session["metadata"] == {"customer": "acme"}
    assert session["status"] == "SESSION_STATUS_ACTIVE"
    assert session["token_count"] == 0  # a zero value is present, as a JSON number
    assert "create_time" in session and session["create_time"].endswith("Z")


async def test_get_returns_the_session(gateway: Gateway) -> None:
    session = await create(gateway)
    async with gateway.client() as client:
        response = await client.get(f"/api/v1/sessions/{session['id']}", params={"view": "SESSION_VIEW_FULL"})
    assert response.status_code == 200
    body = response.json()
    assert body["session"]["id"] == session["id"]
    assert body["messages"] == []


async def test_list_filters_and_pages_with_tokens(gateway: Gateway) -> None:
    marker = f"run-{id(gateway)}-list"
    for _ in range(3):
        await create(gateway, metadata={"batch": marker})
    async with gateway.client() as client:
        first = await client.get(
            "/api/v1/sessions", params={"page_size": 2, "metadata_key": "batch", "metadata_value": marker}
        )
        assert first.status_code == 200
        page = first.json()
        assert len(page["sessions"]) == 2 and page["next_page_token"]
        second = await client.get(
            "/api/v1/sessions",
            params={
                "page_size": 2,
                "metadata_key": "batch",
                "metadata_value": marker,
                "page_token": page["next_page_token"],
            },
        )
    rest = second.json()
    assert len(rest["sessions"]) == 1 and rest["next_page_token"] == ""
    ids = {s["id"] for s in page["sessions"] + rest["sessions"]}
    assert len(ids) == 3


async def test_patch_updates_only_the_fields_in_the_body(gateway: Gateway) -> None:
    session = await create(gateway, metadata={"keep": "me"})
    async with gateway.client() as client:
        response = await client.patch(f"/api/v1/sessions/{session['id']}", json={"title": "Renamed"})
    assert response.status_code == 200, response.text
    updated = response.json()["session"]
    assert updated["title"] == "Renamed"
    assert updated["metadata"] == {"keep": "me"}
    assert int(updated["version"]) > int(session["version"])


async def test_soft_delete_then_restore(gateway: Gateway) -> None:
    session = await create(gateway)
    async with gateway.client() as client:
        deleted = await client.delete(f"/api/v1/sessions/{session['id']}")
        assert deleted.status_code == 200
        assert deleted.json()["session"]["delete_time"]
        listed = await client.get("/api/v1/sessions", params={"page_size": 100})
        assert session["id"] not in {s["id"] for s in listed.json()["sessions"]}
        restored = await client.post(f"/api/v1/sessions/{session['id']}:restore", json={})
        assert restored.status_code == 200
        again = await client.get(f"/api/v1/sessions/{session['id']}")
    assert again.status_code == 200
    assert "delete_time" not in again.json()["session"]


async def test_hard_delete_cannot_be_restored(gateway: Gateway) -> None:
    session = await create(gateway)
    async with gateway.client() as client:
        deleted = await client.delete(f"/api/v1/sessions/{session['id']}", params={"hard": "true"})
        assert deleted.status_code == 200
        restored = await client.post(f"/api/v1/sessions/{session['id']}:restore", json={})
    assert restored.status_code == 404


async def test_messages_revisions_and_usage_of_a_new_session_are_empty(gateway: Gateway) -> None:
    session = await create(gateway)
    async with gateway.client() as client:
        messages = await client.get(f"/api/v1/sessions/{session['id']}/messages")
        revisions = await client.get(f"/api/v1/sessions/{session['id']}/revisions")
        usage = await client.get(f"/api/v1/sessions/{session['id']}/usage")
        missing_revision = await client.get(f"/api/v1/sessions/{session['id']}/revisions/1")
    assert messages.status_code == 200 and messages.json() == {"messages": [], "next_page_token": ""}
    assert revisions.status_code == 200 and revisions.json()["revisions"] == []
    assert usage.status_code == 200 and int(usage.json()["totals"]["call_count"]) == 0
    assert missing_revision.status_code == 404


async def test_usage_for_the_caller_over_every_session(gateway: Gateway) -> None:
    async with gateway.client() as client:
        response = await client.get("/api/v1/usage")
    assert response.status_code == 200
    assert set(response.json()) == {"totals", "by_model"}


async def test_complete_and_resume(gateway: Gateway) -> None:
    session = await create(gateway)
    async with gateway.client() as client:
        completed = await client.post(f"/api/v1/sessions/{session['id']}:complete", json={})
        assert completed.json()["session"]["status"] == "SESSION_STATUS_COMPLETED"
        resumed = await client.post(f"/api/v1/sessions/{session['id']}:resume", json={})
    assert resumed.json()["session"]["status"] == "SESSION_STATUS_ACTIVE"


async def test_key_a_cannot_see_or_touch_key_b_sessions(gateway: Gateway) -> None:
    session = await create(gateway, owner="bob")
    async with gateway.client("alice") as alice:
        got = await alice.get(f"/api/v1/sessions/{session['id']}")
        patched = await alice.patch(f"/api/v1/sessions/{session['id']}", json={"title": "mine now"})
        deleted = await alice.delete(f"/api/v1/sessions/{session['id']}")
        listed = await alice.get("/api/v1/sessions", params={"page_size": 100})
    assert got.status_code == patched.status_code == deleted.status_code == 404
    assert session["id"] not in {s["id"] for s in listed.json()["sessions"]}


async def test_a_client_cannot_choose_its_owner_with_a_header(gateway: Gateway) -> None:
    session = await create(gateway, owner="bob")
    async with gateway.client("alice", headers={"x-owner-id": "bob"}) as alice:
        response = await alice.get(f"/api/v1/sessions/{session['id']}")
    assert response.status_code == 404


async def test_a_service_validation_error_is_400_with_the_field_violation(gateway: Gateway) -> None:
    async with gateway.client() as client:
        response = await client.get("/api/v1/sessions", params={"page_size": 1000})
    assert response.status_code == 400
    error = error_of(response)
    assert error["status"] == "INVALID_ARGUMENT"
    violations = [d for d in error["details"] if d["@type"].endswith("google.rpc.BadRequest")]
    assert violations and violations[0]["field_violations"][0]["field"] == "page_size"


async def test_unknown_field_in_the_body_is_400_naming_it(gateway: Gateway) -> None:
    async with gateway.client() as client:
        response = await client.post("/api/v1/sessions", json={"title": "x", "colour": "red"})
    assert response.status_code == 400
    error = error_of(response)
    assert "colour" in error["message"]
    bad = next(d for d in error["details"] if d["@type"].endswith("BadRequest"))
    assert bad["field_violations"][0]["field"] == "session.colour"


async def test_wrong_type_is_400_naming_the_field(gateway: Gateway) -> None:
    async with gateway.client() as client:
        response = await client.post("/api/v1/sessions", json={"title": ["not", "a", "string"]})
    assert response.status_code == 400
    assert "session.title" in error_of(response)["message"]


async def test_malformed_json_is_400(gateway: Gateway) -> None:
    async with gateway.client() as client:
        response = await client.post(
            "/api/v1/sessions", content=b'{"title": ', headers={"content-type": "application/json"}
        )
    assert response.status_code == 400
    assert "malformed JSON" in error_of(response)["message"]


async def test_the_request_id_reaches_the_service_and_comes_back(
    gateway: Gateway, caplog: pytest.LogCaptureFixture
) -> None:
    request_id = "test-req-0123456789"
    with caplog.at_level(logging.INFO, logger="docmesh.server"):
        async with gateway.client(headers={"X-Request-Id": request_id}) as client:
            response = await client.get("/api/v1/sessions", params={"page_size": 1})
    assert response.headers["x-request-id"] == request_id
    served = [
        r
        for r in caplog.records
        if getattr(r, "method", "") == "/docmesh.session.v1.SessionService/ListSessions"
        and getattr(r, "request_id", "") == request_id
    ]
    assert served, "the session service did not log the call under the gateway's request id"


async def test_the_request_id_is_in_error_bodies(gateway: Gateway) -> None:
    async with gateway.client(headers={"X-Request-Id": "trace-me-42"}) as client:
        response = await client.get("/api/v1/sessions/does-not-exist")
    assert response.status_code in (400, 404)
    assert error_of(response)["request_id"] == "trace-me-42"
