"""Finalizing a document (`:complete`, `:finalize`), its PDF, and finding it again, through the real mesh."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from tests.document.pdf_reader import pdf_text
from tests.gateway.conftest import Backends, Gateway, error_of, require

NUMBER = re.compile(r"^INV-\d{4}-\d{4}$")


@pytest.fixture(autouse=True)
def _needs_the_mesh(backends: Backends) -> None:
    require(backends, "session", "agent", "document")


async def draft(client: httpx.AsyncClient, message: str = "Invoice Acme for 3 hours of design at $90") -> str:
    response = await client.post("/api/v1/chat", json={"message": message})
    assert response.status_code == 200, response.text
    return str(response.json()["session_id"])


async def finalize(client: httpx.AsyncClient, session_id: str, verb: str = "complete") -> dict[str, Any]:
    response = await client.post(f"/api/v1/sessions/{session_id}:{verb}", json={})
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_complete_numbers_the_document_and_saves_the_numbered_revision(gateway: Gateway) -> None:
    async with gateway.client() as client:
        finalized = await finalize(client, await draft(client))
    session, revision = finalized["session"], finalized["revision"]
    assert NUMBER.match(session["document_number"]), session
    assert session["stage"] == "SESSION_STAGE_FINALIZED"
    assert revision["invoice"]["number"] == session["document_number"]


async def test_finalize_is_the_same_operation_as_complete(gateway: Gateway) -> None:
    async with gateway.client() as client:
        finalized = await finalize(client, await draft(client), verb="finalize")
    assert NUMBER.match(finalized["session"]["document_number"])


async def test_consecutive_finalizations_get_consecutive_numbers(gateway: Gateway) -> None:
    async with gateway.client() as client:
        first = await finalize(client, await draft(client))
        second = await finalize(client, await draft(client))
    a, b = (int(f["session"]["document_number"].rsplit("-", 1)[1]) for f in (first, second))
    assert b == a + 1


async def test_the_pdf_download_carries_the_number(gateway: Gateway) -> None:
    async with gateway.client() as client:
        session_id = await draft(client)
        number = (await finalize(client, session_id))["session"]["document_number"]
        response = await client.get(f"/api/v1/sessions/{session_id}/document.pdf")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert number in response.headers["content-disposition"]
    assert response.content.startswith(b"%PDF")
    assert number in pdf_text(response.content)


async def test_a_draft_pdf_says_draft(gateway: Gateway) -> None:
    async with gateway.client() as client:
        session_id = await draft(client)
        response = await client.get(f"/api/v1/sessions/{session_id}/document.pdf")
    assert response.status_code == 200, response.text
    assert "DRAFT" in pdf_text(response.content)


async def test_a_finalized_document_is_found_by_its_number_and_stage(gateway: Gateway) -> None:
    async with gateway.client() as client:
        session_id = await draft(client)
        number = (await finalize(client, session_id))["session"]["document_number"]
        by_number = await client.get("/api/v1/sessions", params={"query": number})
        finalized = await client.get(
            "/api/v1/sessions",
            params={
                "query": number,
                "stage": "SESSION_STAGE_FINALIZED",
                "document_kind": "DOCUMENT_KIND_INVOICE",
            },
        )
        drafts = await client.get(
            "/api/v1/sessions", params={"query": number, "stage": "SESSION_STAGE_DRAFTED"}
        )
    assert [s["id"] for s in by_number.json()["sessions"]] == [session_id]
    assert [s["id"] for s in finalized.json()["sessions"]] == [session_id]
    assert drafts.json()["sessions"] == []


async def test_finalizing_another_owners_document_is_404(gateway: Gateway) -> None:
    async with gateway.client() as alice:
        session_id = await draft(alice)
    async with gateway.client("bob") as bob:
        response = await bob.post(f"/api/v1/sessions/{session_id}:complete", json={})
    assert response.status_code == 404
    assert error_of(response)["status"] == "NOT_FOUND"


async def test_finalizing_with_an_unknown_body_field_is_400_naming_it(gateway: Gateway) -> None:
    async with gateway.client() as client:
        response = await client.post("/api/v1/sessions/some-id:complete", json={"numbr": "1"})
    assert response.status_code == 400
    assert "numbr" in error_of(response)["message"]
