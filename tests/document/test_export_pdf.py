"""Export as EXPORT_FORMAT_PDF over real gRPC: the invoice laid out anew, read back by poppler."""

from __future__ import annotations

from typing import Any

import grpc
import pytest

from docmesh.document.v1 import document_service_pb2 as pb
from docmesh.document.v1 import document_service_pb2_grpc
from docmesh_common.errors import error_from_rpc
from docmesh_common.model.invoice import to_proto
from docmesh_common.model.totals import compute_totals
from tests.document.invoice_shapes import invoice
from tests.document.pdf_reader import fonts, pdf_text

Stub = document_service_pb2_grpc.DocumentServiceStub

SVG_LOGO = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="200" height="80">'
    b'<text x="5" y="50" font-size="30">GLOBAL LOGO</text></svg>'
)


async def _violations(call: Any) -> dict[str, str]:
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await call
    assert info.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    return error_from_rpc(info.value).violations


def _request(**changes: Any) -> pb.ExportRequest:
    fields: dict[str, Any] = {"format": pb.EXPORT_FORMAT_PDF, "invoice": to_proto(invoice())}
    fields.update(changes)
    return pb.ExportRequest(**fields)


async def test_a_pdf_export_is_the_invoice_laid_out_with_its_number_and_total(document_stub: Stub) -> None:
    response = await document_stub.Export(_request(base_name="invoice-INV-2026-0042-Globex"))
    assert response.content_type == "application/pdf"
    assert response.file_name == "invoice-INV-2026-0042-Globex.pdf"
    text = pdf_text(response.content)
    total = compute_totals(invoice()).total
    assert "INV-2026-0042" in text and f"{total:,.2f}" in text


async def test_a_pdf_export_needs_no_sheet(document_stub: Stub) -> None:
    response = await document_stub.Export(_request())
    assert response.content.startswith(b"%PDF-") and response.file_name == "document.pdf"


async def test_a_pdf_export_without_an_invoice_names_the_field(document_stub: Stub) -> None:
    violations = await _violations(document_stub.Export(pb.ExportRequest(format=pb.EXPORT_FORMAT_PDF)))
    assert "invoice" in violations


async def test_a_pdf_export_of_a_bad_invoice_names_the_bad_field(document_stub: Stub) -> None:
    bad = to_proto(invoice())
    bad.seller.country_code = "XX"
    violations = await _violations(document_stub.Export(_request(invoice=bad)))
    assert "invoice.seller.country_code" in violations


async def test_the_request_language_chooses_the_printed_words(document_stub: Stub) -> None:
    response = await document_stub.Export(_request(language="de"))
    assert "Rechnung" in pdf_text(response.content)


async def test_without_a_request_language_the_invoice_s_own_is_used(document_stub: Stub) -> None:
    response = await document_stub.Export(_request(invoice=to_proto(invoice(language="fr"))))
    assert "Facture" in pdf_text(response.content)


async def test_an_unknown_language_names_the_field(document_stub: Stub) -> None:
    violations = await _violations(document_stub.Export(_request(language="tlh")))
    assert "language" in violations


async def test_the_letterhead_s_svg_logo_bank_details_and_footer_are_printed(document_stub: Stub) -> None:
    letterhead = pb.Letterhead(
        logo=SVG_LOGO,
        logo_content_type="image/svg+xml",
        iban="GB33BUKB20201555555555",
        bic="BUKBGB22",
        footer="Registered in England 123456",
    )
    response = await document_stub.Export(_request(letterhead=letterhead))
    text = pdf_text(response.content)
    assert "GLOBAL LOGO" in text and "BUKBGB22" in text and "Registered in England 123456" in text
    assert all(embedded for _, embedded in fonts(response.content))


async def test_a_logo_that_cannot_be_drawn_is_left_out_not_a_failed_export(document_stub: Stub) -> None:
    letterhead = pb.Letterhead(logo=b"<svg not closed", logo_content_type="image/svg+xml")
    response = await document_stub.Export(_request(letterhead=letterhead))
    assert "INV-2026-0042" in pdf_text(response.content)


async def test_a_pdf_export_rejects_an_unsafe_base_name(document_stub: Stub) -> None:
    violations = await _violations(document_stub.Export(_request(base_name="../x")))
    assert "base_name" in violations
