"""Every validator code is produced by the document that shows the problem, with its line."""

from __future__ import annotations

import importlib
import re

import pytest

from docmesh_document.msc.validate import Finding, is_valid, validate

# The package exports a function of the same name, so fetch the module itself.
validate_module = importlib.import_module("docmesh_document.msc.validate")

OK = "version:1.5\ncell:A1:v:1\ncell:A2:vtf:n:2:A1*2\nsheet:c:1:r:2\n"
WRAP = (
    "socialcalc:version:1.0\nMIME-Version: 1.0\n"
    "Content-Type: multipart/mixed; boundary=B\n--B\nContent-type: text/plain\n\n"
    "# SocialCalc Spreadsheet Control Save\nversion:1.0\npart:sheet\n--B\nContent-type: text/plain\n\n{sheet}--B--\n"
)

# (code, document, expected line, expected cell)
CASES: list[tuple[str, str, int, str]] = [
    ("bom", "\ufeff" + OK, 1, ""),
    ("multipart", "socialcalc:version:1.0\nMIME-Version: 1.0\nno boundary here\n", 1, ""),
    ("multipart-header", WRAP.format(sheet=OK).replace("socialcalc:version:1.0\n", "x\n"), 1, ""),
    ("bare-sheet", OK, 0, ""),
    ("unknown-line-type", OK + "bogus:1\n", 5, ""),
    ("unknown-cell-attribute", "version:1.5\ncell:A1:vtf:n:3:SUM(A2:A3)\nsheet:c:1:r:3\n", 2, "A1"),
    ("unknown-col-attribute", OK + "col:A:width:10\n", 5, ""),
    ("unknown-row-attribute", OK + "row:1:height:10\n", 5, ""),
    ("unknown-sheet-attribute", "version:1.5\ncell:A1:v:1\nsheet:c:1:r:1:zoom:2\n", 3, ""),
    ("empty-attribute", "version:1.5\ncell:A1:t:x::f:1\nsheet:c:1:r:1\nfont:1:* 12pt *\n", 2, "A1"),
    ("missing-value", "version:1.5\ncell:A1:t\nsheet:c:1:r:1\n", 2, "A1"),
    ("unescaped-colon", OK + "valueformat:1:h:mm\n", 5, ""),
    ("field-count", OK + "font:1\n", 5, ""),
    ("bad-coordinate", "version:1.5\ncell:a1:v:1\nsheet:c:1:r:1\n", 2, "a1"),
    ("bad-number", "version:1.5\ncell:A1:v:0x10\nsheet:c:1:r:1\n", 2, "A1"),
    ("bad-index", "version:1.5\ncell:A1:v:1:f:x\nsheet:c:1:r:1\n", 2, "A1"),
    ("bad-value-type", "version:1.5\ncell:A1:vt::1\nsheet:c:1:r:1\n", 2, "A1"),
    ("duplicate-cell", OK + "cell:A1:v:1\n", 5, "A1"),
    ("obsolete-line", OK + "clipboardrange:A1:A2\n", 5, ""),
    ("missing-version", "cell:A1:v:1\nsheet:c:1:r:1\n", 0, ""),
    ("missing-sheet-line", "version:1.5\ncell:A1:v:1\n", 0, ""),
    ("sheet-size", "version:1.5\ncell:B3:v:1\nsheet:c:1:r:1\n", 3, ""),
    ("undefined-style", "version:1.5\ncell:A1:v:1:f:3\nsheet:c:1:r:1\n", 2, "A1"),
    ("style-syntax", "version:1.5\ncell:A1:v:1:f:1\nsheet:c:1:r:1\nfont:1:big\n", 4, ""),
    ("formula-leading-equals", "version:1.5\ncell:A1:vtf:n:0:=1+1\nsheet:c:1:r:1\n", 2, "A1"),
    ("formula-syntax", "version:1.5\ncell:A1:vtf:n:0:SUM(1\nsheet:c:1:r:1\n", 2, "A1"),
    ("unknown-function", "version:1.5\ncell:A1:vtf:n:0:IFERROR(1,2)\nsheet:c:1:r:1\n", 2, "A1"),
    ("wrong-arg-count", "version:1.5\ncell:A1:vtf:n:0:TRUNC(1.5)\nsheet:c:1:r:1\n", 2, "A1"),
    ("side-effect-function", 'version:1.5\ncell:A1:vtf:t:x:BUTTON("go")\nsheet:c:1:r:1\n', 2, "A1"),
    ("undefined-name", "version:1.5\ncell:A1:vtf:n:0:RATE2*2\nsheet:c:1:r:1\n", 2, "A1"),
    ("other-sheet-reference", "version:1.5\ncell:A1:vtf:n:0:Other!A1\nsheet:c:1:r:1\n", 2, "A1"),
    ("reference-outside-sheet", "version:1.5\ncell:A1:vtf:n:0:Z99+1\nsheet:c:1:r:1\n", 2, "A1"),
    ("bad-name-definition", OK + "name:RATE::0.08\n", 5, ""),
    ("merge", "version:1.5\ncell:A1:t:x:colspan:2\ncell:B1:t:y\nsheet:c:2:r:1\n", 2, "A1"),
    ("circular-reference", "version:1.5\ncell:A1:vtf:n:0:A2\ncell:A2:vtf:n:0:A1\nsheet:c:1:r:2\n", 2, "A1"),
    ("formula-error", "version:1.5\ncell:A1:vtf:e#DIV/0!:0:1/0:e:#DIV/0!\nsheet:c:1:r:1\n", 2, "A1"),
    ("stale-value", "version:1.5\ncell:A1:v:2\ncell:A2:vtf:n:0:A1*2\nsheet:c:1:r:2\n", 3, "A2"),
]


