"""The invoice arithmetic checks find every wrong amount of an invoice sheet, and only when asked."""

from __future__ import annotations

import pytest

from docmesh_document.invoice_checks import validate_invoice
from docmesh_document.msc import Finding, validate

# A sheet with numbers and a formula but no item table.
NO_TABLE = "version:1.5\ncell:A1:v:1\ncell:A2:vtf:n:2:A1*2\nsheet:c:1:r:2\n"


def _find(findings: list[Finding], code: str) -> list[Finding]:
    return [f for f in findings if f.code == code]


INVOICE = """version:1.5
cell:A6:t:Item
cell:B6:t:Qty
cell:C6:t:Unit price
cell:D6:t:Amount
cell:A7:t:Widget
cell:B7:v:4
cell:C7:v:12.5
cell:D7:vtf:n:50:{d7}
cell:A8:t:Gadget
cell:B8:v:2
cell:C8:v:30
cell:D8:vtf:n:60:B8*C8
cell:A11:t:Subtotal
cell:D11:vtf:n:110:{d11}
cell:A12:t:Tax
cell:C12:vtc:n%:0.08:8%
cell:D12:vtf:n:8.8:{d12}
cell:A13:t:Total
cell:D13:vtf:n:118.8:{d13}
sheet:c:4:r:13
"""
GOOD = {"d7": "B7*C7", "d11": "SUM(D7\\cD8)", "d12": "ROUND(D11*C12,2)", "d13": "D11+D12"}


def _invoice(**changes: str) -> str:
    return INVOICE.format(**{**GOOD, **changes})


def test_a_correct_invoice_passes_the_arithmetic_checks() -> None:
    assert not [f for f in validate_invoice(_invoice()) if f.code.startswith("invoice-")]


@pytest.mark.parametrize(
    ("code", "change", "cell"),
    [
        ("invoice-line-amount", {"d7": "B7*C7+1"}, "D7"),
        ("invoice-subtotal", {"d11": "D7"}, "D11"),
        ("invoice-tax", {"d12": "ROUND(D11*0.07,2)"}, "D12"),
        ("invoice-total", {"d13": "D11"}, "D13"),
    ],
)
def test_invoice_arithmetic_errors_are_found(code: str, change: dict[str, str], cell: str) -> None:
    found = _find(validate_invoice(_invoice(**change)), code)
    assert [f.cell for f in found] == [cell]


def test_invoice_balance_due_is_checked() -> None:
    text = _invoice() + "cell:A14:t:Amount paid\ncell:D14:v:18.8\ncell:A15:t:Balance due\ncell:D15:v:90\n"
    text = text.replace("sheet:c:4:r:13", "sheet:c:4:r:15")
    assert [f.cell for f in _find(validate_invoice(text), "invoice-balance")] == ["D15"]


def test_a_sheet_without_an_item_table_gets_a_warning_when_invoice_checks_are_asked() -> None:
    (finding,) = _find(validate_invoice(NO_TABLE), "invoice-table-missing")
    assert finding.severity == "warning"


def test_invoice_checks_are_off_by_default() -> None:
    assert not [f for f in validate(_invoice(d7="1")) if f.code.startswith("invoice-")]


def test_invoice_validation_never_raises_on_garbage() -> None:
    for text in ["", ":", "cell:", "cell:A1:vtf", "sheet:c", "name:", "layout:", "\x00\r\n\r"]:
        validate_invoice(text)
