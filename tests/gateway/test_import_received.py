"""A received (imported) document through the REST gateway and the real mesh: `:complete` (and
`:finalize`) is a 400 FAILED_PRECONDITION JSON error naming its seller and changes nothing;
"finalize it" in chat answers so."""

from __future__ import annotations

import pytest

from docmesh_document.einvoice.ubl import to_ubl
from tests.document.einvoice_cases import CASES
from tests.gateway.conftest import Backends, Gateway, error_of, require

INVOICE = CASES[0]  # INV-2026-0001 from Acme GmbH, EUR
REFUSED = "this invoice was received from Acme GmbH; only documents you issue are numbered"


@pytest.fixture(autouse=True)
def _mesh(backends: Backends) -> None:
    require(backends, "session", "agent", "document")


@pytest.mark.parametrize("verb", ["complete", "finalize"])
async def test_completing_a_received_invoice_is_400_naming_its_seller_and_changes_nothing(
    gateway: Gateway, verb: str
) -> None:
    async with gateway.client() as client:
        imported = await client.post(
            "/api/v1/documents:import", content=to_ubl(INVOICE), headers={"Content-Type": "application/xml"}
        )
        session_id = imported.json()["session"]["id"]
        refused = await client.post(f"/api/v1/sessions/{session_id}:{verb}", json={})
        after = await client.get(f"/api/v1/sessions/{session_id}")

    assert refused.status_code == 400
    error = error_of(refused)
    assert error["status"] == "FAILED_PRECONDITION"
    assert error["message"] == REFUSED
    session = after.json()["session"]
    assert session.get("document_number", "") == ""
    assert session["status"] == "SESSION_STATUS_ACTIVE"
    assert session["latest_revision_number"] == 1


async def test_finalize_it_in_chat_on_a_received_invoice_answers_that_it_is_received(
    gateway: Gateway,
) -> None:
    async with gateway.client() as client:
        imported = await client.post(
            "/api/v1/documents:import", content=to_ubl(INVOICE), headers={"Content-Type": "application/xml"}
        )
        session_id = imported.json()["session"]["id"]
        answer = await client.post("/api/v1/chat", json={"session_id": session_id, "message": "finalize it"})

    assert answer.status_code == 200, answer.text
    assert answer.json()["reply"] == REFUSED[:1].upper() + REFUSED[1:] + "."