def _find(findings: list[Finding], code: str) -> list[Finding]:
    return [f for f in findings if f.code == code]


@pytest.mark.parametrize(("code", "text", "line", "cell"), CASES, ids=[c[0] for c in CASES])
def test_code_is_reported_with_line_and_cell(code: str, text: str, line: int, cell: str) -> None:
    found = _find(validate(text), code)
    assert found, f"{code} not reported"
    assert (found[0].line, found[0].cell) == (line, cell)
    assert found[0].level in ("syntax", "semantic", "logic")


@pytest.mark.parametrize("code", sorted({c[0] for c in CASES} - {"bare-sheet"}))
def test_a_clean_wrapped_document_has_no_finding_of_that_code(code: str) -> None:
    findings = validate(WRAP.format(sheet=OK))
    assert not _find(findings, code)


def test_a_clean_document_is_valid() -> None:
    assert is_valid(validate(WRAP.format(sheet=OK)))
    assert validate(WRAP.format(sheet=OK)) == []


def test_every_documented_code_has_a_case() -> None:
    documented = set(
        re.findall(r"^([a-z][a-z-]+)\s{2,}(?:syntax|semantic|logic)", validate_module.__doc__ or "", re.M)
    )
    invoice = {c for c in documented if c.startswith("invoice-")}
    assert documented - invoice == {c[0] for c in CASES}


def test_levels_follow_the_order_syntax_semantic_logic() -> None:
    text = "version:1.5\ncell:A1:vtf:n:0:FOO(1)\ncell:A2:q:1\nsheet:c:1:r:2\n"
    levels = [f.level for f in validate(text)]
    assert levels == sorted(levels, key=["syntax", "semantic", "logic"].index)


def test_stale_value_is_a_warning_not_an_error() -> None:
    (finding,) = _find(validate(CASES[-1][1]), "stale-value")
    assert finding.severity == "warning"


def test_validator_never_raises_on_garbage() -> None:
    for text in ["", ":", "cell:", "cell:A1:vtf", "sheet:c", "name:", "layout:", "\x00\r\n\r"]:
        validate(text, invoice_checks=True)


# ---------------------------------------------------------------- invoice arithmetic

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
    assert not [f for f in validate(_invoice(), invoice_checks=True) if f.code.startswith("invoice-")]


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
    found = _find(validate(_invoice(**change), invoice_checks=True), code)
    assert [f.cell for f in found] == [cell]


def test_invoice_balance_due_is_checked() -> None:
    text = _invoice() + "cell:A14:t:Amount paid\ncell:D14:v:18.8\ncell:A15:t:Balance due\ncell:D15:v:90\n"
    text = text.replace("sheet:c:4:r:13", "sheet:c:4:r:15")
    assert [f.cell for f in _find(validate(text, invoice_checks=True), "invoice-balance")] == ["D15"]


def test_a_sheet_without_an_item_table_gets_a_warning_when_invoice_checks_are_asked() -> None:
    (finding,) = _find(validate(OK, invoice_checks=True), "invoice-table-missing")
    assert finding.severity == "warning"


def test_invoice_checks_are_off_by_default() -> None:
    assert not [f for f in validate(_invoice(d7="1")) if f.code.startswith("invoice-")]


def test_every_function_is_either_evaluated_or_a_widget_that_is_flagged() -> None:
    from docmesh_document.msc.engine import IMPLEMENTED
    from docmesh_document.msc.formula import FUNCTIONS, SIDE_EFFECT_FUNCTIONS

    assert IMPLEMENTED | SIDE_EFFECT_FUNCTIONS == set(FUNCTIONS)
    assert not IMPLEMENTED & SIDE_EFFECT_FUNCTIONS
