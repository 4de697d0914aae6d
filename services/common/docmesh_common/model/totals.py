"""Decimal totals of an invoice: the single definition of docmesh's invoice arithmetic.

The rendered sheet's live formulas compute exactly these numbers (``render.py`` builds one
formula per step below and the oracle tests prove the two agree). Every step that can
produce more digits than the currency has is rounded to the currency's minor unit with the
invoice's rounding mode, in this order:

1. ``gross = round(quantity × unit_price)``
2. line discount: ``round(gross × percent / 100)`` or ``min(round(amount), gross)``;
   ``line amount = gross − line discount`` (never negative)
3. ``subtotal = Σ line amounts``
4. each whole-document discount: ``round(subtotal × percent / 100)`` or ``round(amount)``;
   ``discount total = min(Σ discounts, subtotal)`` (a discount never makes the total negative)
5. for each tax: ``taxable = Σ amounts of the lines it applies to``; its base is that amount
   reduced pro rata by the discount total: ``base = round(taxable − taxable × discount total /
   subtotal)`` (computed exactly on integers of minor units, no 28-digit quotient);
   ``tax = round(base × rate / 100)``. One exception keeps the bases whole: when the taxes above
   0 % split the lines between them (every line under at most one of them, and together they
   cover the subtotal) the rounded shares could miss ``subtotal − discount total`` by a minor
   unit, so the one with the largest taxable amount (the first of equals) takes the difference:
   its ``base = subtotal − discount total − Σ the other rated bases``.
6. ``total = subtotal − discount total + Σ taxes + round(shipping)``
7. ``balance due = total − round(amount paid)``

``vat_breakdown`` is the EN 16931 view of the same computation (BG-22 totals, BG-23 VAT
breakdown, BG-20/21 document-level allowances and charges), not a second one: it runs steps
1–7 in at most 2 decimals (EN 16931 BR-DEC: a KWD e-invoice is computed in 2 decimals, JPY in 0;
EUR, USD and every other 2- or 0-decimal currency in exactly the sheet's numbers) and groups the
lines by VAT category and rate (``line_vat_category``):

* a standard-rated group at rate r is the lines of the taxes at r: its taxable amount (BT-116)
  is the sum of their bases and its tax (BT-117) the sum of their taxes, so the e-invoice's VAT
  is the sheet's to the cent; its allowance (BT-92) is whatever step 5 took off its lines;
* the groups without VAT (Z, E, AE, K, G, O) share the rest of the discount total pro rata, the
  largest taking the rounding remainder (their tax is 0 whatever their base);

so the split allowances add up to the discount total and BR-CO-10..16 and BR-S-08 hold exactly.
BR-CO-17 (BT-117 = BT-116 × rate, rounded) holds exactly when one tax has the rate (the usual
case); two named taxes at the same rate (a state and a city tax, both 5 %) are one group whose
tax is the sum of two roundings, within the CEN rule's tolerance of one unit. The sheet shows
the same breakdown in the currency's own decimals (``vat_breakdown(invoice, digits=…)``).
Shipping is a charge in its (untaxed) category.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

from docmesh.type.v1 import invoice_pb2
from docmesh_common.model.currency import minor_units
from docmesh_common.model.invoice import (
    Discount,
    Invoice,
    RoundingMode,
    line_vat_category,
    money,
    tax_applies,
)
from docmesh_common.model.vat import DEFAULT_EXEMPTION_REASONS, REASON_CATEGORIES, VatCategory

__all__ = [
    "InvoiceTotals",
    "LineTotals",
    "TaxTotal",
    "VatBreakdown",
    "VatGroup",
    "compute_totals",
    "round_money",
    "tax_applies",
    "vat_breakdown",
]

# EN 16931 allows at most 2 decimals in amounts (BR-DEC-*).
EN16931_MAX_DIGITS = 2

_HUNDRED = Decimal(100)
_ZERO = Decimal(0)
_DECIMAL_ROUNDING = {RoundingMode.HALF_UP: ROUND_HALF_UP, RoundingMode.HALF_EVEN: ROUND_HALF_EVEN}


@dataclass(frozen=True)
class LineTotals:
    """One line: quantity × unit price rounded, its discount, and what is left."""

    gross: Decimal
    discount: Decimal
    amount: Decimal


@dataclass(frozen=True)
class TaxTotal:
    """One named tax: the (discounted) base it is computed on and the rounded amount."""

    name: str
    rate_percent: Decimal
    taxable: Decimal  # Σ amounts of the lines it applies to, before whole-document discounts
    base: Decimal
    amount: Decimal
    balancing: bool = False  # its base takes the rounding difference (step 5's exception)


@dataclass(frozen=True)
class InvoiceTotals:
    """Everything the sheet computes, as Decimals rounded to the currency's minor unit."""

    currency_code: str
    minor_units: int
    lines: tuple[LineTotals, ...]
    subtotal: Decimal
    discounts: tuple[Decimal, ...]  # each whole-document discount, before the cap
    discount_total: Decimal
    taxes: tuple[TaxTotal, ...]
    tax_total: Decimal
    shipping: Decimal
    total: Decimal
    amount_paid: Decimal
    balance_due: Decimal

    @property
    def line_amounts(self) -> tuple[Decimal, ...]:
        return tuple(line.amount for line in self.lines)

    def to_proto(self) -> invoice_pb2.InvoiceTotals:
        cur = self.currency_code
        return invoice_pb2.InvoiceTotals(
            subtotal=money(self.subtotal, cur),
            discount_total=money(self.discount_total, cur),
            taxes=[
                invoice_pb2.TaxAmount(
                    name=t.name,
                    rate_percent=format(t.rate_percent, "f"),
                    base=money(t.base, cur),
                    amount=money(t.amount, cur),
                )
                for t in self.taxes
            ],
            tax_total=money(self.tax_total, cur),
            shipping=money(self.shipping, cur),
            total=money(self.total, cur),
            amount_paid=money(self.amount_paid, cur),
            balance_due=money(self.balance_due, cur),
            line_amounts=[money(a, cur) for a in self.line_amounts],
        )


