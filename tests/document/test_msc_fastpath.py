"""The compiled fast path for plain-number formulas never disagrees with the engine.

`msc.fastpath` runs arithmetic formulas as generated Python and must either give the engine's
exact result (same double, bit for bit, type "n") or step aside (None). These tests generate
formulas of its subset over cells of every kind and hold it to that.
"""

from __future__ import annotations

import struct

from hypothesis import given, settings
from hypothesis import strategies as st

from docmesh_document.msc import Cell, CellKind, EvalContext, evaluate_text
from docmesh_document.msc.fastpath import fast_formula

COORDS = ["A1", "A2", "B1", "B2", "C3"]

numbers = st.one_of(
    st.sampled_from([0.0, -0.0, 1.0, -1.0, 0.5, 2.5, 0.005, 1.005, 100.0, 1e300, 1e-300]),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12),
)
literals = st.one_of(
    st.integers(min_value=0, max_value=1000).map(str),
    st.sampled_from(["0.5", "1.005", "100", "2.5", "1e3", ".25", "0"]),
)


def _expr(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    binary = st.tuples(
        children, st.sampled_from(["+", "-", "*", "/", "<", ">", "<=", ">=", "=", "<>"]), children
    )
    return st.one_of(
        binary.map(lambda t: f"({t[0]}{t[1]}{t[2]})"),
        children.map(lambda c: f"-{c}"),
        children.map(lambda c: f"+{c}"),
        st.tuples(children, st.integers(min_value=-3, max_value=4)).map(lambda t: f"ROUND({t[0]},{t[1]})"),
        st.tuples(children, children).map(lambda t: f"MOD({t[0]},{t[1]})"),
        children.map(lambda c: f"INT({c})"),
        st.tuples(children, children, children).map(lambda t: f"IF({t[0]},{t[1]},{t[2]})"),
    )


formulas = st.recursive(st.one_of(st.sampled_from(COORDS), literals), _expr, max_leaves=8)

cell_contents = st.one_of(
    numbers.map(lambda v: ("n", v)),
    numbers.map(lambda v: ("n%", v)),
    numbers.map(lambda v: ("n$", v)),
    st.sampled_from([("nl", 1.0), ("nl", 0.0), ("nd", 45366.0)]),
    st.sampled_from([("t", "text"), ("t", "12"), ("t", ""), ("b", ""), ("e#DIV/0!", "#DIV/0!")]),
    st.none(),
)


def _sheet(contents: dict[str, tuple[str, float | str] | None]) -> dict[str, Cell]:
    cells = {}
    for coord, content in contents.items():
        if content is None:
            continue
        vtype, value = content
        kind = CellKind.VALUE if vtype.startswith("n") else CellKind.TEXT
        cells[coord] = Cell(coord=coord, kind=kind, valuetype=vtype, value=value)
    return cells


def _bits(value: float) -> bytes:
    return struct.pack("<d", value)


@settings(max_examples=1500, deadline=None)
@given(formula=formulas, contents=st.fixed_dictionaries({c: cell_contents for c in COORDS}))
def test_compiled_result_is_the_engines_bit_for_bit_or_none(formula: str, contents: dict) -> None:
    fast = fast_formula(formula)
    if fast is None:
        return
    cells = _sheet(contents)
    number = fast[0](cells.get, *fast[1])
    if number is None:
        return
    value, vtype, error = evaluate_text(formula, EvalContext(cells, {}, 5))
    assert (vtype, error) == ("n", "")
    assert isinstance(value, float)
    assert _bits(number) == _bits(value), (formula, number, value)


def test_an_invoice_line_formula_takes_the_fast_path() -> None:
    fast = fast_formula("ROUND(ROUND(C9*E9*100,6),0)/100")
    assert fast is not None
    cells = _sheet({"C9": ("n", 10.0), "E9": ("n", 150.0)})
    assert fast[0](cells.get, *fast[1]) == 1500.0


def test_a_text_operand_steps_aside_for_the_engine() -> None:
    fast = fast_formula("A1+1")
    assert fast is not None
    cells = _sheet({"A1": ("t", "12")})
    assert fast[0](cells.get, *fast[1]) is None
