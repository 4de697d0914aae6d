"""Differential test: random formulas, evaluated by docmesh and by the real SocialCalc engine.

A seeded generator builds formulas from the operators, functions, references, names, strings
and error values of the case data; each seed's sheet goes through the oracle once. Types and
text must be equal; numbers are compared to 1e-13 relative because V8's Math.pow differs from
fdlibm's in the last bit for some arguments (see ``jsmath``). The "=" operator is left out: with
its undefined precedence some nestings make the engine itself throw and abort the recalc.
"""

from __future__ import annotations

import math
import random
from pathlib import Path
from typing import Any

import pytest

from docmesh_document.msc import encode, parse, recalculate

pytestmark = pytest.mark.oracle

CASES = Path(__file__).parent / "msc_cases"
SEEDS = [101, 202, 303]
PER_SHEET = 400

REFS = ["A1", "A2", "A7", "A8", "A9", "A10", "A13", "B1", "B2", "C3", "C4", "C5", "E3", "$A$1", "a3"]
RANGES = ["A1:A5", "A1:A12", "B1:B3", "C3:C5", "A1:E4", "D1:D4", "A9:A13"]
FUNCS1 = ["ABS", "INT", "SQRT", "LEN", "UPPER", "LOWER", "TRIM", "NOT", "ISBLANK", "ISNUMBER", "ISTEXT",
          "ISERROR", "N", "T", "VALUE", "EVEN", "ODD", "FACT", "LN", "LOG10", "EXP", "YEAR", "MONTH", "DAY",
          "HOUR", "WEEKDAY"]  # fmt: skip
FUNCSN = [
    "SUM",
    "PRODUCT",
    "MIN",
    "MAX",
    "AVERAGE",
    "COUNT",
    "COUNTA",
    "CONCATENATE",
    "AND",
    "OR",
    "STDEV",
    "VAR",
]
OPS = ["+", "-", "*", "/", "^", "&", "<>", "<", ">", "<=", ">="]


class _Gen:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def atom(self, d: int) -> str:
        r = self.rng.random()
        if r < 0.25:
            return self.rng.choice(["1", "2", "0", "-3", "0.5", "10", "1e2", ".25", "3.75", "100"])
        if r < 0.5:
            return self.rng.choice(REFS)
        if r < 0.58:
            return self.rng.choice(['"a"', '"10"', '"Abc"', '""', '"x y"', "TRUE", "FALSE"])
        if r < 0.62:
            return self.rng.choice(["TAXRATE", "TWICE", "#DIV/0!", "NA()", "PI()"])
        return self.expr(d + 1)

    def expr(self, d: int = 0) -> str:
        rng = self.rng
        if d > 3:
            return rng.choice(["1", "A1", "2", "C4"])
        r = rng.random()
        if r < 0.3:
            return f"{self.atom(d)}{rng.choice(OPS)}{self.atom(d)}"
        if r < 0.4:
            return f"-{self.atom(d)}"
        if r < 0.45:
            return f"({self.expr(d + 1)})"
        if r < 0.5:
            return f"{self.atom(d)}%"
        if r < 0.65:
            return f"{rng.choice(FUNCS1)}({self.atom(d)})"
        if r < 0.8:
            args = ",".join(rng.choice([rng.choice(RANGES), self.atom(d)]) for _ in range(rng.randint(1, 3)))
            return f"{rng.choice(FUNCSN)}({args})"
        if r < 0.85:
            return f"IF({self.atom(d)},{self.atom(d)},{self.atom(d)})"
        if r < 0.9:
            return f"ROUND({self.atom(d)},{rng.choice(['0', '1', '2', '-1', 'A1'])})"
        if r < 0.93:
            return f"MOD({self.atom(d)},{self.atom(d)})"
        if r < 0.96:
            return f"LEFT({self.atom(d)},{rng.choice(['1', '2', '0'])})"
        crit = rng.choice(['">2"', '"a*"', "2", '"<>x"', '"="'])
        return f"COUNTIF({rng.choice(RANGES)},{crit})"


def _sheet(formulas: list[str]) -> str:
    data = (CASES / "data.msc").read_text(encoding="utf-8").split("\n")
    head = [ln for ln in data if ln.startswith(("version", "cell"))]
    names = [ln for ln in data if ln.startswith("name:")]
    cells = [f"cell:G{i + 1}:vtf:n:0:{encode(f)}" for i, f in enumerate(formulas)]
    return "\n".join([*head, *cells, f"sheet:c:7:r:{len(formulas)}", *names]) + "\n"


FORMULAS = {seed: [_Gen(seed).expr() for _ in range(PER_SHEET)] for seed in SEEDS}


@pytest.fixture(scope="module")
def reports(oracle_batch: Any) -> dict[str, Any]:
    return oracle_batch({f"fuzz-{seed}": _sheet(FORMULAS[seed]) for seed in SEEDS})


def _same(expected: dict[str, Any], cell: Any) -> bool:
    if cell.valuetype != expected["type"]:
        return False
    if expected["type"].startswith("e"):
        return True
    value = expected["value"]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return isinstance(cell.value, float) and math.isclose(cell.value, float(value), rel_tol=1e-13)
    return bool(cell.value == value)


@pytest.mark.parametrize("seed", SEEDS)
def test_random_formulas_agree_with_socialcalc(seed: int, reports: dict[str, Any]) -> None:
    report = reports[f"fuzz-{seed}"]
    assert not [e for e in report["errors"] if e.get("kind") == "recalc"], "the engine aborted its recalc"
    sheet = parse(_sheet(FORMULAS[seed])).sheet
    recalculate(sheet)
    mismatches = [
        (coord, expected["formula"], (expected["type"], expected["value"]), (cell.valuetype, cell.value))
        for coord, expected in report["cells"].items()
        if expected.get("formula") is not None and not _same(expected, cell := sheet.cells[coord])
    ]
    assert mismatches == []
