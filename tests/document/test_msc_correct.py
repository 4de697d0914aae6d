"""Every corrector fix: applied when the meaning is clear, reported, and verified by validation."""

from __future__ import annotations

import importlib
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from docmesh_document.msc import correct, is_valid, parse, validate

# The package exports a function of the same name, so fetch the module itself.
correct_module = importlib.import_module("docmesh_document.msc.correct")

OK = "version:1.5\ncell:A1:v:2\ncell:A2:vtf:n:4:A1*2\nsheet:c:1:r:2\n"


def _codes(text: str) -> list[str]:
    return [f.code for f in correct(text).fixes]


# (fix code, broken document, the finding it removes)
CASES = [
    ("bom", "\ufeff" + OK, "bom"),
    ("crlf", OK.replace("\n", "\r\n"), None),
    ("lowercase-coordinate", OK.replace("cell:A1:", "cell:a1:"), "bad-coordinate"),
    ("unescaped-colon", "version:1.5\ncell:A1:v:1\ncell:A3:vtf:n:1:SUM(A1:A2):f:1\nsheet:c:1:r:3\nfont:1:* 12pt *\n",
     "unknown-cell-attribute"),
    ("leading-equals", OK.replace(":A1*2", ":=A1*2"), "formula-leading-equals"),
    ("missing-version", OK.replace("version:1.5\n", ""), "missing-version"),
    ("missing-sheet-line", OK.replace("sheet:c:1:r:2\n", ""), "missing-sheet-line"),
    ("sheet-size", OK.replace("sheet:c:1:r:2", "sheet:c:1:r:1"), "sheet-size"),
    ("undefined-style", OK.replace("cell:A1:v:2", "cell:A1:v:2:f:7"), "undefined-style"),
    ("stale-value", OK.replace(":4:A1*2", ":0:A1*2"), "stale-value"),
]  # fmt: skip


@pytest.mark.parametrize(("code", "text", "finding"), CASES, ids=[c[0] for c in CASES])
def test_fix_is_applied_reported_and_removes_the_finding(code: str, text: str, finding: str | None) -> None:
    if finding is not None:
        assert finding in [f.code for f in validate(text)]
    result = correct(text)
    assert code in [f.code for f in result.fixes]
    assert is_valid(result.findings), result.findings
    if finding is not None:
        assert finding not in [f.code for f in result.findings]


def test_several_leading_byte_order_marks_are_all_removed() -> None:
    # Found by the property test below: '\ufeff\ufeffcell:sheet:c:1:r:1' got worse when only
    # one byte order mark was removed.
    assert [f.code for f in validate("\ufeff\ufeff" + OK) if f.severity == "error"] == ["bom"]
    result = correct("\ufeff\ufeff" + OK)
    assert result.text == OK
    assert is_valid(result.findings), result.findings


def test_every_documented_fix_has_a_case() -> None:
    documented = set(re.findall(r"^([a-z][a-z-]+) {2,}\S", correct_module.__doc__ or "", re.M))
    assert documented - {"code"} == {c[0] for c in CASES}  # "code" is the table heading


def test_a_valid_document_is_left_as_it_is() -> None:
    text = "version:1.5\ncell:A1:v:2\ncell:A2:vtf:n:4:A1*2\nsheet:c:1:r:2\n"
    result = correct(text)
    assert (result.text, result.fixes) == (text, [])


def test_lowercase_coordinate_is_not_merged_into_an_existing_cell() -> None:
    text = "version:1.5\ncell:A1:v:1\ncell:a1:v:9\nsheet:c:1:r:1\n"
    result = correct(text)
    assert "lowercase-coordinate" not in [f.code for f in result.fixes]
    assert "bad-coordinate" in [f.code for f in result.findings]


def test_unescaped_colon_in_text_is_escaped_and_keeps_later_attributes() -> None:
    result = correct("version:1.5\ncell:A1:t:Bill to: ACME:f:1\nsheet:c:1:r:1\nfont:1:* 12pt *\n")
    cell = parse(result.text).sheet.cells["A1"]
    assert (cell.value, cell.font) == ("Bill to: ACME", 1)


def test_unescaped_colon_in_valueformat_is_escaped() -> None:
    result = correct(OK.replace("cell:A1:v:2", "cell:A1:v:2:ntvf:1") + "valueformat:1:h:mm:ss\n")
    assert parse(result.text).sheet.valueformats == {1: "h:mm:ss"}


def test_ambiguous_colon_in_a_text_formula_result_is_left_as_an_error() -> None:
    text = 'version:1.5\ncell:A1:t:x\ncell:A2:vtf:t:a: b:A1&":"&A1\nsheet:c:1:r:2\n'
    result = correct(text)
    assert not is_valid(result.findings)


def test_empty_attribute_is_not_treated_as_an_unescaped_colon() -> None:
    text = "version:1.5\ncell:A1:t:x::f:1\nsheet:c:1:r:1\nfont:1:* 12pt *\n"
    result = correct(text)
    assert "unescaped-colon" not in [f.code for f in result.fixes]
    assert "empty-attribute" in [f.code for f in result.findings]


def test_unknown_lines_stay_errors_and_the_text_is_not_rewritten() -> None:
    text = "version:1.5\ncell:A1:v:1\nbogus line\nsheet:c:1:r:1\n"
    result = correct(text)
    assert result.text == text
    assert "unknown-line-type" in [f.code for f in result.findings]


def test_undefined_style_fix_keeps_defined_ones() -> None:
    text = "version:1.5\ncell:A1:v:1:f:1:c:5\nsheet:c:1:r:1\nfont:1:* 12pt *\n"
    cell = parse(correct(text).text).sheet.cells["A1"]
    assert (cell.font, cell.color) == (1, 0)


def test_fixes_carry_line_and_cell() -> None:
    result = correct(OK.replace(":A1*2", ":=A1*2"))
    (fix,) = [f for f in result.fixes if f.code == "leading-equals"]
    assert (fix.line, fix.cell) == (3, "A2")


def test_stale_values_are_rewritten_with_recalculated_results() -> None:
    result = correct(OK.replace(":4:A1*2", ":0:A1*2"))
    assert parse(result.text).sheet.cells["A2"].value == 4.0


def test_corrector_never_raises_on_garbage() -> None:
    for text in ["", "\ufeff", "\r\n", "cell:", "cell:a", "name:a:b:c:d", "valueformat:1:a:b", ":::"]:
        correct(text)


_pieces = st.sampled_from(
    ["cell:", "a1", "A1", ":", "v", "vtf", "n", "t", "e#DIV/0!", "\\c", "\n", "\r\n", "sheet:c:1:r:1", "c", "9",
     "::", "font:1:", "name:X::", "layout:1:", "valueformat:1:h:mm", "=", "SUM(A1:A2)", "1/0", '"', "f:3", "\ufeff",
     "version:1.5\n", "socialcalc:version:1.0\n", "MIME-Version: 1.0\n", "b:1:2:3:4", "colspan:2", "zz"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(_pieces, max_size=25).map("".join) | st.text(max_size=80))
def test_corrector_never_raises_and_never_makes_a_document_worse(text: str) -> None:
    before = [f for f in validate(text) if f.severity == "error"]
    result = correct(text)
    after = [f for f in result.findings if f.severity == "error"]
    assert len(after) <= len(before)
