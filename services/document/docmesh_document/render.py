"""Render a typed invoice (or quote, receipt, purchase order) to an MSC sheet with live formulas.

Every amount in the sheet is a formula that recomputes :mod:`docmesh_common.model.totals` step by
step, and every cached value written next to a formula is the Decimal result of that step, so
readers that do not recalculate (SheetJS, plain-text exports) show the same numbers as
EtherCalc after its recalc.

SocialCalc computes in IEEE doubles and its ``ROUND(x, n)`` is ``Math.round(x * 10^n) / 10^n``,
so ``ROUND(1.005, 2)`` gives 1 (1.005 × 100 is 100.49999999999999). Rounding a product
directly would therefore disagree with Decimal arithmetic on exact halves. Each rounding of a
product is written instead as::

    ROUND(ROUND(x*10^d, K), 0) / 10^d          (half up)

The inner ``ROUND(…, K)`` snaps the scaled product to the exact decimal it stands for (the
operands have a known number of decimals, so the true result has at most K decimals after
scaling), which turns an exact half into an exactly representable ``….5``; ``ROUND(…, 0)``
then rounds it half up like Decimal. This is exact while ``|x| × 10^(d+K)`` stays below 2^53
(about 9 × 10^7 currency units with 2 decimals; :func:`precision_findings` warns beyond it). Sums and
differences of amounts that are already rounded only need ``ROUND(…, d)`` to remove the
binary noise (0.1 + 0.2).

Banker's rounding (half even) has no SocialCalc function, but with the exact scaled value
``s`` it is ``ROUND(s, 0) − (MOD(s, 2) = 0.5)``: only an exact ``2k + 0.5`` rounds down to
the even neighbour (a comparison is 1 or 0 in arithmetic, in SocialCalc as in Excel).

The pro-rata tax base ``taxable − taxable × discount / subtotal`` involves a division, whose
exact quotient has no finite decimal form, so the sheet computes it on integers of minor units
(b, d, s) in hidden helper columns: the share ``q = (b × d) div s`` and the remainder
``r = (b × d) mod s``, then ``base = b − q − (2r > s)`` (plus the even-tie term for half even),
which is what :meth:`totals._Rounder.discounted_base` does. When the rated taxes split the lines
between them, the largest one's base is instead ``subtotal − discount − Σ the other rated bases``
(``TaxTotal.balancing``), so the bases add up to the discounted subtotal as EN 16931 requires. ``b × d`` itself can pass 2^53, so
it is never formed: b is split as ``high × 10^4 + low`` and the remainder is taken in two steps
(``(high × d) mod s``, then ``(that × 10^4 + low × d) mod s``), every intermediate staying
below 2^53 while ``s² / 10^4`` does (subtotals up to ~9.5 × 10^9 minor units).

All user text is written as ``t:`` text cells (escaped by the serializer): a description that
starts with ``=``, ``+``, ``-`` or ``@`` stays text and never becomes a formula.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from docmesh_common.model.invoice import Discount, DocumentKind, Invoice, Party, RoundingMode
from docmesh_common.model.totals import (
    InvoiceTotals,
    VatBreakdown,
    compute_totals,
    round_money,
    tax_applies,
    vat_breakdown,
)
from docmesh_common.model.vat import VatCategory
from docmesh_document.labels import date_facts, labels, party_lines, preceding_invoice_fact
from docmesh_document.msc import (
    Cell,
    CellKind,
    ColAttrs,
    Document,
    Finding,
    Name,
    RowAttrs,
    Sheet,
    col_name,
    coord,
    serialize,
)
from docmesh_document.sheet_layout import (
    BORDER_DARK,
    COLOR_HEADER_BG,
    COLOR_MUTED,
    COLOR_TITLE,
    COLOR_TOTAL_BG,
    COLOR_WHITE,
    COLOR_ZEBRA,
    DATE_FORMAT,
    FLAG_FORMAT,
    FONT_BOLD,
    FONT_ITALIC,
    FONT_TITLE,
    LAYOUT_TOP,
    PLAIN,
    PRINT_TITLES,
    WIDTHS,
    Style,
    Styles,
    layout_columns,
    money_format,
    shows_vat_breakdown,
)

__all__ = [
    "InvoiceCells",
    "RenderedInvoice",
    "document_title",
    "precision_findings",
    "precision_limit",
    "render_invoice",
    "rounding_formula",
]

_EXCEL_EPOCH = dt.date(1899, 12, 30)  # SocialCalc day 1 is 1899-12-31, like Excel after 1900-03-01
_SPLIT = 10**4  # the pro-rata helpers split the taxable amount (minor units) at this power of ten


def document_title(invoice: Invoice) -> str:
    """The heading: the invoice's own title, or the kind's name in the document's language."""
    return invoice.title or labels(invoice.language).titles[invoice.kind]


