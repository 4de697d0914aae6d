"""Small rules of the chat turn that need no server."""

from __future__ import annotations

from decimal import Decimal

import pytest

from docmesh.type.v1 import invoice_pb2
from docmesh_agent.rules import base_name, first_document_kind, incomplete, is_undo, session_title, settled
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


def test_a_download_is_named_by_kind_number_and_buyer() -> None:
    invoice = Invoice.model_validate(INVOICE).model_copy(update={"number": "INV-2026-0007"})
    invoice.buyer.name = "Acme Corp"
    assert base_name(invoice) == "invoice-INV-2026-0007-acme-corp"


def test_a_download_without_a_number_is_a_draft() -> None:
    invoice = from_proto(
        invoice_pb2.Invoice(
            kind=invoice_pb2.DOCUMENT_KIND_QUOTE, currency_code="USD", buyer=invoice_pb2.Party(name="Globex")
        )
    )
    assert base_name(invoice) == "quote-draft-globex"


def test_a_download_name_keeps_only_safe_characters() -> None:
    invoice = from_proto(
        invoice_pb2.Invoice(
            kind=invoice_pb2.DOCUMENT_KIND_PURCHASE_ORDER,
            currency_code="EUR",
            number="PO/2026:7",
            buyer=invoice_pb2.Party(name="Müller & Söhne GmbH / Köln"),
        )
    )
    assert base_name(invoice) == "purchase-order-PO-2026-7-muller-sohne-gmbh-koln"


def test_a_download_without_a_buyer_has_kind_and_number_only() -> None:
    assert base_name(from_proto(invoice_pb2.Invoice(currency_code="USD"))) == "invoice-draft"


def test_the_requested_kind_decides_the_first_document() -> None:
    assert first_document_kind(DocumentKind.INVOICE, DocumentKind.QUOTE) == DocumentKind.INVOICE


def test_a_stored_invoice_kind_is_the_default_not_a_choice() -> None:
    # The session service stores an unset kind as an invoice: the message decides then.
    assert first_document_kind(None, DocumentKind.INVOICE) is None


def test_a_stored_kind_other_than_the_default_is_a_choice() -> None:
    assert first_document_kind(None, DocumentKind.RECEIPT) == DocumentKind.RECEIPT


RECEIPT = Invoice.model_validate(
    {
        "kind": "receipt",
        "currency_code": "EUR",
        "line_items": [{"description": "Coffee", "quantity": "2", "unit_price": "3.50"}],
        "payment_method": "card",
    }
)


def test_a_receipt_without_an_amount_paid_is_paid_in_full() -> None:
    assert settled(RECEIPT).amount_paid == Decimal("7.00")


def test_a_receipt_with_an_amount_paid_keeps_it() -> None:
    partly = RECEIPT.model_copy(update={"amount_paid": Decimal("5")})
    assert settled(partly).amount_paid == Decimal("5")


def test_a_receipt_paid_in_full_stays_paid_in_full_through_an_edit() -> None:
    before = settled(RECEIPT)
    more = before.model_copy(update={"line_items": [*before.line_items, RECEIPT.line_items[0]]})
    assert settled(more, before).amount_paid == Decimal("14.00")


def test_an_invoice_is_not_marked_paid() -> None:
    assert settled(Invoice.model_validate(INVOICE)).amount_paid is None
