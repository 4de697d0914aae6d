"""The sheet writer: cells with their styles and exact rounding formulas, for every section.

SocialCalc computes in IEEE doubles and its ``ROUND(x, n)`` is ``Math.round(x * 10^n) / 10^n``,
so ``ROUND(1.005, 2)`` gives 1 (1.005 × 100 is 100.49999999999999). Rounding a product
directly would therefore disagree with Decimal arithmetic on exact halves. Each rounding of a
product is written instead as::

    ROUND(ROUND(x*10^d, K), 0) / 10^d          (half up)

The inner ``ROUND(…, K)`` snaps the scaled product to the exact decimal it stands for (the
operands have a known number of decimals, so the true result has at most K decimals after
scaling), which turns an exact half into an exactly representable ``….5``; ``ROUND(…, 0)``
then rounds it half up like Decimal. This is exact while ``|x| × 10^(d+K)`` stays below 2^53
(about 9 × 10^7 currency units with 2 decimals; ``render.precision_findings`` warns beyond it).
Sums and differences of amounts that are already rounded only need ``ROUND(…, d)`` to remove the
binary noise (0.1 + 0.2).

Banker's rounding (half even) has no SocialCalc function, but with the exact scaled value
``s`` it is ``ROUND(s, 0) − (MOD(s, 2) = 0.5)``: only an exact ``2k + 0.5`` rounds down to
the even neighbour (a comparison is 1 or 0 in arithmetic, in SocialCalc as in Excel).

All user text is written as ``t:`` text cells (escaped by the serializer): a description that
starts with ``=``, ``+``, ``-`` or ``@`` stays text and never becomes a formula.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import lru_cache

from docmesh_common.model.invoice import Discount, Invoice, RoundingMode
from docmesh_common.model.totals import InvoiceTotals, VatBreakdown
from docmesh_document.labels import labels
from docmesh_document.msc import Cell, CellKind, Sheet, coord
from docmesh_document.sheet_layout import (
    DATE_FORMAT,
    FONT_BOLD,
    PLAIN,
    Style,
    Styles,
    layout_columns,
    money_format,
)

__all__ = ["SheetWriter", "decimals", "percent_source", "rounding_formula", "scale"]

_EXCEL_EPOCH = dt.date(1899, 12, 30)  # SocialCalc day 1 is 1899-12-31, like Excel after 1900-03-01


def scale(digits: int) -> str:
    return str(10**digits)


def rounding_formula(expr: str, digits: int, mode: RoundingMode) -> str:
    """A SocialCalc formula rounding the product/quotient ``expr`` exactly like Decimal would.

    See the module docstring for why a plain ``ROUND(expr, digits)`` is not enough.
    """
    inner = max(6, 8 - digits)  # decimals of the scaled exact value (operands ≤ 4 + 4 or d + 6)
    scaled = f"ROUND({expr}*{scale(digits)},{inner})" if digits else f"ROUND({expr},{inner})"
    if mode is RoundingMode.HALF_EVEN:
        rounded = f"(ROUND({scaled},0)-(MOD({scaled},2)=0.5))"
    else:
        rounded = f"ROUND({scaled},0)"
    return f"{rounded}/{scale(digits)}" if digits else rounded


def _clean_text(text: str) -> str:
    # A raw CR before the line end would be eaten as part of "\r\n"; newlines are escaped.
    return text.replace("\r\n", "\n").replace("\r", "\n")


@lru_cache(maxsize=4096)
def decimals(value: Decimal) -> int:
    # Cached by value (equal Decimals have the same normalised exponent): every line's unit
    # price is asked on every render.
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def percent_source(percent: Decimal) -> str:
    return format(percent.normalize(), "f") + "%"


# Enum members bound once (a member lookup on the class costs ~70 ns; a render makes ~500 cells).
_TEXT, _VALUE, _CONSTANT, _FORMULA = CellKind.TEXT, CellKind.VALUE, CellKind.CONSTANT, CellKind.FORMULA


class SheetWriter:
    """Where the sheet is being written (row, columns, styles, words) and how cells are put."""

    def __init__(self, invoice: Invoice, totals: InvoiceTotals, breakdown: VatBreakdown | None) -> None:
        self.inv = invoice
        self.totals = totals
        self.breakdown = breakdown
        self.digits = totals.minor_units
        self.mode = invoice.rounding_mode
        self.sheet = Sheet()
        self.styles = Styles(self.sheet)
        # The printed words: one table (labels.py) for the sheet and the PDF.
        self.words = labels(invoice.language)
        self.cols = layout_columns(invoice)
        self.row = 1
        s = self.styles
        self.bold = s.font(FONT_BOLD)
        self.money_fmt = s.valueformat(money_format(self.digits))
        self.right = s.align("right")
        self.center = s.align("center")
        self.line_amount_cells: list[str] = []  # the line table's amount cells, in order

    # --- cell helpers -------------------------------------------------------------------

    def put(self, col: int, row: int, cell: Cell) -> Cell:
        cell.coord = coord(col, row)
        self.sheet.cells[cell.coord] = cell
        return cell

    def text(self, col: int, row: int, value: str, style: Style = PLAIN) -> Cell:
        return self.put(col, row, style.cell(_TEXT, "t", _clean_text(value)))

    def number(self, col: int, row: int, value: Decimal | int, style: Style = PLAIN) -> Cell:
        return self.put(col, row, style.cell(_VALUE, "n", float(value)))

    def percent(self, col: int, row: int, percent: Decimal, fmt: int, style: Style = PLAIN) -> Cell:
        cell = style.cell(CellKind.CONSTANT, "n%", float(percent / 100), source=percent_source(percent))
        cell.nontextvalueformat = fmt
        return self.put(col, row, cell)

    def date(self, col: int, row: int, value: dt.date, style: Style = PLAIN) -> Cell:
        cell = style.cell(
            CellKind.CONSTANT, "nd", float((value - _EXCEL_EPOCH).days), source=value.isoformat()
        )
        cell.nontextvalueformat = self.styles.valueformat(DATE_FORMAT)
        return self.put(col, row, cell)

    def formula(self, col: int, row: int, formula: str, cached: Decimal | int, style: Style = PLAIN) -> Cell:
        return self.put(col, row, style.cell(_FORMULA, "n", float(cached), formula=formula))

    def round_exact(self, expr: str) -> str:
        return rounding_formula(expr, self.digits, self.mode)

    def round_plain(self, expr: str) -> str:
        return f"ROUND({expr},{self.digits})"

    def _percent_format(self, discounts: list[Discount | None]) -> int:
        percents = [d.percent for d in discounts if d is not None and d.percent is not None]
        return self._percent_format_for(percents)

    def _percent_format_for(self, percents: list[Decimal]) -> int:
        digits = max([0, *(decimals(p) for p in percents)])
        return self.styles.valueformat("0" + ("." + "0" * digits if digits else "") + "%")

    def _total_row(self, label: str, *, bold: bool = False) -> int:
        """Writes the label of a totals row (merged across the description columns)."""
        c = self.cols
        row = self.row
        span = c.price - c.desc
        style = Style(cellformat=self.right, colspan=span if span > 1 else 0, font=self.bold if bold else 0)
        self.text(c.desc, row, label, style)
        self.row += 1
        return row