def _scale(digits: int) -> str:
    return str(10**digits)


def rounding_formula(expr: str, digits: int, mode: RoundingMode) -> str:
    """A SocialCalc formula rounding the product/quotient ``expr`` exactly like Decimal would.

    See the module docstring for why a plain ``ROUND(expr, digits)`` is not enough.
    """
    inner = max(6, 8 - digits)  # decimals of the scaled exact value (operands ≤ 4 + 4 or d + 6)
    scaled = f"ROUND({expr}*{_scale(digits)},{inner})" if digits else f"ROUND({expr},{inner})"
    if mode is RoundingMode.HALF_EVEN:
        rounded = f"(ROUND({scaled},0)-(MOD({scaled},2)=0.5))"
    else:
        rounded = f"ROUND({scaled},0)"
    return f"{rounded}/{_scale(digits)}" if digits else rounded


def _clean_text(text: str) -> str:
    # A raw CR before the line end would be eaten as part of "\r\n"; newlines are escaped.
    return text.replace("\r\n", "\n").replace("\r", "\n")


@lru_cache(maxsize=4096)
def _decimals(value: Decimal) -> int:
    # Cached by value (equal Decimals have the same normalised exponent): every line's unit
    # price is asked on every render.
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _percent_source(percent: Decimal) -> str:
    return format(percent.normalize(), "f") + "%"


# Enum members bound once (a member lookup on the class costs ~70 ns; a render makes ~500 cells).
_TEXT, _VALUE, _CONSTANT, _FORMULA = CellKind.TEXT, CellKind.VALUE, CellKind.CONSTANT, CellKind.FORMULA


@dataclass(frozen=True)
class InvoiceCells:
    """Where each computed amount lives in the rendered sheet (coordinates)."""

    line_amounts: tuple[str, ...]
    subtotal: str
    discount_total: str | None  # holds the negative discount total
    tax_bases: tuple[str, ...]
    tax_amounts: tuple[str, ...]
    tax_total: str | None
    shipping: str | None
    total: str
    amount_paid: str | None
    balance_due: str | None
    # The VAT breakdown's rows (EN 16931 BG-23), one base and one tax per group; empty when not shown.
    vat_bases: tuple[str, ...] = ()
    vat_amounts: tuple[str, ...] = ()


@dataclass(frozen=True)
class RenderedInvoice:
    """The rendered document, its Decimal totals and where the totals are in the sheet."""

    document: Document
    totals: InvoiceTotals
    cells: InvoiceCells
    breakdown: VatBreakdown | None = None  # in the sheet's decimals, when the sheet shows it

    def text(self, *, multipart: bool = True) -> str:
        """The MSC text in the multipart wrapper (default) or as a bare sheet save."""
        if multipart == self.document.multipart:
            return serialize(self.document)
        return serialize(Document(sheet=self.document.sheet, multipart=False))

    def expected_values(self) -> dict[str, Decimal]:
        """Cell → the Decimal that the cell must recalculate to (negated discount total)."""
        t, c = self.totals, self.cells
        out = dict(zip(c.line_amounts, t.line_amounts, strict=True))
        out[c.subtotal] = t.subtotal
        if c.discount_total:
            out[c.discount_total] = -t.discount_total
        for base_cell, amount_cell, tax in zip(c.tax_bases, c.tax_amounts, t.taxes, strict=True):
            out[base_cell] = tax.base
            out[amount_cell] = tax.amount
        if c.tax_total:
            out[c.tax_total] = t.tax_total
        if c.shipping:
            out[c.shipping] = t.shipping
        out[c.total] = t.total
        if c.amount_paid:
            out[c.amount_paid] = t.amount_paid
        if c.balance_due:
            out[c.balance_due] = t.balance_due
        if self.breakdown is not None:
            for base_cell, amount_cell, group in zip(
                c.vat_bases, c.vat_amounts, self.breakdown.groups, strict=True
            ):
                out[base_cell] = group.taxable
                out[amount_cell] = group.amount
        return out


