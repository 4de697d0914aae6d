"""The totals block under the line table: subtotal, discounts, taxes, total, payments, and the
EN 16931 VAT breakdown, each a live formula recomputing ``docmesh_common.model.totals``.

The pro-rata tax base ``taxable − taxable × discount / subtotal`` involves a division, whose
exact quotient has no finite decimal form, so the sheet computes it on integers of minor units
(b, d, s) in hidden helper columns: the share ``q = (b × d) div s`` and the remainder
``r = (b × d) mod s``, then ``base = b − q − (2r > s)`` (plus the even-tie term for half even),
which is what :meth:`totals._Rounder.discounted_base` does. When the rated taxes split the lines
between them, the largest one's base is instead ``subtotal − discount − Σ the other rated bases``
(``TaxTotal.balancing``), so the bases add up to the discounted subtotal as EN 16931 requires.
``b × d`` itself can pass 2^53, so it is never formed: b is split as ``high × 10^4 + low`` and the
remainder is taken in two steps (``(high × d) mod s``, then ``(that × 10^4 + low × d) mod s``),
every intermediate staying below 2^53 while ``s² / 10^4`` does (subtotals up to ~9.5 × 10^9
minor units).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from docmesh_common.model.invoice import DocumentKind, RoundingMode
from docmesh_common.model.vat import VatCategory
from docmesh_document.msc import coord
from docmesh_document.sheet_layout import BORDER_DARK, COLOR_MUTED, COLOR_TOTAL_BG, Style
from docmesh_document.sheet_writer import SheetWriter, percent_source, scale

__all__ = ["SPLIT", "InvoiceCells", "TotalsWriter"]

SPLIT = 10**4  # the pro-rata helpers split the taxable amount (minor units) at this power of ten


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


class TotalsWriter(SheetWriter):
    """Writes the totals block; ``_totals`` returns where each amount is."""

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
        ten_to_dg = scale(dg)
        share, remainder, partial = self._pro_rata(taxable)
        b = f"ROUND({taxable_cell}*{ten_to_dg},0)"
        d = f"ROUND(-{discount_total}*{ten_to_dg},0)"
        s = f"ROUND({subtotal}*{ten_to_dg},0)"
        # taxable × discount can exceed 2^53 minor units, so it is never formed: with
        # b = high × 10^4 + low, (high × d) mod s and then (that × 10^4 + low × d) mod s
        # give the remainder, and the two exact quotients give the share (see _pro_rata).
        high, low, split = f"INT({b}/{SPLIT})", f"MOD({b},{SPLIT})", SPLIT
        r1 = self.formula(c.helpers[1], row, f"IF({d}=0,0,MOD({high}*{d},{s}))", partial).coord
        r = self.formula(c.helpers[2], row, f"IF({d}=0,0,MOD({r1}*{split}+{low}*{d},{s}))", remainder).coord
        q_formula = f"IF({d}=0,0,({high}*{d}-{r1})/{s}*{split}+({r1}*{split}+{low}*{d}-{r})/{s})"
        q = self.formula(c.helpers[3], row, q_formula, share).coord
        minor = f"{b}-{q}-(2*{r}>{s})"
        if self.mode is RoundingMode.HALF_EVEN:
            minor += f"-(2*{r}={s})*MOD({b}-{q},2)"
        formula = f"IF({d}=0,{taxable_cell},({minor})/{ten_to_dg})"
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
                else f" {percent_source(group.rate_percent)}"
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
        high, low = divmod(b, SPLIT)
        partial = high * d % s
        share, remainder = divmod(b * d, s)
        assert remainder == (partial * SPLIT + low * d) % s
        return share, remainder, partial