class _Rounder:
    def __init__(self, digits: int, mode: RoundingMode) -> None:
        self.digits = digits
        self.quantum = Decimal(1).scaleb(-digits)
        self.scale = 10**digits
        self.rounding = _DECIMAL_ROUNDING[mode]
        self.mode = mode

    def __call__(self, value: Decimal) -> Decimal:
        return value.quantize(self.quantum, rounding=self.rounding)

    def minor(self, value: Decimal) -> int:
        """An amount already rounded to the minor unit, as an integer count of minor units."""
        return int(value.scaleb(self.digits))

    def from_minor(self, units: int) -> Decimal:
        return Decimal(units).scaleb(-self.digits).quantize(self.quantum)

    def discounted_base(self, taxable: Decimal, discount_total: Decimal, subtotal: Decimal) -> Decimal:
        """``round(taxable − taxable × discount_total / subtotal)`` exactly, on integers."""
        if discount_total == 0 or subtotal == 0:
            return taxable
        b, d, s = self.minor(taxable), self.minor(discount_total), self.minor(subtotal)
        quotient, remainder = divmod(b * d, s)  # the pro-rata share is quotient + remainder / s
        base = b - quotient
        if 2 * remainder > s:
            base -= 1
        elif 2 * remainder == s and self.mode is RoundingMode.HALF_EVEN and base % 2 == 1:
            base -= 1  # exactly halfway between base − 1 and base: keep the even one
        return self.from_minor(base)


def _line_discount(discount: Discount | None, gross: Decimal, rnd: _Rounder) -> Decimal:
    if discount is None:
        return rnd(_ZERO)
    if discount.percent is not None:
        return rnd(gross * discount.percent / _HUNDRED)
    assert discount.amount is not None
    return min(rnd(discount.amount), gross)


def _document_discount(discount: Discount, subtotal: Decimal, rnd: _Rounder) -> Decimal:
    if discount.percent is not None:
        return rnd(subtotal * discount.percent / _HUNDRED)
    assert discount.amount is not None
    return rnd(discount.amount)


def _lines(invoice: Invoice, rnd: _Rounder) -> list[LineTotals]:
    lines = []
    for item in invoice.line_items:
        gross = rnd(item.quantity * item.unit_price)
        line_discount = _line_discount(item.discount, gross, rnd)
        lines.append(LineTotals(gross=gross, discount=line_discount, amount=gross - line_discount))
    return lines


def _discounts(invoice: Invoice, subtotal: Decimal, rnd: _Rounder) -> tuple[tuple[Decimal, ...], Decimal]:
    discounts = tuple(_document_discount(d, subtotal, rnd) for d in invoice.discounts)
    return discounts, min(rnd(sum(discounts, _ZERO)), subtotal)


def _balancing_tax(invoice: Invoice, taxables: list[Decimal], subtotal: Decimal) -> int | None:
    """The index of the tax whose base takes the rounding difference (step 5), or None."""
    rated = [i for i, tax in enumerate(invoice.taxes) if tax.rate_percent > 0]
    if len(rated) < 2 or sum((taxables[i] for i in rated), _ZERO) != subtotal:
        return None
    for item in invoice.line_items:
        if sum(1 for i in rated if tax_applies(item, invoice.taxes[i])) > 1:
            return None  # a line under two rated taxes (GST and PST): the taxes overlap
    return max(rated, key=lambda i: (taxables[i], -i))


