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
   ``tax = round(base × rate / 100)``
6. ``total = subtotal − discount total + Σ taxes + round(shipping)``
7. ``balance due = total − round(amount paid)``
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

from docmesh.type.v1 import invoice_pb2
from docmesh_common.model.currency import minor_units
from docmesh_common.model.invoice import Discount, Invoice, RoundingMode, money, tax_applies

__all__ = ["InvoiceTotals", "LineTotals", "TaxTotal", "compute_totals", "round_money", "tax_applies"]

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


def compute_totals(invoice: Invoice) -> InvoiceTotals:
    """The invoice's totals in Decimal, rounded as described in the module docstring."""
    digits = minor_units(invoice.currency_code)
    rnd = _Rounder(digits, invoice.rounding_mode)

    lines = []
    for item in invoice.line_items:
        gross = rnd(item.quantity * item.unit_price)
        line_discount = _line_discount(item.discount, gross, rnd)
        lines.append(LineTotals(gross=gross, discount=line_discount, amount=gross - line_discount))
    subtotal = rnd(sum((line.amount for line in lines), _ZERO))

    discounts = tuple(_document_discount(d, subtotal, rnd) for d in invoice.discounts)
    discount_total = min(rnd(sum(discounts, _ZERO)), subtotal)

    taxes = []
    for tax in invoice.taxes:
        taxable = rnd(
            sum(
                (
                    line.amount
                    for line, item in zip(lines, invoice.line_items, strict=True)
                    if tax_applies(item, tax)
                ),
                _ZERO,
            )
        )
        base = rnd.discounted_base(taxable, discount_total, subtotal)
        amount = rnd(base * tax.rate_percent / _HUNDRED)
        taxes.append(TaxTotal(tax.name, tax.rate_percent, taxable, base, amount))
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
