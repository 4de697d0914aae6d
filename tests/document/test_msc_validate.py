"""Every validator code is produced by the document that shows the problem, with its line."""

from __future__ import annotations

import importlib
import re

import pytest

from docmesh_document.msc import FUNCTIONS, IMPLEMENTED, SIDE_EFFECT_FUNCTIONS, Finding, is_valid, validate

# The package exports a function of the same name, so fetch the module itself.
validate_module = importlib.import_module("docmesh_document.msc.validate")

# Texts that are barely MSC at all.
GARBAGE = ["", ":", "cell:", "cell:A1:vtf", "sheet:c", "name:", "layout:", "\x00\r\n\r"]
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
    assert documented == {c[0] for c in CASES}


def test_levels_follow_the_order_syntax_semantic_logic() -> None:
    text = "version:1.5\ncell:A1:vtf:n:0:FOO(1)\ncell:A2:q:1\nsheet:c:1:r:2\n"
    levels = [f.level for f in validate(text)]
    assert levels == sorted(levels, key=["syntax", "semantic", "logic"].index)


def test_stale_value_is_a_warning_not_an_error() -> None:
    (finding,) = _find(validate(CASES[-1][1]), "stale-value")
    assert finding.severity == "warning"


def test_validator_never_raises_on_garbage() -> None:
    for text in GARBAGE:
        validate(text)


def test_every_function_is_either_evaluated_or_a_widget_that_is_flagged() -> None:
    assert IMPLEMENTED | SIDE_EFFECT_FUNCTIONS == set(FUNCTIONS)
    assert not IMPLEMENTED & SIDE_EFFECT_FUNCTIONS
