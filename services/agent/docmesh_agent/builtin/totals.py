"""The document total, for the reply text ("total USD 1,620.00").

Follows the Invoice semantics of `docmesh_common.invoice` (line discounts, whole-document
discounts before tax, taxes on the lines that name them pro rata, untaxed shipping, each amount
rounded to the currency's minor unit). The document service's sheet is the authority; this only
phrases the answer.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

from docmesh_common.currency import minor_units
from docmesh_common.invoice import Discount, Invoice, LineItem, RoundingMode


def _rounder(inv: Invoice):  # type: ignore[no-untyped-def]
    quantum = Decimal(1).scaleb(-minor_units(inv.currency_code))
    mode = ROUND_HALF_EVEN if inv.rounding_mode == RoundingMode.HALF_EVEN else ROUND_HALF_UP

    def rnd(value: Decimal) -> Decimal:
        return value.quantize(quantum, rounding=mode)

    return rnd


def _discount_of(base: Decimal, discount: Discount | None) -> Decimal:
    if discount is None:
        return Decimal(0)
    if discount.percent is not None:
        return base * discount.percent / 100
    return discount.amount or Decimal(0)


def line_amount(inv: Invoice, item: LineItem) -> Decimal:
    rnd = _rounder(inv)
    gross = item.quantity * item.unit_price
    return rnd(gross - rnd(_discount_of(gross, item.discount)))


def total(inv: Invoice) -> Decimal:
    """subtotal - discounts + taxes + shipping, rounded as the document rounds it."""
    rnd = _rounder(inv)
    amounts = [line_amount(inv, item) for item in inv.line_items]
    subtotal = sum(amounts, Decimal(0))
    discount_total = sum((rnd(_discount_of(subtotal, d)) for d in inv.discounts), Decimal(0))
    tax_total = Decimal(0)
    for tax in inv.taxes:
        name = tax.name.casefold()
        covered = sum(
            (
                amount
                for item, amount in zip(inv.line_items, amounts, strict=True)
                if not item.tax_exempt
                and (not item.tax_names or name in {n.casefold() for n in item.tax_names})
            ),
            Decimal(0),
        )
        base = covered - (discount_total * covered / subtotal if subtotal else Decimal(0))
        tax_total += rnd(rnd(base) * tax.rate_percent / 100)
    return subtotal - discount_total + tax_total + (inv.shipping or Decimal(0))
