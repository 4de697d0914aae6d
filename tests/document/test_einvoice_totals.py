"""Random baskets: the UBL totals, the CII totals, the sheet recalculated by the oracle and the
Decimal totals agree to the cent."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from docmesh_common.model.invoice import Discount, Invoice, LineItem
from docmesh_common.model.totals import compute_totals, vat_breakdown
from docmesh_common.model.vat import VatCategory
from docmesh_document.einvoice.cii import to_cii
from docmesh_document.einvoice.ubl import to_ubl
from docmesh_document.render import render_invoice
from tests.document.conftest import OracleBatch, oracle_number
from tests.document.einvoice_cases import CASES

UBL = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
CII = {"ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"}
_UBL_TOTALS = {
    "line_total": "LineExtensionAmount",
    "tax_exclusive": "TaxExclusiveAmount",
    "tax_inclusive": "TaxInclusiveAmount",
    "payable": "PayableAmount",
}
_CII_TOTALS = {
    "line_total": "LineTotalAmount",
    "allowance_total": "AllowanceTotalAmount",
    "charge_total": "ChargeTotalAmount",
    "tax_exclusive": "TaxBasisTotalAmount",
    "tax_total": "TaxTotalAmount",
    "tax_inclusive": "GrandTotalAmount",
    "payable": "DuePayableAmount",
}

_prices = st.decimals(min_value=Decimal("0.01"), max_value=Decimal(9999), places=3)
_taxing = st.sampled_from([{"tax_names": ["VAT"]}, {"tax_names": ["Reduced"]}, {"tax_exempt": True}])


def _basket(
    lines: list[tuple[Decimal, int, dict[str, object]]],
    percent: Decimal | None,
    shipping: Decimal | None,
    currency: str,
) -> Invoice:
    """The first case's parties with the drawn lines, document discount, shipping and currency."""
    return CASES[0].model_copy(
        update={
            "currency_code": currency,
            "line_items": [
                LineItem(description="x", unit_price=p, quantity=Decimal(q), **t)  # type: ignore[arg-type]
                for p, q, t in lines
            ],
            "discounts": [] if percent is None else [Discount(percent=percent)],
            "shipping": shipping,
        }
    )


@settings(max_examples=80, deadline=None)
@given(
    lines=st.lists(st.tuples(_prices, st.integers(1, 12), _taxing), min_size=1, max_size=6),
    percent=st.none() | st.decimals(min_value=Decimal(0), max_value=Decimal(40), places=2),
    shipping=st.none() | _prices,
    currency=st.sampled_from(["EUR", "JPY", "KWD"]),
)
def test_ubl_cii_and_decimal_totals_agree(
    lines: list[tuple[Decimal, int, dict[str, object]]],
    percent: Decimal | None,
    shipping: Decimal | None,
    currency: str,
) -> None:
    invoice = _basket(lines, percent, shipping, currency)
    b = vat_breakdown(invoice)
    ubl = etree.fromstring(to_ubl(invoice))
    cii = etree.fromstring(to_cii(invoice))
    summation = cii.find(".//ram:SpecifiedTradeSettlementHeaderMonetarySummation", CII)
    for field, tag in _UBL_TOTALS.items():
        assert Decimal(ubl.findtext(f"cac:LegalMonetaryTotal/cbc:{tag}", namespaces=UBL)) == getattr(b, field)
    assert Decimal(ubl.findtext("cac:TaxTotal/cbc:TaxAmount", namespaces=UBL)) == b.tax_total
    for field, tag in _CII_TOTALS.items():
        assert Decimal(summation.findtext(f"ram:{tag}", namespaces=CII)) == getattr(b, field)


# --- the sheet too: the oracle recalculates the rendered MSC ---------------------------------

_TAXINGS = [
    {"tax_names": ["VAT"]},
    {"tax_names": ["Reduced"]},
    {"tax_exempt": True},
    {"tax_exempt": True, "vat_category": VatCategory.INTRA_COMMUNITY},
]


@pytest.mark.oracle
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    lines=st.lists(st.tuples(_prices, st.integers(1, 12), st.sampled_from(_TAXINGS)), min_size=1, max_size=6),
    percent=st.none() | st.decimals(min_value=Decimal(0), max_value=Decimal(40), places=2),
    shipping=st.none() | _prices,
    currency=st.sampled_from(["EUR", "JPY", "USD"]),
)
def test_ubl_cii_the_recalculated_sheet_and_decimal_totals_agree(
    oracle_batch: OracleBatch,
    lines: list[tuple[Decimal, int, dict[str, object]]],
    percent: Decimal | None,
    shipping: Decimal | None,
    currency: str,
) -> None:
    invoice = _basket(lines, percent, shipping, currency)
    totals = compute_totals(invoice)
    rendered = render_invoice(invoice)
    (judged,) = oracle_batch({"basket": rendered.text()}).values()
    assert judged["ok"], judged["errors"]
    sheet = {
        name: oracle_number(cell["value"])
        for name, cell in judged["cells"].items()
        if name in rendered.expected_values()
    }
    assert sheet == rendered.expected_values()  # every amount, the VAT breakdown's included
    assert sheet[rendered.cells.total] == totals.total
    ubl = etree.fromstring(to_ubl(invoice))
    cii = etree.fromstring(to_cii(invoice))
    ubl_total = Decimal(ubl.findtext("cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount", namespaces=UBL))
    cii_total = Decimal(cii.findtext(".//ram:GrandTotalAmount", namespaces=CII))
    ubl_tax = Decimal(ubl.findtext("cac:TaxTotal/cbc:TaxAmount", namespaces=UBL))
    assert ubl_total == cii_total == totals.total
    assert ubl_tax == totals.tax_total
