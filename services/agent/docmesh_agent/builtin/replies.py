"""How the interpreter words what it says: names of document kinds, questions for what is missing,
what changed, and why something could not be done."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from docmesh_agent.builtin.drafts import Draft, line_of
from docmesh_agent.builtin.labels import plain_number, singular, uncapitalised
from docmesh_agent.builtin.money import format_amount, format_money
from docmesh_common.model.invoice import Discount, DocumentKind, Invoice
from docmesh_common.model.totals import compute_totals

KIND_NAMES = {
    DocumentKind.INVOICE: "invoice",
    DocumentKind.QUOTE: "quote",
    DocumentKind.RECEIPT: "receipt",
    DocumentKind.PURCHASE_ORDER: "purchase order",
    DocumentKind.CREDIT_NOTE: "credit note",
}
EXAMPLES = (
    "“add 2 hours of QA at $80”, “remove the shipping”, “change the tax to 10%”, “make it EUR”, "
    "“bill Initech instead”, “set item 2 quantity to 5”, “10% discount”, “due in 45 days” or “undo”"
)


def with_article(noun: str) -> str:
    """ "an invoice", "a quote"."""
    return f"an {noun}" if noun[:1].lower() in "aeiou" else f"a {noun}"


def ask_for(missing: tuple[str, ...], draft: Draft) -> str:
    """The one question for the first field in `missing` ("Who should I bill?")."""
    kind = KIND_NAMES[draft.kind or DocumentKind.INVOICE]
    first = missing[0]
    if first == "unclear":
        return draft.unclear[0]
    if first == "buyer":
        if draft.kind == DocumentKind.QUOTE:
            return "Who is the quote for?"
        if draft.kind == DocumentKind.PURCHASE_ORDER:
            return "Who is the purchase order for?"
        return "Who should I bill?"
    if first == "line_items":
        return f"What should the {kind} be for? For example: “10 hours of consulting at $150”."
    if first.startswith("taxes."):
        name = first.removeprefix("taxes.")
        return (
            "What tax rate should I apply?"
            if name.lower() == "tax"
            else f"What rate of {name} should I apply?"
        )
    index = line_of(first)
    item = draft.items[index]
    if first.endswith(".description"):
        if not item.unit and item.unit_price is not None:
            return f"What are the {plain_number(item.quantity)} × {plain_number(item.unit_price)} for?"
        return f"What are the {plain_number(item.quantity)} {item.unit} for?"
    if item.price_choices:
        return f"Which price for the {uncapitalised(item.description)}: {' or '.join(item.price_choices)}?"
    return price_question(item.description, item.quantity, item.unit)


def price_question(description: str, quantity: Decimal, unit: str) -> str:
    """ "What is the price per hour of the consulting?"."""
    what = uncapitalised(description) if not _is_acronym(description) else description
    if unit:
        return f"What is the price per {singular(unit)} of the {what}?"
    if quantity != 1:
        return f"What is the unit price of the {what}?"
    return f"What is the price of the {what}?"


def _is_acronym(text: str) -> bool:
    """ "QA testing" keeps its capitals in "the price of the QA testing"."""
    first = text.split()[0] if text.split() else ""
    return len(first) > 1 and first.isupper()


def why(exc: Exception) -> str:
    """What the Invoice model (or a rule) rejected, as one sentence: "buyer.name: ..."."""
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        return f"{where}: {first['msg']}." if where else f"{first['msg']}."
    return f"{exc}."


def describe_item(item: dict[str, Any], currency: str) -> str:
    """ "2 hours of QA at 80.00", "3 × Widget at 12.50", "Logo design at 400.00"."""
    qty = Decimal(item["quantity"])
    price = format_amount(Decimal(item["unit_price"]), currency)
    if item.get("unit"):
        return f"{plain_number(qty)} {item['unit']} of {item['description']} at {price}"
    if qty != 1:
        return f"{plain_number(qty)} × {item['description']} at {price}"
    return f"{item['description']} at {price}"


def describe_discount(disc: Discount, currency: str) -> str:
    """ "10%" or "50.00"."""
    if disc.percent is not None:
        return f"{plain_number(disc.percent)}%"
    return format_amount(disc.amount or Decimal(0), currency)


def total(invoice: Invoice) -> str:
    """ "USD 1,620.00": the document's total as its own arithmetic computes it."""
    return format_money(compute_totals(invoice).total, invoice.currency_code)


def created(invoice: Invoice, draft: Draft, *, replacing: bool) -> tuple[str, str]:
    """The reply to a new document, and the change it records ("created invoice for Acme with 1 line")."""
    kind = KIND_NAMES[invoice.kind]
    count = len(invoice.line_items)
    lines = f"{count} line{'s' if count != 1 else ''}"
    who = f" for {invoice.buyer.name}" if invoice.buyer.name else ""
    reply = f"Here is your {kind}{who}: {lines}, total {total(invoice)}."
    if invoice.due_date is not None and draft.due is not None:
        # A due date read from words ("next Friday", "end of month") is said back as a date,
        # so that a different reading of the words is seen at once.
        reply += f" Due {invoice.due_date:%A} {invoice.due_date.isoformat()}."
    if draft.unknown:
        reply += " I did not understand: " + "; ".join(f"“{u}”" for u in draft.unknown) + "."
    for warning in dict.fromkeys(draft.warnings):
        reply += f" Note: {warning}."
    verb = "created a new" if replacing else "created"
    return reply, f"{verb} {kind}{who} with {lines}"


def done(changes: list[str], invoice: Invoice) -> str:
    """ "Done: added 2 hours of QA at 80.00. New total: USD 1,792.80."."""
    return "Done: " + "; ".join(changes).rstrip(".") + f". New total: {total(invoice)}."


def not_understood(kind: DocumentKind, text: str) -> str:
    """An edit that no operation read."""
    return (
        f"I didn't understand how to change the {KIND_NAMES[kind]} from “{text}”. "
        f"I understand edits like {EXAMPLES}."
    )


def rate_change(name: str, old: Decimal, new: Decimal) -> str:
    """ "VAT 20% → 21%"."""
    return f"{name} {plain_number(old)}% → {plain_number(new)}%"


def tax_added(name: str, rate: Decimal) -> str:
    """ "added GST 5%"."""
    return f"added {name} {plain_number(rate)}%"


def currency_change(old: str, new: str) -> str:
    """ "currency USD → EUR (...)": the amounts stay as they are."""
    return f"currency {old} → {new} (amounts kept as written, not converted)"


def party_change(role: str, old: str, new: str) -> str:
    """ "buyer Acme Corp → Initech", or "buyer Initech" when there was no name."""
    return f"{role} {old} → {new}" if old else f"{role} {new}"
