"""The SUM family, its database forms and the conditional sums are one aggregation."""

from __future__ import annotations

import pytest

from docmesh_document.msc import EvalContext, Sheet, evaluate_text, parse
from docmesh_document.msc.functions.aggregate import SERIES_KINDS

# Column A: a database with the field "Amount" over numbers of several types, a text, a blank
# (A5) and another number; C1:C2 is a criteria range whose only criterion is empty, so every
# row of the database matches it.
DATA = """version:1.5
cell:A1:t:Amount
cell:A2:v:4
cell:A3:vtc:n%:0.25:25%
cell:A4:t:ten
cell:A6:v:-7.5
cell:A7:vtc:n$:12.125:$12.125
cell:C1:t:Amount
sheet:c:3:r:7
"""


def _sheet() -> Sheet:
    return parse(DATA).sheet


def _value(sheet: Sheet, formula: str) -> tuple[object, str]:
    value, vtype, _ = evaluate_text(formula, EvalContext(sheet.cells, sheet.names, sheet.attribs.lastrow))
    return value, vtype


@pytest.mark.parametrize("kind", [k for k in SERIES_KINDS if k != "COUNTBLANK"])  # no DCOUNTBLANK
def test_a_function_of_the_sum_family_and_its_database_form_agree(kind: str) -> None:
    sheet = _sheet()
    assert _value(sheet, f"D{kind}(A1:A7,1,C1:C2)") == _value(sheet, f"{kind}(A2:A7)")


def test_sumif_with_a_criterion_every_number_meets_is_the_sum() -> None:
    sheet = _sheet()
    assert _value(sheet, 'SUMIF(A2:A7,">-100")') == _value(sheet, "SUM(A2:A7)")


def test_sumifs_with_a_criterion_every_number_meets_is_the_sum() -> None:
    sheet = _sheet()
    assert _value(sheet, 'SUMIFS(A2:A7,A2:A7,">-100")') == _value(sheet, "SUM(A2:A7)")


def test_countif_counts_the_matching_cells() -> None:
    assert _value(_sheet(), 'COUNTIF(A2:A7,">0")') == (3.0, "n")


def test_the_first_error_of_a_series_is_its_result() -> None:
    sheet = parse(DATA.replace("cell:A4:t:ten", "cell:A4:vtf:e#DIV/0!:0:1/0")).sheet
    assert _value(sheet, "SUM(A2:A7)")[1] == "e#DIV/0!"
    assert _value(sheet, "DSUM(A1:A7,1,C1:C2)")[1] == "e#DIV/0!"