def _taxes(
    invoice: Invoice, lines: list[LineTotals], subtotal: Decimal, discount_total: Decimal, rnd: _Rounder
) -> list[TaxTotal]:
    taxables = [
        rnd(
            sum(
                (
                    line.amount
                    for line, item in zip(lines, invoice.line_items, strict=True)
                    if tax_applies(item, tax)
                ),
                _ZERO,
            )
        )
        for tax in invoice.taxes
    ]
    bases = [rnd.discounted_base(taxable, discount_total, subtotal) for taxable in taxables]
    balancing = _balancing_tax(invoice, taxables, subtotal) if discount_total else None
    if balancing is not None:
        others = sum(
            (b for i, b in enumerate(bases) if i != balancing and invoice.taxes[i].rate_percent > 0), _ZERO
        )
        bases[balancing] = subtotal - discount_total - others
    return [
        TaxTotal(
            tax.name,
            tax.rate_percent,
            taxable,
            base,
            rnd(base * tax.rate_percent / _HUNDRED),
            balancing=index == balancing,
        )
        for index, (tax, taxable, base) in enumerate(zip(invoice.taxes, taxables, bases, strict=True))
    ]


def compute_totals(invoice: Invoice) -> InvoiceTotals:
    """The invoice's totals in Decimal, rounded as described in the module docstring."""
    return _compute(invoice, minor_units(invoice.currency_code))


def _compute(invoice: Invoice, digits: int) -> InvoiceTotals:
    rnd = _Rounder(digits, invoice.rounding_mode)

    lines = _lines(invoice, rnd)
    subtotal = rnd(sum((line.amount for line in lines), _ZERO))
    discounts, discount_total = _discounts(invoice, subtotal, rnd)

    taxes = _taxes(invoice, lines, subtotal, discount_total, rnd)
    tax_total = rnd(sum((t.amount for t in taxes), _ZERO))

    shipping = rnd(invoice.shipping if invoice.shipping is not None else _ZERO)
    total = subtotal - discount_total + tax_total + shipping
    amount_paid = rnd(invoice.amount_paid if invoice.amount_paid is not None else _ZERO)
    return InvoiceTotals(
        currency_code=invoice.currency_code,
        minor_units=digits,
        lines=tuple(lines),
        subtotal=subtotal,
        discounts=discounts,
        discount_total=discount_total,
        taxes=tuple(taxes),
        tax_total=tax_total,
        shipping=shipping,
        total=total,
        amount_paid=amount_paid,
        balance_due=total - amount_paid,
    )


def round_money(value: Decimal, currency_code: str, mode: RoundingMode = RoundingMode.HALF_UP) -> Decimal:
    """``value`` rounded to the currency's minor unit with ``mode``."""
    return _Rounder(minor_units(currency_code), mode)(value)


@dataclass(frozen=True)
class VatGroup:
    """One EN 16931 VAT breakdown (BG-23): the lines of one category and rate."""

    category: VatCategory
    rate_percent: Decimal
    line_total: Decimal  # Σ line net amounts (BT-131) in the group
    allowance: Decimal  # its share of the whole-document discounts (BT-92)
    charge: Decimal  # shipping, when it is in this category (BT-99)
    taxable: Decimal  # BT-116 = line_total − allowance + charge
    amount: Decimal  # BT-117 = round(taxable × rate / 100)
    exemption_reason: str  # BT-120; empty for S and Z
    exemption_reason_code: str  # BT-121


@dataclass(frozen=True)
class VatBreakdown:
    """The EN 16931 document totals (BG-22) and VAT breakdown, in at most 2 decimals."""

    currency_code: str
    digits: int
    lines: tuple[LineTotals, ...]
    line_categories: tuple[tuple[VatCategory, Decimal], ...]
    groups: tuple[VatGroup, ...]
    shipping_category: VatCategory | None  # None without shipping
    line_total: Decimal  # BT-106
    allowance_total: Decimal  # BT-107
    charge_total: Decimal  # BT-108
    tax_exclusive: Decimal  # BT-109
    tax_total: Decimal  # BT-110
    tax_inclusive: Decimal  # BT-112
    prepaid: Decimal  # BT-113
    payable: Decimal  # BT-115
    # The group without VAT that took the discount's rounding remainder (an index into groups).
    remainder_group: int | None = None


