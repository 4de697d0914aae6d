"""POST /api/v1/documents:import through the real gateway, agent, session and document services:
the file is the raw body, a session with the document as revision 1 comes back, and a bad or
hostile file is a 4xx JSON error naming `body` with no session written."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from docmesh_document.einvoice.cii import to_cii
from docmesh_document.einvoice.read_xml import MAX_EINVOICE_BYTES
from docmesh_document.einvoice.ubl import to_ubl
from tests.document.einvoice_cases import CASES
from tests.document.einvoice_inputs import HOSTILE, business_content, facturx_pdf, plain_pdf
from tests.gateway.conftest import Backends, Gateway, error_of, require

ROUTE = "/api/v1/documents:import"
INVOICE = CASES[0]  # INV-2026-0001 from Acme GmbH, EUR


@pytest.fixture(autouse=True)
def _mesh(backends: Backends) -> None:
    require(backends, "session", "agent", "document")


async def _post(
    client: httpx.AsyncClient, content: bytes, content_type: str, **headers: str
) -> httpx.Response:
    return await client.post(ROUTE, content=content, headers={"Content-Type": content_type, **headers})


async def _session_count(client: httpx.AsyncClient) -> int:
    listed = await client.get("/api/v1/sessions", params={"page_size": 100, "show_deleted": "true"})
    assert listed.status_code == 200, listed.text
    return len(listed.json()["sessions"])


def _violations(response: httpx.Response) -> list[str]:
    error = error_of(response)
    return [v["field"] for d in error["details"] if "field_violations" in d for v in d["field_violations"]]


@pytest.mark.parametrize(
    ("content", "content_type", "syntax"),
    [
        (to_ubl(INVOICE), "application/xml", "ubl"),
        (to_cii(INVOICE), "text/xml", "cii"),
        (facturx_pdf(to_cii(INVOICE)), "application/pdf", "factur-x"),
    ],
    ids=["ubl", "cii", "factur-x"],
)
async def test_an_imported_file_comes_back_as_a_session_with_revision_1(
    gateway: Gateway, content: bytes, content_type: str, syntax: str
) -> None:
    async with gateway.client() as client:
        response = await _post(client, content, content_type)
        assert response.status_code == 200, response.text
        body = response.json()
        revision = await client.get(f"/api/v1/sessions/{body['session']['id']}/revisions/1")
    assert body["syntax"] == syntax
    assert body["session"]["title"] == "Invoice INV-2026-0001 from Acme GmbH"
    assert body["invoice"]["number"] == "INV-2026-0001"
    assert revision.status_code == 200
    assert revision.json()["revision"]["invoice"]["seller"]["name"] == "Acme GmbH"


async def test_the_idempotency_key_header_makes_a_retry_return_the_same_session(gateway: Gateway) -> None:
    async with gateway.client() as client:
        first = await _post(
            client, to_ubl(INVOICE), "application/xml", **{"Idempotency-Key": "rest-import-1"}
        )
        before = await _session_count(client)
        again = await _post(
            client, to_ubl(INVOICE), "application/xml", **{"Idempotency-Key": "rest-import-1"}
        )
        after = await _session_count(client)
    assert first.status_code == again.status_code == 200
    assert again.json()["session"]["id"] == first.json()["session"]["id"]
    assert after == before


async def test_an_imported_invoice_is_edited_by_chat_and_exported(gateway: Gateway) -> None:
    async with gateway.client() as client:
        imported = (await _post(client, to_ubl(INVOICE), "application/xml")).json()
        session_id = imported["session"]["id"]
        edited = await client.post(
            "/api/v1/chat", json={"session_id": session_id, "message": "add a 5% discount"}
        )
        exported = await client.get(f"/api/v1/sessions/{session_id}/document.xlsx")
    assert edited.status_code == 200, edited.text
    assert edited.json()["revision_number"] == 2
    assert [d["percent"] for d in edited.json()["invoice"]["discounts"]] == ["5"]
    assert exported.status_code == 200
    assert exported.content.startswith(b"PK")


async def test_the_imported_ubl_downloads_again_with_the_same_business_content(gateway: Gateway) -> None:
    async with gateway.client() as client:
        imported = (await _post(client, to_ubl(INVOICE), "application/xml")).json()
        downloaded = await client.get(f"/api/v1/sessions/{imported['session']['id']}/document.ubl.xml")
    assert downloaded.status_code == 200, downloaded.text
    assert business_content(downloaded.content) == business_content(to_ubl(INVOICE))


async def test_a_file_over_1_mb_and_under_10_mb_is_accepted(gateway: Gateway) -> None:
    padded = to_ubl(INVOICE) + b" " * (2 * 1024 * 1024)  # whitespace after the root is still XML
    async with gateway.client() as client:
        response = await _post(client, padded, "application/xml")
    assert response.status_code == 200, response.text[:500]


BAD: dict[str, tuple[bytes, str]] = {
    **HOSTILE,
    "pdf-without-xml": (plain_pdf(), "application/pdf"),
    "empty": (b"", "application/xml"),
}


@pytest.mark.parametrize("name", sorted(BAD))
async def test_a_bad_or_hostile_file_is_400_naming_the_body_and_writes_nothing(
    gateway: Gateway, name: str
) -> None:
    content, content_type = BAD[name]
    async with gateway.client() as client:
        before = await _session_count(client)
        response = await _post(client, content, content_type)
        after = await _session_count(client)
    assert response.status_code == 400, response.text
    assert error_of(response)["status"] == "INVALID_ARGUMENT"
    assert _violations(response) == ["body"]
    assert after == before


async def test_a_body_over_10_mb_is_413_and_writes_nothing(gateway: Gateway) -> None:
    oversized = to_ubl(INVOICE) + b" " * MAX_EINVOICE_BYTES
    async with gateway.client() as client:
        before = await _session_count(client)
        response = await _post(client, oversized, "application/xml")
        after = await _session_count(client)
    assert response.status_code == 413
    assert error_of(response)["status"] == "INVALID_ARGUMENT"
    assert after == before


async def test_totals_that_do_not_add_up_are_400_saying_so(gateway: Gateway) -> None:
    content = to_ubl(INVOICE).replace(b'PayableAmount currencyID="EUR">', b'PayableAmount currencyID="EUR">1')
    async with gateway.client() as client:
        response = await _post(client, content, "application/xml")
    assert response.status_code == 400
    assert "totals do not add up" in error_of(response)["message"]


async def test_an_import_without_a_key_is_401(gateway: Gateway) -> None:
    async with gateway.client(owner=None) as client:
        response: Any = await _post(client, to_ubl(INVOICE), "application/xml")
    assert response.status_code == 401
