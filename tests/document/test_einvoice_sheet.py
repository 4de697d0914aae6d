"""The sheet shows the EN 16931 VAT breakdown (BG-23) when the lines are in more than one VAT
category or a non-standard one, with live formulas the oracle recalculates to vat_breakdown."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from docmesh_common.model.invoice import Invoice, LineItem, Tax
from docmesh_common.model.totals import vat_breakdown
from docmesh_document.render import RenderedInvoice, render_invoice
from tests.document.conftest import OracleBatch, oracle_number
from tests.document.einvoice_cases import CASES

D = Decimal


def _texts(rendered: RenderedInvoice) -> list[str]:
    return [str(cell.value) for cell in rendered.document.sheet.cells.values() if cell.valuetype == "t"]


def test_a_simple_invoice_keeps_its_sheet_without_a_breakdown() -> None:
    invoice = Invoice(
        taxes=[Tax(name="VAT", rate_percent=D(19))],
        line_items=[LineItem(description="Work", unit_price=D(100))],
        shipping=D(5),
    )
    rendered = render_invoice(invoice)
    assert rendered.breakdown is None and "VAT breakdown" not in _texts(rendered)


def test_an_invoice_without_any_tax_keeps_its_sheet_without_a_breakdown() -> None:
    assert (
        render_invoice(Invoice(line_items=[LineItem(description="Work", unit_price=D(100))])).breakdown
        is None
    )


def test_an_exempt_line_beside_a_taxed_one_shows_a_row_per_category_and_rate() -> None:
    invoice = Invoice(
        currency_code="EUR",
        taxes=[Tax(name="VAT", rate_percent=D(19))],
        line_items=[
            LineItem(description="Work", unit_price=D(100)),
            LineItem(description="Course", unit_price=D(50), tax_exempt=True),
        ],
    )
    rendered = render_invoice(invoice)
    texts = _texts(rendered)
    assert "VAT breakdown" in texts and "S 19%" in texts and "E 0% – Exempt from VAT" in texts
    values = rendered.expected_values()
    assert [values[cell] for cell in rendered.cells.vat_bases] == [D("100.00"), D("50.00")]
    assert [values[cell] for cell in rendered.cells.vat_amounts] == [D("19.00"), D("0.00")]


def test_the_sheet_s_breakdown_is_the_e_invoice_s() -> None:
    invoice = CASES[49]  # S 19 %, S 7 %, Z, G and the shipping in E; a discount; EUR
    rendered = render_invoice(invoice)
    assert rendered.breakdown == vat_breakdown(invoice)


@pytest.fixture(scope="module")
def judged(oracle_batch: OracleBatch) -> dict[str, dict[str, Any]]:
    return oracle_batch({f"case-{i}": render_invoice(invoice).text() for i, invoice in enumerate(CASES)})


@pytest.mark.oracle
@pytest.mark.parametrize("index", range(len(CASES)))
def test_the_oracle_recalculates_every_amount_and_the_breakdown_to_the_decimals(
    index: int, judged: dict[str, dict[str, Any]]
) -> None:
    rendered = render_invoice(CASES[index])
    result = judged[f"case-{index}"]
    assert result["ok"], result["errors"]
    assert [w["kind"] for w in result["warnings"]] == []
    expected = rendered.expected_values()
    assert rendered.breakdown is not None  # every case has several groups or a non-S one
    assert {cell: oracle_number(result["cells"][cell]["value"]) for cell in expected} == expected
