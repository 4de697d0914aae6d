"""UBL 2.1 exports pass the UBL XSD and the official CEN EN 16931 schematron, and carry the one arithmetic."""

from __future__ import annotations

from decimal import Decimal

import pytest

from docmesh_common.model.invoice import Invoice, LineItem
from docmesh_common.model.totals import vat_breakdown
from docmesh_document.einvoice.terms import missing_terms
from docmesh_document.einvoice.ubl import to_ubl
from tests.document.einvoice_cases import CASES
from tests.document.einvoice_validators import schematron_report, xsd_errors


def test_there_are_at_least_30_cases() -> None:
    assert len(CASES) >= 30


@pytest.mark.parametrize("invoice", CASES, ids=lambda inv: f"{inv.number}-{inv.currency_code}")
def test_the_case_is_complete(invoice: Invoice) -> None:
    assert missing_terms(invoice, vat_breakdown(invoice)) == []


@pytest.mark.parametrize("invoice", CASES, ids=lambda inv: f"{inv.number}-{inv.currency_code}")
def test_the_ubl_export_is_schema_valid(invoice: Invoice) -> None:
    assert xsd_errors(to_ubl(invoice)) == []


@pytest.mark.parametrize("invoice", CASES, ids=lambda inv: f"{inv.number}-{inv.currency_code}")
def test_the_ubl_export_passes_the_cen_schematron(invoice: Invoice) -> None:
    fired, fatal = schematron_report(to_ubl(invoice))
    assert fired > 0, "the validator did not run"
    assert fatal == []


def test_missing_terms_lists_every_required_term_by_number() -> None:
    invoice = Invoice(line_items=[LineItem(description="Work", unit_price=Decimal(10))])
    assert [term for term, _ in missing_terms(invoice, vat_breakdown(invoice))] == [
        "BT-1",
        "BT-2",
        "BT-9",
        "BT-27",
        "BT-40",
        "BT-44",
        "BT-55",
    ]


def test_a_reverse_charge_invoice_needs_both_vat_identifiers() -> None:
    invoice = CASES[3 * 6].model_copy(deep=True)  # the first reverse-charge case
    invoice.seller.vat_id = ""
    invoice.buyer.vat_id = ""
    terms = [term for term, _ in missing_terms(invoice, vat_breakdown(invoice))]
    assert "BT-31" in terms and "BT-48" in terms
