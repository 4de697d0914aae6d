"""UBL 2.1 exports pass the UBL XSD and the official CEN EN 16931 schematron, and carry the one arithmetic."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from docmesh_common.model.invoice import Discount, Invoice, LineItem
from docmesh_common.model.totals import vat_breakdown
from docmesh_document.einvoice.terms import missing_terms
from docmesh_document.einvoice.ubl import to_ubl
from tests.document.einvoice_cases import CASES
from tests.document.einvoice_validators import schematron_report, xsd_errors

NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}


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


def _total(document: bytes, tag: str) -> Decimal:
    return Decimal(etree.fromstring(document).findtext(f"cac:LegalMonetaryTotal/cbc:{tag}", namespaces=NS))


@settings(max_examples=60, deadline=None)
@given(
    prices=st.lists(
        st.decimals(min_value=Decimal("0.01"), max_value=Decimal(9999), places=2), min_size=1, max_size=5
    ),
    percent=st.none() | st.decimals(min_value=Decimal(0), max_value=Decimal(40), places=2),
    currency=st.sampled_from(["EUR", "JPY", "KWD"]),
)
def test_ubl_totals_are_the_decimal_totals(
    prices: list[Decimal], percent: Decimal | None, currency: str
) -> None:
    base = CASES[0]
    invoice = base.model_copy(
        update={
            "currency_code": currency,
            "line_items": [LineItem(description="x", unit_price=p, tax_names=["VAT"]) for p in prices],
            "discounts": [] if percent is None else [Discount(percent=percent)],
        }
    )
    b = vat_breakdown(invoice)
    document = to_ubl(invoice)
    assert _total(document, "TaxInclusiveAmount") == b.tax_inclusive
    assert _total(document, "PayableAmount") == b.payable
    assert _total(document, "TaxExclusiveAmount") == b.tax_exclusive
