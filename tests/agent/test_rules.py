"""Small rules of the chat turn that need no server."""

from __future__ import annotations

import pytest

from docmesh.type.v1 import invoice_pb2
from docmesh_agent.rules import base_name, first_document_kind, incomplete, is_undo, session_title
from docmesh_common.model.invoice import DocumentKind, Invoice, from_proto
from tests.agent.conftest import INVOICE


@pytest.mark.parametrize(
    "text", ["undo", "Undo!", "please undo that", "undo the last change", "revert", "go back"]
)
def test_undo_phrases_are_recognised(text: str) -> None:
    assert is_undo(text)


@pytest.mark.parametrize(
    "text", ["undo the discount and add shipping", "go back to EUR", "revert the tax to 8%"]
)
def test_edits_that_mention_undo_words_are_not_a_plain_undo(text: str) -> None:
    assert not is_undo(text)


def test_a_complete_invoice_has_no_problems() -> None:
    assert incomplete(Invoice.model_validate(INVOICE)) == []


def test_an_invoice_without_lines_or_buyer_is_incomplete() -> None:
    problems = incomplete(Invoice.model_validate({**INVOICE, "line_items": [], "buyer": {}}))
    assert [p.split(":")[0] for p in problems] == ["invoice.line_items", "invoice.buyer.name"]


def test_a_receipt_needs_no_buyer() -> None:
    assert incomplete(Invoice.model_validate({**INVOICE, "kind": "receipt", "buyer": {}})) == []


def test_session_title_is_the_first_message_shortened() -> None:
    assert session_title("Invoice   Acme\nfor consulting") == "Invoice Acme for consulting"
    assert len(session_title("x" * 500)) == 80


def test_export_base_name_uses_kind_and_a_safe_number() -> None:
    invoice = from_proto(
        invoice_pb2.Invoice(kind=invoice_pb2.DOCUMENT_KIND_QUOTE, currency_code="USD", number="Q/2026:7")
    )
    assert base_name(invoice) == "quote-Q-2026-7"
    assert base_name(from_proto(invoice_pb2.Invoice(currency_code="USD"))) == "invoice"


def test_the_requested_kind_decides_the_first_document() -> None:
    assert first_document_kind(DocumentKind.INVOICE, DocumentKind.QUOTE) == DocumentKind.INVOICE


def test_a_stored_invoice_kind_is_the_default_not_a_choice() -> None:
    # The session service stores an unset kind as an invoice: the message decides then.
    assert first_document_kind(None, DocumentKind.INVOICE) is None


def test_a_stored_kind_other_than_the_default_is_a_choice() -> None:
    assert first_document_kind(None, DocumentKind.RECEIPT) == DocumentKind.RECEIPT
