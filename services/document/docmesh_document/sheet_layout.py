"""How the rendered invoice sheet looks: style strings, cell styles, columns and their widths.

The renderer (:mod:`docmesh_document.render`) decides what goes in which cell; this module
holds what a cell looks like (:class:`Style`, interned into the sheet's style tables by
:class:`Styles`) and where the columns of the line table are (:func:`layout_columns`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from docmesh_common.model.invoice import Invoice, line_vat_category
from docmesh_common.model.vat import VatCategory
from docmesh_document.msc import Cell, CellKind, Sheet

__all__ = [
    "BORDER_DARK",
    "COLOR_HEADER_BG",
    "COLOR_MUTED",
    "COLOR_TITLE",
    "COLOR_TOTAL_BG",
    "COLOR_WHITE",
    "COLOR_ZEBRA",
    "DATE_FORMAT",
    "FLAG_FORMAT",
    "FONT_BOLD",
    "FONT_ITALIC",
    "FONT_TITLE",
    "LAYOUT_TOP",
    "PLAIN",
    "WIDTHS",
    "Columns",
    "Style",
    "Styles",
    "layout_columns",
    "money_format",
]

# Style strings (font/color/border/layout tables are not escaped: no colons allowed in them).
FONT_BOLD = "normal bold * *"
FONT_TITLE = "normal bold 18pt *"
FONT_ITALIC = "italic normal * *"
COLOR_WHITE = "rgb(255,255,255)"
COLOR_HEADER_BG = "rgb(44,62,80)"
COLOR_TITLE = "rgb(44,62,80)"
COLOR_MUTED = "rgb(110,110,110)"
COLOR_ZEBRA = "rgb(245,247,250)"
COLOR_TOTAL_BG = "rgb(232,236,241)"
BORDER_DARK = "1px solid rgb(44,62,80)"
LAYOUT_TOP = "padding:* * * *;vertical-align:top;"
FLAG_FORMAT = '"✓";;""'
DATE_FORMAT = "yyyy-mm-dd"

WIDTHS = {
    "no": 36,
    "sku": 90,
    "desc": 260,
    "qty": 64,
    "unit": 64,
    "price": 100,
    "disc": 84,
    "amount": 116,
    "tax": 64,
    "helper": 96,
}


# The sheet name of the rows a printout repeats on every page (the line table's header).
PRINT_TITLES = "PRINT_TITLES"


def money_format(digits: int) -> str:
    """Valueformat for amounts with ``digits`` minor-unit digits: ``#,##0``, ``#,##0.00``…"""
    return "#,##0" + ("." + "0" * digits if digits else "")


@dataclass(frozen=True)
class Style:
    """The style attributes of one cell (table indexes; 0 = default)."""

    font: int = 0
    color: int = 0
    bgcolor: int = 0
    cellformat: int = 0
    valueformat: int = 0  # the non-text valueformat (ntvf)
    layout: int = 0
    colspan: int = 0
    borders: tuple[int, int, int, int] = (0, 0, 0, 0)

    def with_(self, **changes: Any) -> Style:
        return _replaced(self, tuple(sorted(changes.items())))

    def cell(
        self, kind: CellKind, valuetype: str, value: float | str, *, formula: str = "", source: str = ""
    ) -> Cell:
        # Built by the dataclass __init__, not copied from a template cell's __dict__: a copy
        # is cheaper to make, but its attributes (a materialised instance dictionary) are
        # several times slower to read, and every later step reads every cell. Positional
        # arguments, in Cell's field order, because matching keywords doubled the cost of a
        # call made for every cell of a render.
        return Cell(
            "",  # coord (set by _Builder.put)
            kind,
            valuetype,
            value,
            formula,
            source,
            "",  # error
            False,  # readonly
            self.borders,
            self.layout,
            self.font,
            self.color,
            self.bgcolor,
            self.cellformat,
            0,  # textvalueformat
            self.valueformat,  # nontextvalueformat
            self.colspan,
        )


@lru_cache(maxsize=1024)
def _replaced(style: Style, changes: tuple[tuple[str, Any], ...]) -> Style:
    """``style`` with ``changes``; cached, as the same few variants are derived on every render
    (``dataclasses.replace`` of a frozen dataclass costs several microseconds)."""
    return replace(style, **dict(changes))


PLAIN = Style()


class Styles:
    """Interns style strings into the sheet's 1-based tables."""

    def __init__(self, sheet: Sheet) -> None:
        self._sheet = sheet

    def _index(self, table: dict[int, str], value: str) -> int:
        for idx, existing in table.items():
            if existing == value:
                return idx
        idx = len(table) + 1
        table[idx] = value
        return idx

    def font(self, value: str) -> int:
        return self._index(self._sheet.fonts, value)

    def color(self, value: str) -> int:
        return self._index(self._sheet.colors, value)

    def border(self, value: str) -> int:
        return self._index(self._sheet.borders, value)

    def layout(self, value: str) -> int:
        return self._index(self._sheet.layouts, value)

    def align(self, value: str) -> int:
        return self._index(self._sheet.cellformats, value)

    def valueformat(self, value: str) -> int:
        return self._index(self._sheet.valueformats, value)


@dataclass
class Columns:
    """Visible and helper column numbers (1-based); ``None`` when a column is not shown."""

    no: int
    sku: int | None
    desc: int
    qty: int
    unit: int | None
    price: int
    disc: int | None
    amount: int
    taxes: list[int] = field(default_factory=list)
    helpers: list[int] = field(default_factory=list)  # taxable[, partial r, r, share, base] (hidden)

    @property
    def last_visible(self) -> int:
        return self.taxes[-1] if self.taxes else self.amount


def layout_columns(invoice: Invoice) -> Columns:
    items = invoice.line_items
    next_col = 1

    def take(show: bool = True) -> int | None:
        nonlocal next_col
        if not show:
            return None
        col = next_col
        next_col += 1
        return col

    no = take()
    sku = take(any(i.sku for i in items))
    desc = take()
    qty = take()
    unit = take(any(i.unit for i in items))
    price = take()
    disc = take(any(i.discount is not None for i in items))
    amount = take()
    assert no and desc and qty and price and amount
    cols = Columns(no=no, sku=sku, desc=desc, qty=qty, unit=unit, price=price, disc=disc, amount=amount)
    cols.taxes = [next_col + i for i in range(len(invoice.taxes))]
    next_col += len(invoice.taxes)
    if invoice.taxes or shows_vat_breakdown(invoice):
        # The exact pro-rata base of a tax (or of a VAT group without tax) needs 4 more.
        helper_count = 5 if invoice.discounts else 1
        cols.helpers = [next_col + i for i in range(helper_count)]
    return cols


def shows_vat_breakdown(invoice: Invoice) -> bool:
    """Whether the sheet shows the VAT breakdown (EN 16931 BG-23): when the lines are in more than
    one VAT category and rate, or in a category other than standard rated (S) or, for an invoice
    without any tax, outside the scope of VAT (O). A simple invoice (one tax on every line, or no
    tax at all) stays as it was; so does one EN 16931 cannot express (a line under two taxes)."""
    try:
        keys = {line_vat_category(item, invoice.taxes) for item in invoice.line_items}
    except ValueError:
        return False
    if len(keys) > 1:
        return True
    simple = {VatCategory.STANDARD} if invoice.taxes else {VatCategory.STANDARD, VatCategory.OUTSIDE_SCOPE}
    return any(category not in simple for category, _ in keys)
