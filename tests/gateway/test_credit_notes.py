"""Credit notes through the REST gateway and the real mesh: asked for in chat, printed with the
invoice they correct (BG-3) on the sheet and the PDF in each document language, numbered in
their own series."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest
from lxml import etree

from docmesh_common.model.invoice import DocumentKind
from docmesh_document.labels import labels
from tests.document.pdf_reader import pdf_text
from tests.gateway.conftest import Backends, Gateway, StartGateway, require


@pytest.fixture(autouse=True)
def _needs_the_mesh(backends: Backends) -> None:
    require(backends, "session", "agent", "document")


UBL_NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
INVOICES = {
    "en": "Invoice Acme for 3 hours of design at $90",
    "es": "Factura a Acme por 3 horas de diseño a 90 €",
    "de": "Rechnung an Acme für 3 Stunden Design zu 90 €",
    "fr": "Facture à Acme pour 3 heures de design à 90 €",
}
ASKS = {
    "en": "credit note for {number}",
    "es": "factura rectificativa de {number}",
    "de": "Gutschrift zu {number}",
    "fr": "avoir sur {number}",
}


async def chat(client: httpx.AsyncClient, message: str, session_id: str = "") -> dict:
    body = {"message": message} | ({"session_id": session_id} if session_id else {})
    response = await client.post("/api/v1/chat", json=body)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def finalized_number(client: httpx.AsyncClient, message: str) -> tuple[str, str]:
    """The number and issue date of a finalized invoice made from `message`."""
    session_id = (await chat(client, message))["session_id"]
    response = await client.post(f"/api/v1/sessions/{session_id}:complete", json={})
    assert response.status_code == 200, response.text
    invoice = response.json()["revision"]["invoice"]
    return invoice["number"], invoice["issue_date"]


@pytest.mark.parametrize("language", sorted(INVOICES))
async def test_the_pdf_and_the_sheet_print_the_credit_note_title_and_the_invoice_it_corrects(
    gateway: Gateway, language: str
) -> None:
    words = labels(language)
    async with gateway.client() as client:
        number, issued = await finalized_number(client, INVOICES[language])
        credit = await chat(client, ASKS[language].format(number=number))
        session_id = credit["session_id"]
        pdf = await client.get(f"/api/v1/sessions/{session_id}/document.pdf")
        html = await client.get(f"/api/v1/sessions/{session_id}/document.html")

    assert credit["invoice"]["kind"] == "DOCUMENT_KIND_CREDIT_NOTE"
    assert credit["invoice"]["language"] == language
    text = " ".join(pdf_text(pdf.content).split())
    assert words.titles[DocumentKind.CREDIT_NOTE] in text
    # The PDF's facts are columns: each label above its value.
    assert words.corrects in text and f"{number} (" in text, text
    sheet = html.text
    assert words.corrects in sheet and f"{number} ({issued})" in sheet


async def test_finalizing_a_credit_note_over_rest_numbers_it_in_the_cn_series(gateway: Gateway) -> None:
    async with gateway.client() as client:
        number, _ = await finalized_number(client, INVOICES["en"])
        credit = await chat(client, f"credit note for {number}")
        response = await client.post(f"/api/v1/sessions/{credit['session_id']}:complete", json={})

    assert response.status_code == 200, response.text
    finalized = response.json()
    assert re.fullmatch(r"CN-\d{4}-\d{4}", finalized["session"]["document_number"])
    assert finalized["revision"]["invoice"]["preceding_invoice"]["number"] == number


async def test_an_unknown_invoice_number_gets_a_question_and_no_document(gateway: Gateway) -> None:
    async with gateway.client() as client:
        answer = await chat(client, "credit note for INV-1999-0042")

    assert answer["revision_number"] == 0
    assert "INV-1999-0042" in answer["reply"] and answer["reply"].endswith("?")


SELLER = {
    "name": "Nordlicht Design GmbH",
    "address_lines": ["Hauptstr. 1"],
    "postal_code": "10115",
    "city": "Berlin",
    "country_code": "DE",
    "vat_id": "DE123456789",
}


async def test_a_credit_note_made_in_chat_downloads_as_a_ubl_credit_note_naming_the_invoice(
    start_gateway: StartGateway,
) -> None:
    owner = f"cn-{uuid.uuid4().hex[:8]}"
    gateway = await start_gateway(owners=(owner,))
    async with gateway.client(owner) as client:
        assert (await client.patch("/api/v1/profile", json={"seller": SELLER})).status_code == 200
        draft = await chat(
            client, "Invoice Acme Corp for 10 hours of consulting at 100 EUR, 19% VAT, due in 30 days"
        )
        await chat(client, "address: 12 Elm Rd, 10115 Berlin, Germany", draft["session_id"])
        finalized = await client.post(f"/api/v1/sessions/{draft['session_id']}:complete", json={})
        number = finalized.json()["session"]["document_number"]
        credit = await chat(client, f"refund 2 hours from {number}")
        numbered = await client.post(f"/api/v1/sessions/{credit['session_id']}:complete", json={})
        ubl = await client.get(f"/api/v1/sessions/{credit['session_id']}/document.ubl.xml")

    assert numbered.status_code == 200, numbered.text
    assert ubl.status_code == 200, ubl.text
    root = etree.fromstring(ubl.content)
    assert etree.QName(root).localname == "CreditNote"
    ids = root.xpath("//cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID/text()", namespaces=UBL_NS)
    assert ids == [number]
    assert root.xpath("//cbc:PayableAmount/text()", namespaces=UBL_NS) == ["238.00"]  # 2 x 100 + 19 %
