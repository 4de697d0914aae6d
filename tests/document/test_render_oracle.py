"""Rendered invoices load in the real SocialCalc engine and recalculate to docmesh's Decimal totals.

Every shape is rendered, written to a file and run through the oracle once (in parallel);
the tests then read the shared results. "Agree" means: the oracle reports ``ok`` with no
stale cached value, and every amount cell recalculates to exactly the Decimal that
``compute_totals`` produced (compared through the number's shortest repr, which is what
JavaScript prints).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from docmesh_document.render import RenderedInvoice, render_invoice
from tests.document.conftest import OracleBatch, oracle_number
from tests.document.invoice_shapes import HOSTILE_TEXTS, named_shapes, random_invoice

pytestmark = pytest.mark.oracle

RANDOM_SEEDS = range(24)


@pytest.fixture(scope="module")
def rendered() -> dict[str, RenderedInvoice]:
    shapes = {name: render_invoice(inv) for name, inv in named_shapes().items()}
    shapes.update({f"random-{seed}": render_invoice(random_invoice(seed)) for seed in RANDOM_SEEDS})
    # The bare container too, for a few shapes.
    return shapes


@pytest.fixture(scope="module")
def judged(rendered: dict[str, RenderedInvoice], oracle_batch: OracleBatch) -> dict[str, dict[str, Any]]:
    texts = {name: r.text() for name, r in rendered.items()}
    texts.update({f"bare-{name}": rendered[name].text(multipart=False) for name in ("gst-pst", "jpy", "kwd")})
    return oracle_batch(texts)


ALL_NAMES = [*named_shapes(), *(f"random-{s}" for s in RANDOM_SEEDS)]


@pytest.mark.parametrize("name", ALL_NAMES)
def test_rendered_shape_loads_without_errors_or_stale_values(
    name: str, judged: dict[str, dict[str, Any]]
) -> None:
    result = judged[name]
    assert result["ok"], result["errors"]
    assert result["input"]["form"] == "multipart"
    kinds = [w["kind"] for w in result["warnings"]]
    assert kinds == [], result["warnings"]


@pytest.mark.parametrize("name", ALL_NAMES)
def test_recalculated_amounts_equal_decimal_totals(
    name: str, rendered: dict[str, RenderedInvoice], judged: dict[str, dict[str, Any]]
) -> None:
    cells = judged[name]["cells"]
    expected = rendered[name].expected_values()
    got = {coord: oracle_number(cells[coord]["value"]) for coord in expected}
    assert got == expected


@pytest.mark.parametrize("name", ["gst-pst", "jpy", "kwd"])
def test_bare_container_recalculates_like_the_multipart_one(
    name: str, rendered: dict[str, RenderedInvoice], judged: dict[str, dict[str, Any]]
) -> None:
    bare = judged[f"bare-{name}"]
    assert bare["ok"]
    assert bare["input"]["form"] == "bare-sheet"
    assert {c: v["value"] for c, v in bare["cells"].items()} == {
        c: v["value"] for c, v in judged[name]["cells"].items()
    }


def test_every_amount_is_a_live_formula(
    rendered: dict[str, RenderedInvoice], judged: dict[str, dict[str, Any]]
) -> None:
    r = rendered["several-whole-discounts-pro-rata"]
    cells = judged["several-whole-discounts-pro-rata"]["cells"]
    c = r.cells
    computed = [
        *c.line_amounts,
        c.subtotal,
        c.discount_total,
        *c.tax_amounts,
        *c.tax_bases,
        c.tax_total,
        c.total,
    ]
    assert all(cells[coord]["formula"] for coord in computed if coord)
    assert cells[c.line_amounts[0]]["formula"].startswith("ROUND(ROUND(")


def test_half_even_ties_round_to_even(
    rendered: dict[str, RenderedInvoice], judged: dict[str, dict[str, Any]]
) -> None:
    r = rendered["half-even-ties"]
    cells = judged["half-even-ties"]["cells"]
    first, second = r.cells.line_amounts[:2]
    assert oracle_number(cells[first]["value"]) == Decimal("0.12")
    assert oracle_number(cells[second]["value"]) == Decimal("0.14")


def test_half_up_rounds_exact_halves_up_despite_binary_floats(
    rendered: dict[str, RenderedInvoice], judged: dict[str, dict[str, Any]]
) -> None:
    # 1.005 * 100 is 100.49999999999999 in doubles: a plain ROUND(…, 2) would give 1.00.
    r = rendered["half-up-ties"]
    cells = judged["half-up-ties"]["cells"]
    assert oracle_number(cells[r.cells.line_amounts[0]]["value"]) == Decimal("1.01")


def test_pro_rata_tie_follows_the_rounding_mode(
    rendered: dict[str, RenderedInvoice], judged: dict[str, dict[str, Any]]
) -> None:
    up, even = rendered["pro-rata-exact-tie"], rendered["pro-rata-exact-tie-half-even"]
    up_base = oracle_number(judged["pro-rata-exact-tie"]["cells"][up.cells.tax_bases[0]]["value"])
    even_base = oracle_number(
        judged["pro-rata-exact-tie-half-even"]["cells"][even.cells.tax_bases[0]]["value"]
    )
    assert (up_base, even_base) == (Decimal("99.99"), Decimal("99.98"))


def test_user_text_starting_with_formula_characters_stays_text(
    rendered: dict[str, RenderedInvoice], judged: dict[str, dict[str, Any]]
) -> None:
    cells = judged["hostile-text"]["cells"]
    texts = {v["value"] for v in cells.values() if v["type"] == "t"}
    for text in HOSTILE_TEXTS:
        assert text in texts
    for coord, cell in cells.items():
        if isinstance(cell["value"], str) and cell["value"][:1] in "=+-@":
            assert cell["formula"] is None, coord
            assert cell["type"] == "t", coord


def test_notes_with_colons_and_newlines_survive(judged: dict[str, dict[str, Any]]) -> None:
    cells = judged["hostile-text"]["cells"]
    assert "\n".join(HOSTILE_TEXTS) in {v["value"] for v in cells.values()}


def test_amounts_display_with_the_currency_minor_units(
    rendered: dict[str, RenderedInvoice], judged: dict[str, dict[str, Any]]
) -> None:
    displays = {
        name: judged[name]["cells"][rendered[name].cells.total]["display"]
        for name in ("jpy", "kwd", "one-line-tax")
    }
    assert displays["jpy"].count(".") == 0
    assert displays["kwd"].split(".")[1].__len__() == 3
    assert displays["one-line-tax"] == "1,620.00"


def test_dates_are_date_constants(
    rendered: dict[str, RenderedInvoice], judged: dict[str, dict[str, Any]]
) -> None:
    cells = judged["one-line-tax"]["cells"]
    dates = {v["constant"]: v for v in cells.values() if v["type"] == "nd"}
    assert dates["2026-03-15"]["value"] == 46096
    assert dates["2026-03-15"]["display"] == "2026-03-15"


def test_sheetjs_reads_the_multipart_form(
    rendered: dict[str, RenderedInvoice], oracle_batch: OracleBatch
) -> None:
    r = rendered["gst-pst"]
    result = oracle_batch({"sheetjs-gst-pst": r.text()}, sheetjs=True)["sheetjs-gst-pst"]
    sheetjs = result["sheetjs"]
    assert sheetjs["ok"] and sheetjs["read_as"] == "eth"
    # SheetJS does not recalculate: it shows the cached values, which must be the right ones.
    assert oracle_number(sheetjs["cells"][r.cells.total]["value"]) == r.totals.total


def test_half_even_ties_in_zero_and_three_digit_currencies(
    rendered: dict[str, RenderedInvoice], judged: dict[str, dict[str, Any]]
) -> None:
    jpy, kwd = rendered["jpy-half-even-ties"], rendered["kwd-half-even-ties"]
    jpy_cells, kwd_cells = judged["jpy-half-even-ties"]["cells"], judged["kwd-half-even-ties"]["cells"]
    assert [oracle_number(jpy_cells[c]["value"]) for c in jpy.cells.line_amounts] == [2, 4, 25]
    assert oracle_number(jpy_cells[jpy.cells.tax_amounts[0]]["value"]) == 2  # 10 % of 25 = 2.5
    assert [oracle_number(kwd_cells[c]["value"]) for c in kwd.cells.line_amounts[:2]] == [
        Decimal("0.012"),
        Decimal("0.014"),
    ]
