"""What was read from messages before it becomes a document: the draft and its parts.

None / empty means "not said", so that a later message can fill in what an earlier one left out.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from docmesh_agent.builtin.dates import span_days
from docmesh_agent.builtin.money import Money
from docmesh_common.model.invoice import Discount, DocumentKind, Party, Tax


@dataclass
class DraftItem:
    """A line as read; `unit_price` is None when the person did not say it."""

    description: str
    quantity: Decimal = Decimal(1)
    unit: str = ""
    unit_price: Decimal | None = None
    discount: Discount | None = None
    tax_exempt: bool = False
    # Prices said as alternatives ("150 or 175"): the line has no price until one is chosen.
    price_choices: tuple[str, ...] = ()
    # The description was not said but taken from the unit ("1 hour at 100" is "Services").
    described_by_unit: bool = False
    # "3 x 2 hours of coaching at 100": the count inside the description (2, "hours", "coaching"),
    # kept so that the answer "per hour" can make it 6 hours at 100.
    nested: tuple[Decimal, str, str] | None = None
    # "chairs 3 at 85": the count that may be the quantity, kept until the answer says so.
    count_choice: Decimal | None = None
    # "500 g of coffee at 12": 12 for the 500 g, or per g? Asked; "per g" keeps the count.
    pack: bool = False
    # "travel 2 x 35 km at 0.50": the count is inside the description; its quantity is asked.
    quantity_asked: bool = False
    # "consulting 1500 for 10 hours": the price for all the units or for each? Asked.
    total_or_rate: bool = False

    def line_data(self) -> dict[str, Any]:
        """The line as Invoice data (validating it checks, among others, that it has a price)."""
        return {
            "description": self.description,
            "quantity": self.quantity,
            "unit": self.unit,
            "unit_price": self.unit_price,
            "tax_names": [],
            "tax_exempt": self.tax_exempt,
            "discount": self.discount.model_dump() if self.discount else None,
            "sku": "",
        }


@dataclass(frozen=True)
class LineDiscount:
    """A discount on the line `target` names; when not `strict`, a target that is no line is the reason."""

    target: str
    discount: Discount
    strict: bool


@dataclass(frozen=True)
class SaidNumber:
    """A number as written in a clause of a request (each must get a role: see accounting)."""

    text: str
    clause: str


@dataclass
class DueSpec:
    """When payment is due: a number of days after issue, a calendar span, a date, or on receipt."""

    days: int | None = None
    span: tuple[int, str] | None = None
    date: dt.date | None = None
    on_receipt: bool = False

    @classmethod
    def after(cls, n: int, unit: str) -> DueSpec:
        """ "in 2 weeks" is 14 days (terms "Net 14"); months, years and business days are spans."""
        low = unit.lower()
        if low.startswith(("day", "week")):
            return cls(days=n * (7 if low.startswith("week") else 1))
        return cls(span=(n, unit))

    def due_date(self, issue: dt.date) -> dt.date | None:
        """The due date for a document issued on `issue` (relative terms count from the issue date)."""
        if self.on_receipt:
            return issue
        if self.days is not None:
            return issue + dt.timedelta(days=self.days)
        if self.span is not None:
            n, unit = self.span
            return span_days(n, unit, issue)[0]
        return self.date


@dataclass
class Draft:
    """Everything read from one message; None / empty means "not said"."""

    kind: DocumentKind | None = None
    buyer: Party | None = None
    seller: Party | None = None
    items: list[DraftItem] = field(default_factory=list)
    taxes: list[Tax] = field(default_factory=list)
    discounts: list[Discount] = field(default_factory=list)
    line_discounts: list[LineDiscount] = field(default_factory=list)
    # Lines named as not taxed ("no tax on the deposit"), matched to the lines when built.
    exempt_lines: list[str] = field(default_factory=list)
    # A line named as exempt right after a priced line ("... @ 60 — tutoring is tax exempt"): that
    # line's index, used when no line is called so.
    exempt_after: dict[str, int] = field(default_factory=dict)
    # "GST 5% on the mats only": the lines the document's one tax applies to (the others are exempt).
    taxed_only: list[str] = field(default_factory=list)
    shipping: Decimal | None = None
    currency: str | None = None
    currency_hint: str | None = None
    number: str | None = None
    reference: str | None = None
    issue_date: dt.date | None = None
    due: DueSpec | None = None
    payment_terms: str | None = None
    valid_until: dt.date | None = None
    delivery_date: dt.date | None = None
    service_period: tuple[dt.date, dt.date] | None = None
    notes: str | None = None
    amount_paid: Decimal | None = None
    paid_in_full: bool = False
    payment_method: str | None = None
    # "..., send it to billing@x.example" before any buyer is named (an answer to "how much?"):
    # the buyer's e-mail, given to the buyer when there is one.
    buyer_email: str | None = None
    # Taxes named without a rate ("plus VAT"): asked about, never guessed.
    unrated_taxes: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # Phrases with a number whose role as an amount is unclear ("with 1 day off"): the question
    # to ask about each, asked before anything is built (never a guessed amount).
    unclear: list[str] = field(default_factory=list)
    # Every number the messages said, to check that each has a role before a document is written.
    said_numbers: list[SaidNumber] = field(default_factory=list)

    def has_content(self) -> bool:
        """True when anything at all was understood."""
        return any(
            (
                self.kind,
                self.buyer,
                self.seller,
                self.items,
                self.taxes,
                self.discounts,
                self.line_discounts,
                self.exempt_lines,
                self.taxed_only,
                self.shipping is not None,
                self.currency,
                self.number,
                self.reference,
                self.delivery_date,
                self.service_period,
                self.issue_date,
                self.due,
                self.payment_terms,
                self.valid_until,
                self.notes,
                self.amount_paid is not None,
                self.paid_in_full,
                self.payment_method,
                self.unclear,
            )
        )

    def missing(self) -> tuple[str, ...]:
        """The required fields not said yet, in the order they are asked for: "unclear" (a number
        whose role is unclear), "buyer" (not on a receipt), "line_items", "line_items[0].description", "line_items[0].unit_price"."""
        kind = self.kind or DocumentKind.INVOICE
        # An unclear amount is asked about first: it may change every line's total.
        missing: list[str] = ["unclear"] if self.unclear else []
        if kind != DocumentKind.RECEIPT and (self.buyer is None or not self.buyer.name):
            missing.append("buyer")
        if not self.items:
            missing.append("line_items")
        for index, item in enumerate(self.items):
            if not item.description:
                missing.append(f"line_items[{index}].description")
            if item.unit_price is None:
                missing.append(f"line_items[{index}].unit_price")
        rated = {t.name.casefold() for t in self.taxes}
        missing.extend(f"taxes.{name}" for name in self.unrated_taxes if name.casefold() not in rated)
        return tuple(missing)

    def set_tax(self, name: str, rate: Decimal) -> None:
        """A tax said twice ("VAT 20%", later "VAT 21%") is one tax at the last rate."""
        taxes = [t for t in self.taxes if t.name.casefold() != name.casefold()]
        taxes.append(Tax(name=name, rate_percent=rate))
        self.taxes = taxes

    def note_currency(self, money: Money) -> None:
        """Remember the currency an amount was written in; two different ones get a warning."""
        if not money.currency:
            return
        if self.currency_hint is None:
            self.currency_hint = money.currency
        elif money.currency != self.currency_hint:
            warning = (
                f"amounts were written in {self.currency_hint} and {money.currency}; one document has "
                "one currency and nothing was converted"
            )
            if warning not in self.warnings:
                self.warnings.append(warning)


@dataclass
class Reading:
    """One message being read: the draft so far, the date relative dates count from, and the
    party named by the clause just read (an address line may follow it)."""

    today: dt.date
    draft: Draft = field(default_factory=Draft)
    last_party: str | None = None


def line_of(missing_field: str) -> int:
    """The line a missing field is on: "line_items[2].unit_price" -> 2."""
    return int(re.findall(r"\d+", missing_field)[0])