def _reason(invoice: Invoice, category: VatCategory, rate: Decimal) -> tuple[str, str]:
    if category not in REASON_CATEGORIES:
        return "", ""
    for item in invoice.line_items:
        if line_vat_category(item, invoice.taxes) == (category, rate) and (
            item.vat_exemption_reason or item.vat_exemption_reason_code
        ):
            return item.vat_exemption_reason, item.vat_exemption_reason_code
    code, text = DEFAULT_EXEMPTION_REASONS[category]
    return text, code


def vat_breakdown(invoice: Invoice, *, digits: int | None = None) -> VatBreakdown:
    """The EN 16931 totals and VAT breakdown, derived from steps 1–7 as the module docstring says,
    in ``digits`` decimals (default: EN 16931's, at most 2; the sheet asks for the currency's).

    Raises ValueError for a line EN 16931 cannot express (one under two taxes).
    """
    if digits is None:
        digits = min(minor_units(invoice.currency_code), EN16931_MAX_DIGITS)
    rnd = _Rounder(digits, invoice.rounding_mode)
    totals = _compute(invoice, digits)
    categories = tuple(line_vat_category(item, invoice.taxes) for item in invoice.line_items)

    line_totals: dict[tuple[VatCategory, Decimal], Decimal] = {}
    for key, line in zip(categories, totals.lines, strict=True):
        line_totals[key] = line_totals.get(key, rnd(_ZERO)) + line.amount
    # Standard-rated groups: the bases and taxes of the taxes at their rate (step 5).
    taxable: dict[tuple[VatCategory, Decimal], Decimal] = {}
    amounts: dict[tuple[VatCategory, Decimal], Decimal] = {}
    for tax in totals.taxes:
        key = (VatCategory.STANDARD, tax.rate_percent)
        if tax.rate_percent > 0 and key in line_totals:
            taxable[key] = taxable.get(key, rnd(_ZERO)) + tax.base
            amounts[key] = amounts.get(key, rnd(_ZERO)) + tax.amount
    allowances = {key: line_totals[key] - base for key, base in taxable.items()}
    # The groups without VAT share what is left of the discount total.
    untaxed = {key: total for key, total in line_totals.items() if key not in taxable}
    left = totals.discount_total - sum(allowances.values(), _ZERO)
    for key, total in untaxed.items():
        allowances[key] = total - rnd.discounted_base(total, totals.discount_total, totals.subtotal)
    largest: tuple[VatCategory, Decimal] | None = None
    if untaxed:
        largest = max(untaxed, key=lambda key: untaxed[key])
        allowances[largest] += left - sum((allowances[key] for key in untaxed), _ZERO)

    shipping_category: VatCategory | None = None
    charges: dict[tuple[VatCategory, Decimal], Decimal] = {}
    if invoice.shipping is not None:
        all_outside = bool(categories) and all(c is VatCategory.OUTSIDE_SCOPE for c, _ in categories)
        shipping_category = invoice.shipping_vat_category or (
            VatCategory.OUTSIDE_SCOPE if all_outside else VatCategory.EXEMPT
        )
        charges[(shipping_category, _ZERO)] = totals.shipping
        line_totals.setdefault((shipping_category, _ZERO), rnd(_ZERO))
        allowances.setdefault((shipping_category, _ZERO), rnd(_ZERO))

    groups = []
    for (category, rate), total in line_totals.items():
        key = (category, rate)
        charge = charges.get(key, rnd(_ZERO))
        reason, code = _reason(invoice, category, rate)
        groups.append(
            VatGroup(
                category=category,
                rate_percent=rate,
                line_total=total,
                allowance=allowances[key],
                charge=charge,
                taxable=total - allowances[key] + charge,
                amount=amounts.get(key, rnd(_ZERO)),
                exemption_reason=reason,
                exemption_reason_code=code,
            )
        )
    charge_total = totals.shipping if invoice.shipping is not None else rnd(_ZERO)
    tax_exclusive = totals.subtotal - totals.discount_total + charge_total
    tax_total = rnd(sum((g.amount for g in groups), _ZERO))
    return VatBreakdown(
        currency_code=invoice.currency_code,
        digits=digits,
        lines=totals.lines,
        line_categories=categories,
        groups=tuple(groups),
        shipping_category=shipping_category,
        line_total=totals.subtotal,
        allowance_total=totals.discount_total,
        charge_total=charge_total,
        tax_exclusive=tax_exclusive,
        tax_total=tax_total,
        tax_inclusive=tax_exclusive + tax_total,
        prepaid=totals.amount_paid,
        payable=tax_exclusive + tax_total - totals.amount_paid,
        remainder_group=None if largest is None else list(line_totals).index(largest),
    )
