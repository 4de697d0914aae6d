"""Recalculation order, circular references and cached values."""

from __future__ import annotations

import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from docmesh_document.msc import (
    FUNCTIONS,
    Cell,
    CellKind,
    Document,
    FormulaSyntaxError,
    RecalcResult,
    Sheet,
    compile_formula,
    parse,
    parse_formula,
    recalculate,
    recalculate_copy,
    serialize,
)
from docmesh_document.msc.compiler import _compile_full  # the template path is checked against it


def _sheet(text: str) -> Sheet:
    return parse("version:1.5\n" + text).sheet


def test_formulas_are_evaluated_after_the_cells_they_use() -> None:
    sheet = _sheet("cell:A1:vtf:n:0:A2+1\ncell:A2:vtf:n:0:A3*2\ncell:A3:v:5\nsheet:c:1:r:3\n")
    result = recalculate(sheet)
    assert result.order == ["A2", "A1"]
    assert sheet.cells["A1"].value == 11.0


def test_a_long_reference_chain_does_not_recurse() -> None:
    n = sys.getrecursionlimit() * 3
    sheet = Sheet(
        cells={f"A{r}": Cell(f"A{r}", CellKind.FORMULA, "n", 0.0, formula=f"A{r + 1}+1") for r in range(1, n)}
    )
    sheet.cells[f"A{n}"] = Cell(f"A{n}", CellKind.VALUE, "n", 1.0)
    recalculate(sheet)
    assert sheet.cells["A1"].value == float(n)


def test_circular_references_are_reported_with_their_cells() -> None:
    sheet = _sheet(
        "cell:A1:v:5\ncell:B1:vtf:n:0:C1+A1\ncell:C1:vtf:n:0:B1*2\ncell:D1:vtf:n:0:C1\nsheet:c:4:r:1\n"
    )
    result = recalculate(sheet)
    assert result.cycles == [["B1", "C1"]]
    assert sheet.attribs.circularreferencecell in ("B1|C1", "C1|B1")


def test_a_range_that_contains_its_own_cell_is_circular() -> None:
    sheet = _sheet("cell:A1:v:1\ncell:A3:vtf:n:0:SUM(A1\\cA3)\nsheet:c:1:r:3\n")
    assert recalculate(sheet).cycles == [["A3"]]


def test_names_are_followed_for_dependencies() -> None:
    sheet = _sheet(
        "cell:A1:vtf:n:0:TOTAL*2\ncell:B1:vtf:n:0:B2+1\ncell:B2:v:4\nsheet:c:2:r:2\nname:TOTAL::=B1\n"
    )
    recalculate(sheet)
    assert sheet.cells["A1"].value == 10.0


def test_cached_values_and_error_attribute_are_rewritten() -> None:
    sheet = _sheet("cell:A1:vtf:n:0:1/0\ncell:A2:vtf:n:0:2*3:e:old\nsheet:c:1:r:2\n")
    result = recalculate(sheet)
    assert (sheet.cells["A1"].valuetype, sheet.cells["A1"].error) == ("e#DIV/0!", "#DIV/0!")
    assert (sheet.cells["A2"].valuetype, sheet.cells["A2"].value, sheet.cells["A2"].error) == ("n", 6.0, "")
    assert result.changed == ["A1", "A2"]
    assert result.errors == {"A1": ("e#DIV/0!", "#DIV/0!")}


def test_recalculated_sheet_round_trips() -> None:
    sheet = _sheet("cell:A1:vtf:n:0:1/0\ncell:A2:vtf:n:0:A1+1\ncell:A3:vtf:t:x:FOO()\nsheet:c:1:r:3\n")
    recalculate(sheet)
    doc = parse(serialize(parse("version:1.5\nsheet:c:1:r:1\n")))
    doc.sheet = sheet
    assert parse(serialize(doc)).sheet == sheet


def test_the_function_registry_has_all_140_socialcalc_functions() -> None:
    assert len(FUNCTIONS) == 140
    assert FUNCTIONS["TRUNC"] == 2 and FUNCTIONS["LEFT"] == -2 and FUNCTIONS["SUM"] == -1


def test_parse_formula_reports_the_engine_message() -> None:
    with pytest.raises(FormulaSyntaxError, match="two operators"):
        parse_formula("=A1")


_formula_alphabet = st.sampled_from(
    [
        "A1",
        "$B$2",
        "c3",
        "ZZ9",
        "AAA1",
        "1",
        ".5",
        "e",
        "+",
        "-",
        "*",
        "/",
        "^",
        "&",
        ":",
        ",",
        "(",
        ")",
        '"',
        "'",
        " ",
        "SUM",
        "X",
        "#REF!",
        "%",
        "<",
        ">",
        "=",
        "$",
        "_",
        "!",
        ".",
        "a1",
        '"ab"',
        "'x'",
        '""',
        '"A1"',
    ]
)


@settings(max_examples=800)
@given(st.lists(_formula_alphabet, max_size=12).map("".join) | st.text(max_size=20))
def test_template_compilation_equals_full_compilation(text: str) -> None:
    # compile_formula shares one template between formulas that differ only in references.
    assert compile_formula(text) == _compile_full(text)


# --- the validator's recalculation of a copy ----------------------------------------------

_COPY_TEXT = (
    "cell:A1:v:2\ncell:A2:v:0\ncell:B1:vtf:n:0:A1*3\ncell:B2:vtf:n:0:1/A2\ncell:B3:vtf:n:0:B1+C1\n"
    "cell:C1:vtf:n:0:B3\ncell:B4:vtf:n:0:SUM(B1\\cB2)+X\nname:X::=A1\nsheet:c:3:r:4\n"
)


def _outcome(sheet: Sheet, result: RecalcResult) -> tuple[object, ...]:
    return (result.order, result.cycles, result.changed, result.errors, serialize(Document(sheet=sheet)))


def test_recalculating_a_copy_leaves_the_sheet_as_it_was_and_equals_recalculating_it() -> None:
    fresh = _sheet(_COPY_TEXT)
    expected = _outcome(fresh, recalculate(fresh))
    sheet = _sheet(_COPY_TEXT)
    before = serialize(Document(sheet=sheet))
    work, result = recalculate_copy(sheet)
    assert serialize(Document(sheet=sheet)) == before
    assert _outcome(work, result) == expected


def test_the_cached_plan_follows_the_names_and_hands_out_fresh_lists() -> None:
    # The same formula texts with a name defined two ways: the order follows the definition.
    text = "cell:A1:vtf:n:0:X+1\ncell:A2:vtf:n:0:B1*2\ncell:B1:vtf:n:0:5\nsheet:c:2:r:2\n"
    via_b1 = recalculate(_sheet(text + "name:X::B1\n"))
    via_a2 = recalculate(_sheet(text + "name:X::A2\n"))
    assert via_b1.order == ["B1", "A1", "A2"] and via_a2.order == ["B1", "A2", "A1"]
    loop = "cell:A1:vtf:n:0:A2\ncell:A2:vtf:n:0:A1\nsheet:c:1:r:2\n"
    first = recalculate(_sheet(loop))
    first.cycles[0].clear()
    first.order.clear()
    again = recalculate(_sheet(loop))
    assert again.cycles == [["A1", "A2"]] and again.order == ["A1", "A2"]
