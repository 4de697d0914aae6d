"""E-invoices over REST: document.ubl.xml, document.cii.xml and the Factur-X document.pdf of a
session, and what is missing as a 400 whose details list every business term
(REST → gateway → agent → session and document services)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import facturx
import httpx
import pytest
from lxml import etree

from tests.document.einvoice_validators import CII_SCHEMATRON, schematron_report
from tests.gateway.conftest import Backends, Gateway, StartGateway, error_of, require

SELLER = {
    "name": "Nordlicht Design GmbH",
    "address_lines": ["Hauptstr. 1"],
    "postal_code": "10115",
    "city": "Berlin",
    "country_code": "DE",
    "vat_id": "DE123456789",
    "endpoint_id": "DE123456789",
    "endpoint_scheme": "9930",
}
BUYER = {
    "name": "Acme SARL",
    "address_lines": ["1 rue de Rivoli"],
    "postal_code": "75001",
    "city": "Paris",
    "country_code": "FR",
    "vat_id": "FR12345678901",
}
REQUEST = "Invoice Acme SARL for 10 hours of consulting at 100 EUR, 19% VAT, due in 30 days"


@pytest.fixture(autouse=True)
def _needs_the_mesh(backends: Backends) -> None:
    require(backends, "session", "agent", "document")


@pytest.fixture
async def erika(start_gateway: StartGateway) -> AsyncIterator[httpx.AsyncClient]:
    """A client of a new owner with a complete seller profile and the buyer as a customer."""
    owner = f"erika-{uuid.uuid4().hex[:8]}"
    gateway = await start_gateway(owners=(owner,))
    async with gateway.client(owner) as client:
        response = await client.patch("/api/v1/profile", json={"seller": SELLER})
        assert response.status_code == 200, response.text
        response = await client.post("/api/v1/customers", json={"party": BUYER})
        assert response.status_code == 200, response.text
        yield client


async def _drafted(client: httpx.AsyncClient) -> str:
    response = await client.post("/api/v1/chat", json={"message": REQUEST})
    assert response.status_code == 200, response.text
    return str(response.json()["session_id"])


async def _finalized(client: httpx.AsyncClient) -> str:
    session_id = await _drafted(client)
    response = await client.post(f"/api/v1/sessions/{session_id}:complete", json={})
    assert response.status_code == 200, response.text
    return session_id


async def test_a_finalized_invoice_downloads_as_ubl(erika: httpx.AsyncClient) -> None:
    session_id = await _finalized(erika)
    response = await erika.get(f"/api/v1/sessions/{session_id}/document.ubl.xml")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/xml")
    disposition = response.headers["content-disposition"]
    assert "invoice-INV-" in disposition and ".ubl.xml" in disposition
    root = etree.fromstring(response.content)
    assert etree.QName(root).localname == "Invoice"


async def test_a_finalized_invoice_downloads_as_cii_that_passes_the_schematron(
    erika: httpx.AsyncClient,
) -> None:
    session_id = await _finalized(erika)
    response = await erika.get(f"/api/v1/sessions/{session_id}/document.cii.xml")
    assert response.status_code == 200, response.text
    fired, fatal = schematron_report(response.content, CII_SCHEMATRON)
    assert fired > 0 and fatal == []


async def test_the_finalized_invoice_s_pdf_is_factur_x(erika: httpx.AsyncClient) -> None:
    session_id = await _finalized(erika)
    response = await erika.get(f"/api/v1/sessions/{session_id}/document.pdf")
    assert response.status_code == 200
    name, xml = facturx.get_xml_from_pdf(response.content, check_xsd=True)
    assert name == "factur-x.xml" and b"Acme SARL" in xml


async def test_a_draft_lacks_its_number_and_the_error_body_lists_the_term(erika: httpx.AsyncClient) -> None:
    session_id = await _drafted(erika)
    response = await erika.get(f"/api/v1/sessions/{session_id}/document.ubl.xml")
    assert response.status_code == 400
    error = error_of(response)
    assert error["status"] == "FAILED_PRECONDITION" and "BT-1 Invoice number" in error["message"]
    (failure,) = [d for d in error["details"] if d["@type"].endswith("google.rpc.PreconditionFailure")]
    assert {"type": "EN16931", "subject": "BT-1", "description": "Invoice number"} in failure["violations"]


async def test_peppol_lists_the_buyer_s_electronic_address_and_reference(erika: httpx.AsyncClient) -> None:
    session_id = await _finalized(erika)
    response = await erika.get(
        f"/api/v1/sessions/{session_id}/document.ubl.xml", params={"profile": "peppol"}
    )
    error = error_of(response)
    (failure,) = [d for d in error["details"] if d["@type"].endswith("google.rpc.PreconditionFailure")]
    assert [v["subject"] for v in failure["violations"]] == ["BT-10", "BT-49"]


async def test_an_unknown_profile_names_the_parameter(erika: httpx.AsyncClient) -> None:
    session_id = await _finalized(erika)
    response = await erika.get(f"/api/v1/sessions/{session_id}/document.cii.xml", params={"profile": "x"})
    error = error_of(response)
    assert response.status_code == 400 and error["status"] == "INVALID_ARGUMENT"
    violations: list[dict[str, Any]] = [v for d in error["details"] for v in d.get("field_violations", [])]
    assert [v["field"] for v in violations] == ["profile"]


async def test_a_quote_is_not_an_e_invoice(gateway: Gateway) -> None:
    async with gateway.client() as client:
        response = await client.post("/api/v1/chat", json={"message": "Quote for Globex: 3 x Widget @ 12.50"})
        session_id = response.json()["session_id"]
        response = await client.get(f"/api/v1/sessions/{session_id}/document.ubl.xml")
    error = error_of(response)
    assert response.status_code == 400 and error["message"].startswith("quotes are not e-invoices")