class _Builder:
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
        cell = style.cell(CellKind.CONSTANT, "n%", float(percent / 100), source=_percent_source(percent))
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

    # --- sections -----------------------------------------------------------------------

    def build(self) -> tuple[Sheet, InvoiceCells]:
        self._title()
        self._header_blocks()
        first, last = self._line_table()
        cells = self._totals(first, last)
        self._notes()
        self._finish()
        return self.sheet, cells

    def _title(self) -> None:
        s = self.styles
        style = Style(font=s.font(FONT_TITLE), color=s.color(COLOR_TITLE), colspan=self.cols.desc)
        self.text(1, 1, document_title(self.inv), style)
        self.sheet.rows[1] = RowAttrs(height=34)
        self.row = 3

    def _party_lines(self, party: Party) -> list[str]:
        lines = party_lines(party, self.inv.language)
        return [party.name, *lines] if party.name else lines

    def _header_blocks(self) -> None:
        inv, c, s, words = self.inv, self.cols, self.styles, self.words
        left: list[tuple[str, bool]] = []  # (text, is_heading)
        for label, which in words.party_blocks[inv.kind]:
            party: Party = getattr(inv, which)
            if party.is_empty():
                continue
            if left:
                left.append(("", False))
            left.append((label, True))
            left.extend((line, False) for line in self._party_lines(party))

        right: list[tuple[str, str | dt.date]] = []
        # A draft shows DRAFT where its number goes (it gets one when it is finalized).
        right.append((words.number[inv.kind], inv.number or words.draft))
        for date_label, day_or_period in date_facts(inv, words):
            # A period is text (two dates in one cell); a day is a date cell.
            if isinstance(day_or_period, tuple):
                first, last = day_or_period
                right.append((date_label, f"{first.isoformat()} – {last.isoformat()}"))
            else:
                right.append((date_label, day_or_period))
        if inv.payment_terms:
            right.append((words.payment_terms, inv.payment_terms))
        if inv.payment_method:
            right.append((words.payment_method, inv.payment_method))
        if inv.reference:
            right.append((words.reference, inv.reference))
        corrects = preceding_invoice_fact(inv, words, dt.date.isoformat)
        if corrects is not None:
            right.append(corrects)
        right.append((words.currency, inv.currency_code))

        label_col = c.amount - 1
        span = 1 + len(c.taxes)
        heading = Style(font=self.bold, color=s.color(COLOR_MUTED))
        label_style = heading.with_(cellformat=self.right)
        value_style = Style(cellformat=self.right, colspan=span if span > 1 else 0)
        for i in range(max(len(left), len(right))):
            row = self.row + i
            if i < len(left) and left[i][0]:
                text, is_heading = left[i]
                self.text(c.desc, row, text, heading if is_heading else PLAIN)
            if i < len(right):
                label, value = right[i]
                self.text(label_col, row, label, label_style)
                if isinstance(value, dt.date):
                    self.date(c.amount, row, value, value_style)
                else:
                    self.text(c.amount, row, value, value_style)
        self.row += max(len(left), len(right)) + 1

    def _line_table(self) -> tuple[int, int]:
        inv, c, s, t = self.inv, self.cols, self.styles, self.totals
        head = Style(font=self.bold, color=s.color(COLOR_WHITE), bgcolor=s.color(COLOR_HEADER_BG))
        cur = inv.currency_code
        headers: list[tuple[int | None, str]] = [
            (c.no, "#"),
            (c.sku, "SKU"),
            (c.desc, self.words.description),
            (c.qty, self.words.quantity),
            (c.unit, self.words.unit),
            (c.price, f"{self.words.unit_price} ({cur})"),
            (c.disc, self.words.discount),
            (c.amount, f"{self.words.amount} ({cur})"),
        ]
        headers.extend(zip(c.taxes, (tax.name for tax in inv.taxes), strict=True))
        numeric = {c.qty, c.price, c.disc, c.amount}
        header_row = self.row
        # Printed on every page of a long XLSX (its print titles); see exports.PRINT_TITLES.
        self.sheet.names[PRINT_TITLES] = Name(
            PRINT_TITLES, "the line table's header row", f"A{header_row}:A{header_row}"
        )
        for col, label in headers:
            if col is not None:
                align = self.right if col in numeric else self.center if col in c.taxes else 0
                self.text(col, header_row, label, head.with_(cellformat=align))
        helper_labels = ["Taxable", "Partial remainder", "Pro-rata remainder", "Pro-rata share", "Tax base"]
        helper_head = Style(font=self.bold, color=s.color(COLOR_MUTED))
        for col, label in zip(c.helpers, helper_labels, strict=False):
            self.text(col, header_row, label, helper_head)

        price_digits = max([self.digits, *(_decimals(i.unit_price) for i in inv.line_items)])
        price_fmt = s.valueformat(money_format(min(price_digits, 4)))
        percent_fmt = self._percent_format([i.discount for i in inv.line_items])
        flag_fmt = s.valueformat(FLAG_FORMAT)
        zebra = s.color(COLOR_ZEBRA)
        # Two row styles (plain and zebra) of each column style, built once.
        bands = []
        for bg in (0, zebra):
            plain = Style(bgcolor=bg)
            bands.append(
                (
                    plain,
                    plain.with_(cellformat=self.center),
                    plain.with_(valueformat=price_fmt),
                    plain.with_(valueformat=percent_fmt),
                    plain.with_(valueformat=self.money_fmt),
                    plain.with_(valueformat=flag_fmt, cellformat=self.center),
                )
            )
        qty_col, price_col, disc_col = col_name(c.qty), col_name(c.price), col_name(c.disc) if c.disc else ""
        first = header_row + 1
        self.line_amount_cells: list[str] = []
        for index, (item, line) in enumerate(zip(inv.line_items, t.lines, strict=True)):
            row = first + index
            plain, centered, price_style, percent_style, money_style, flag_style = bands[index % 2]
            self.number(c.no, row, index + 1, centered)
            if c.sku is not None:
                self.text(c.sku, row, item.sku, plain)
            self.text(c.desc, row, item.description, plain)
            self.number(c.qty, row, item.quantity, plain)
            if c.unit is not None:
                self.text(c.unit, row, item.unit, plain)
            self.number(c.price, row, item.unit_price, price_style)
            gross = self.round_exact(f"{qty_col}{row}*{price_col}{row}")
            if item.discount is None:
                formula = gross
                if c.disc is not None and plain.bgcolor:
                    self.put(c.disc, row, Cell("", bgcolor=plain.bgcolor))
            else:
                assert c.disc is not None
                d = f"{disc_col}{row}"
                if item.discount.percent is not None:
                    self.percent(c.disc, row, item.discount.percent, percent_fmt, percent_style)
                    formula = self.round_plain(f"{gross}-{self.round_exact(f'{gross}*{d}')}")
                else:
                    nominal = round_money(item.discount.amount or Decimal(0), inv.currency_code, self.mode)
                    self.number(c.disc, row, nominal, money_style)
                    formula = self.round_plain(f"MAX({gross}-ROUND({d},{self.digits}),0)")
            cell = self.formula(c.amount, row, formula, line.amount, money_style)
            self.line_amount_cells.append(cell.coord)
            for col, tax in zip(c.taxes, inv.taxes, strict=True):
                self.number(col, row, int(tax_applies(item, tax)), flag_style)
        last = first + len(inv.line_items) - 1
        # A rule under the table: bottom border on the last row (or the header when empty).
        rule = s.border(BORDER_DARK)
        rule_row = last if inv.line_items else header_row
        for col in range(1, c.last_visible + 1):
            cell = self.sheet.cells.get(coord(col, rule_row)) or self.put(col, rule_row, Cell(""))
            cell.borders = (cell.borders[0], 0, rule, 0)
        self.row = max(last, header_row) + 2
        return first, last

    def _percent_format(self, discounts: list[Discount | None]) -> int:
        percents = [d.percent for d in discounts if d is not None and d.percent is not None]
        return self._percent_format_for(percents)

    def _percent_format_for(self, percents: list[Decimal]) -> int:
        digits = max([0, *(_decimals(p) for p in percents)])
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

    def _totals(self, first: int, last: int) -> InvoiceCells:
        inv, c, t, s = self.inv, self.cols, self.totals, self.styles
        dg = self.digits
        amt = c.amount
        money = Style(valueformat=self.money_fmt)
        bold_money = money.with_(font=self.bold)
        right = Style(cellformat=self.right)

        # Subtotal
        row = self._total_row(self.words.subtotal, bold=True)
        sum_expr = f"SUM({coord(amt, first)}:{coord(amt, last)})" if inv.line_items else "0"
        subtotal = self.formula(amt, row, self.round_plain(sum_expr), t.subtotal, bold_money).coord

        # Whole-document discounts (shown as negative amounts)
        discount_total: str | None = None
        percent_fmt = self._percent_format(list(inv.discounts))
        rows: list[str] = []
        single = len(inv.discounts) == 1
        for discount, value in zip(inv.discounts, t.discounts, strict=True):
            row = self._total_row(discount.description or self.words.discount)
            rate = coord(c.price, row)
            if discount.percent is not None:
                self.percent(c.price, row, discount.percent, percent_fmt, right)
                raw = self.round_exact(f"{subtotal}*{rate}")
            else:
                self.number(c.price, row, value, right.with_(valueformat=self.money_fmt))
                raw = f"ROUND({rate},{dg})"
            if single:
                # One discount: the row itself is capped at the subtotal.
                cell = self.formula(amt, row, f"-MIN({raw},{subtotal})", -t.discount_total, money)
                discount_total = cell.coord
            else:
                cell = self.formula(amt, row, f"-{raw}", -value, money)
            rows.append(cell.coord)
        if len(rows) > 1:
            row = self._total_row(self.words.total_discount, bold=True)
            formula = f"-MIN(ROUND(-SUM({rows[0]}:{rows[-1]}),{dg}),{subtotal})"
            discount_total = self.formula(amt, row, formula, -t.discount_total, bold_money).coord

        # Taxes
        tax_bases: list[str] = []
        tax_amounts: list[str] = []
        rate_fmt = self._percent_format_for([x.rate_percent for x in inv.taxes])
        for tax_index, (tax, tax_totals) in enumerate(zip(inv.taxes, t.taxes, strict=True)):
            row = self._total_row(tax.name)
            flags = c.taxes[tax_index]
            if inv.line_items:
                amounts = f"{coord(amt, first)}:{coord(amt, last)}"
                taxable_expr = f"SUMPRODUCT({amounts},{coord(flags, first)}:{coord(flags, last)})"
            else:
                taxable_expr = "0"
            base = self._tax_base(
                row, taxable_expr, subtotal, discount_total, tax_totals.taxable, tax_totals.base
            )
            self.percent(c.price, row, tax.rate_percent, rate_fmt, right)
            formula = self.round_exact(f"{base}*{coord(c.price, row)}")
            tax_bases.append(base)
            tax_amounts.append(self.formula(amt, row, formula, tax_totals.amount, money).coord)
        for tax_index, tax_totals in enumerate(t.taxes):
            if tax_totals.balancing and discount_total is not None:
                # Its base takes the rounding difference (totals.py, step 5): the rated bases
                # then add up to the discounted subtotal.
                others = "".join(
                    f"-{cell}"
                    for i, (cell, other) in enumerate(zip(tax_bases, t.taxes, strict=True))
                    if i != tax_index and other.rate_percent > 0
                )
                cell = self.sheet.cells[tax_bases[tax_index]]
                cell.formula = self.round_plain(f"{subtotal}+{discount_total}{others}")
        tax_total: str | None = tax_amounts[0] if len(tax_amounts) == 1 else None
        if len(tax_amounts) > 1:
            row = self._total_row(self.words.total_tax, bold=True)
            formula = self.round_plain(f"SUM({tax_amounts[0]}:{tax_amounts[-1]})")
            tax_total = self.formula(amt, row, formula, t.tax_total, bold_money).coord

        shipping: str | None = None
        if inv.shipping is not None:
            row = self._total_row(self.words.shipping)
            shipping = self.number(amt, row, t.shipping, money).coord

        # Total
        row = self._total_row(self.words.total, bold=True)
        expr = "+".join(p for p in (subtotal, discount_total, tax_total, shipping) if p)
        top_bottom = s.border(BORDER_DARK)
        total_bg = s.color(COLOR_TOTAL_BG)
        rules = (top_bottom, 0, top_bottom, 0)
        label_cell = self.sheet.cells[coord(c.desc, row)]
        label_cell.bgcolor, label_cell.borders = total_bg, rules
        total_style = bold_money.with_(bgcolor=total_bg, borders=rules)
        total = self.formula(amt, row, self.round_plain(expr), t.total, total_style).coord

        amount_paid: str | None = None
        balance_due: str | None = None
        if inv.kind is DocumentKind.RECEIPT or inv.amount_paid is not None:
            row = self._total_row(self.words.amount_paid)
            amount_paid = self.number(amt, row, t.amount_paid, money).coord
            row = self._total_row(self.words.balance_due, bold=True)
            formula = self.round_plain(f"{total}-{amount_paid}")
            balance_due = self.formula(amt, row, formula, t.balance_due, bold_money).coord

        vat_bases, vat_amounts = self._vat_breakdown(
            subtotal, discount_total, shipping, tax_bases, tax_amounts
        )
        return InvoiceCells(
            vat_bases=vat_bases,
            vat_amounts=vat_amounts,
            line_amounts=tuple(self.line_amount_cells),
            subtotal=subtotal,
            discount_total=discount_total,
            tax_bases=tuple(tax_bases),
            tax_amounts=tuple(tax_amounts),
            tax_total=tax_total,
            shipping=shipping,
            total=total,
            amount_paid=amount_paid,
            balance_due=balance_due,
        )

    def _tax_base(
        self,
        row: int,
        expr: str,
        subtotal: str,
        discount_total: str | None,
        taxable: Decimal,
        base: Decimal,
    ) -> str:
        """Writes the hidden helper cells of one row whose amount ``expr`` is reduced pro rata by
        the discount total (a tax, or a VAT group without tax) and returns the base cell."""
        c, dg = self.cols, self.digits
        money = Style(valueformat=self.money_fmt)
        taxable_cell = self.formula(c.helpers[0], row, self.round_plain(expr), taxable, money).coord
        if discount_total is None:
            return taxable_cell
        scale = _scale(dg)
        share, remainder, partial = self._pro_rata(taxable)
        b = f"ROUND({taxable_cell}*{scale},0)"
        d = f"ROUND(-{discount_total}*{scale},0)"
        s = f"ROUND({subtotal}*{scale},0)"
        # taxable × discount can exceed 2^53 minor units, so it is never formed: with
        # b = high × 10^4 + low, (high × d) mod s and then (that × 10^4 + low × d) mod s
        # give the remainder, and the two exact quotients give the share (see _pro_rata).
        high, low, split = f"INT({b}/{_SPLIT})", f"MOD({b},{_SPLIT})", _SPLIT
        r1 = self.formula(c.helpers[1], row, f"IF({d}=0,0,MOD({high}*{d},{s}))", partial).coord
        r = self.formula(c.helpers[2], row, f"IF({d}=0,0,MOD({r1}*{split}+{low}*{d},{s}))", remainder).coord
        q_formula = f"IF({d}=0,0,({high}*{d}-{r1})/{s}*{split}+({r1}*{split}+{low}*{d}-{r})/{s})"
        q = self.formula(c.helpers[3], row, q_formula, share).coord
        minor = f"{b}-{q}-(2*{r}>{s})"
        if self.mode is RoundingMode.HALF_EVEN:
            minor += f"-(2*{r}={s})*MOD({b}-{q},2)"
        formula = f"IF({d}=0,{taxable_cell},({minor})/{scale})"
        return self.formula(c.helpers[4], row, formula, base, money).coord

    def _vat_breakdown(
        self,
        subtotal: str,
        discount_total: str | None,
        shipping: str | None,
        tax_bases: list[str],
        tax_amounts: list[str],
    ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The VAT breakdown rows (BG-23) under the totals; their formulas recompute
        ``vat_breakdown`` in the sheet's decimals from the cells above (totals.py says how)."""
        b = self.breakdown
        if b is None:
            return (), ()
        inv, c, s, amt = self.inv, self.cols, self.styles, self.cols.amount
        money = Style(valueformat=self.money_fmt)
        muted = Style(font=self.bold, color=s.color(COLOR_MUTED))
        self.row += 1
        row = self._total_row(self.words.vat_breakdown, bold=True)
        self.text(c.price, row, self.words.taxable_amount, muted.with_(cellformat=self.right))
        self.text(amt, row, self.words.tax, muted.with_(cellformat=self.right))
        # Rows in group order; a group's base cell is known before its formula is written, so
        # the remainder group can subtract the others whatever their order.
        first_row = self.row
        base_cells = [coord(c.price, first_row + i) for i in range(len(b.groups))]
        bases: list[str] = []
        amounts: list[str] = []
        for index, group in enumerate(b.groups):
            key = (group.category, group.rate_percent)
            rate = (
                ""
                if group.category is VatCategory.OUTSIDE_SCOPE
                else f" {_percent_source(group.rate_percent)}"
            )
            label = f"{group.category.value}{rate}"
            if group.exemption_reason:
                label += f" – {group.exemption_reason}"
            row = self._total_row(label)
            charge = shipping if shipping is not None and key == (b.shipping_category, Decimal(0)) else None
            rated = [
                i
                for i, tax in enumerate(inv.taxes)
                if tax.rate_percent > 0 and tax.rate_percent == group.rate_percent
            ]
            if group.category is VatCategory.STANDARD:
                formula = self.round_plain("+".join(tax_bases[i] for i in rated))
                tax_formula = self.round_plain("+".join(tax_amounts[i] for i in rated))
                self.formula(c.price, row, formula, group.taxable, money)
                amounts.append(self.formula(amt, row, tax_formula, group.amount, money).coord)
            else:
                cells = [
                    line_cell
                    for line_cell, line_key in zip(self.line_amount_cells, b.line_categories, strict=True)
                    if line_key == key
                ]
                lines = "+".join(cells) or "0"
                if discount_total is not None and index == b.remainder_group:
                    # Takes the rounding remainder: the bases add up to the tax-exclusive total.
                    others = "".join(f"-{cell}" for i, cell in enumerate(base_cells) if i != index)
                    parts = f"{subtotal}+{discount_total}" + (f"+{shipping}" if shipping else "")
                    formula = self.round_plain(parts + others)
                elif discount_total is not None and cells:
                    base_cell = self._tax_base(
                        row, lines, subtotal, discount_total, group.line_total, group.taxable - group.charge
                    )
                    formula = self.round_plain(f"{base_cell}+{charge}") if charge else base_cell
                else:
                    formula = self.round_plain(f"{lines}+{charge}" if charge else lines)
                self.formula(c.price, row, formula, group.taxable, money)
                amounts.append(self.number(amt, row, group.amount, money).coord)
            bases.append(base_cells[index])
        return tuple(bases), tuple(amounts)

    def _pro_rata(self, taxable: Decimal) -> tuple[int, int, int]:
        """The integers the helper cells hold: (share, remainder, partial remainder), where
        share × s + remainder = taxable × discount in minor units, computed the sheet's way."""
        dg = self.digits
        b = int(taxable.scaleb(dg))
        d = int(self.totals.discount_total.scaleb(dg))
        s = int(self.totals.subtotal.scaleb(dg))
        if d == 0:
            return 0, 0, 0
        high, low = divmod(b, _SPLIT)
        partial = high * d % s
        share, remainder = divmod(b * d, s)
        assert remainder == (partial * _SPLIT + low * d) % s
        return share, remainder, partial

    def _notes(self) -> None:
        if not self.inv.notes:
            return
        c, s = self.cols, self.styles
        self.row += 1
        self.text(c.desc, self.row, self.words.notes, Style(font=self.bold, color=s.color(COLOR_MUTED)))
        self.row += 1
        span = c.last_visible - c.desc + 1
        style = Style(font=s.font(FONT_ITALIC), layout=s.layout(LAYOUT_TOP), colspan=span if span > 1 else 0)
        self.text(c.desc, self.row, self.inv.notes, style)
        self.row += 1

    def _finish(self) -> None:
        c = self.cols
        widths: dict[int | None, int] = {
            c.no: WIDTHS["no"],
            c.sku: WIDTHS["sku"],
            c.desc: WIDTHS["desc"],
            c.qty: WIDTHS["qty"],
            c.unit: WIDTHS["unit"],
            c.price: WIDTHS["price"],
            c.disc: WIDTHS["disc"],
            c.amount: WIDTHS["amount"],
        }
        for col in c.taxes:
            widths[col] = WIDTHS["tax"]
        for maybe_col, width in widths.items():
            if maybe_col is not None:
                self.sheet.cols[col_name(maybe_col)] = ColAttrs(width=str(width))
        for col in c.helpers:
            # Intermediate integers of the exact pro-rata computation: kept out of sight.
            self.sheet.cols[col_name(col)] = ColAttrs(width=str(WIDTHS["helper"]), hide="yes")
        self.sheet.attribs.lastcol = c.helpers[-1] if c.helpers else c.last_visible
        self.sheet.attribs.lastrow = max(self.row - 1, 1)


_EXACT_LIMIT = 2**53  # integers up to here are exact in IEEE doubles


def precision_limit(digits: int) -> Decimal:
    """Largest amount whose rounding formula is exact in SocialCalc's doubles (see module doc)."""
    return Decimal(_EXACT_LIMIT).scaleb(-max(digits + 6, 8))


def precision_findings(rendered: RenderedInvoice) -> list[Finding]:
    """Warnings for amounts too large for spreadsheet engines to compute exactly in doubles.

    Beyond these limits the sheet's formulas may differ from the Decimal totals in the last
    digit when a spreadsheet recalculates; docmesh's own numbers stay exact.
    """
    t, c = rendered.totals, rendered.cells
    limit = precision_limit(t.minor_units)
    out: list[Finding] = []
    largest = max(
        [t.subtotal, t.total, *(line.gross for line in t.lines), *(x.taxable for x in t.taxes)],
        default=Decimal(0),
    )
    if largest >= limit:
        out.append(
            Finding(
                "logic",
                "float-precision",
                0,
                c.total,
                "warning",
                f"amounts of {largest} exceed {limit:.0f}: spreadsheet engines compute in binary doubles "
                "and may differ from the exact totals in the last digit",
            )
        )
    subtotal_minor = int(t.subtotal.scaleb(t.minor_units))
    if t.discount_total and t.taxes and subtotal_minor * (subtotal_minor // _SPLIT + 1) >= _EXACT_LIMIT:
        out.append(
            Finding(
                "logic",
                "float-precision",
                0,
                c.tax_bases[0] if c.tax_bases else c.total,
                "warning",
                f"a subtotal of {t.subtotal} is too large for the exact pro-rata tax base in binary "
                "doubles: spreadsheet engines may differ by one minor unit",
            )
        )
    return out


def render_invoice(invoice: Invoice, *, multipart: bool = True) -> RenderedInvoice:
    """Render the invoice to an MSC document whose formulas recompute ``compute_totals``."""
    totals = compute_totals(invoice)
    breakdown = vat_breakdown(invoice, digits=totals.minor_units) if shows_vat_breakdown(invoice) else None
    sheet, cells = _Builder(invoice, totals, breakdown).build()
    last_row, last_col = sheet.attribs.lastrow, sheet.attribs.lastcol
    edit = f"version:1.0\nrowpane:0:1:{last_row}\ncolpane:0:1:{last_col}\necell:A1\n" if multipart else None
    document = Document(sheet=sheet, multipart=multipart, edit=edit, audit="" if multipart else None)
    return RenderedInvoice(document=document, totals=totals, cells=cells, breakdown=breakdown)
