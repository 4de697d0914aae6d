"""Render a typed invoice (or quote, receipt, purchase order, credit note) to an MSC sheet with
live formulas.

Every amount in the sheet is a formula that recomputes :mod:`docmesh_common.model.totals` step by
step, and every cached value written next to a formula is the Decimal result of that step, so
readers that do not recalculate (SheetJS, plain-text exports) show the same numbers as
EtherCalc after its recalc. Three modules write it: ``sheet_writer`` (cells, styles and the exact
rounding formulas SocialCalc needs), ``sheet_totals`` (the totals block: pro-rata tax bases on
integers, the VAT breakdown) and this one (title, parties, the line table, notes, and the
precision warnings).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from docmesh_common.model.invoice import Invoice, Party
from docmesh_common.model.totals import (
    InvoiceTotals,
    VatBreakdown,
    compute_totals,
    round_money,
    tax_applies,
    vat_breakdown,
)
from docmesh_document.labels import date_facts, labels, party_lines, preceding_invoice_fact
from docmesh_document.msc import (
    Cell,
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
    COLOR_WHITE,
    COLOR_ZEBRA,
    FLAG_FORMAT,
    FONT_ITALIC,
    FONT_TITLE,
    LAYOUT_TOP,
    PLAIN,
    PRINT_TITLES,
    WIDTHS,
    Style,
    money_format,
    shows_vat_breakdown,
)
from docmesh_document.sheet_totals import SPLIT, InvoiceCells, TotalsWriter
from docmesh_document.sheet_writer import decimals, rounding_formula

__all__ = [
    "InvoiceCells",
    "RenderedInvoice",
    "document_title",
    "precision_findings",
    "precision_limit",
    "render_invoice",
    "rounding_formula",
]


def document_title(invoice: Invoice) -> str:
    """The heading: the invoice's own title, or the kind's name in the document's language."""
    return invoice.title or labels(invoice.language).titles[invoice.kind]


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


class _Builder(TotalsWriter):
    """The sheet from the title down to the notes; the totals block is TotalsWriter's."""

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

        price_digits = max([self.digits, *(decimals(i.unit_price) for i in inv.line_items)])
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
    if t.discount_total and t.taxes and subtotal_minor * (subtotal_minor // SPLIT + 1) >= _EXACT_LIMIT:
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
