"""Adding what a message says on top of the document: lines ("add 2 hours of QA at $80"), taxes,
discounts, shipping, dates, number, note, payment."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from docmesh_agent.builtin.drafts import Draft
from docmesh_agent.builtin.edits.discounts import reason_discount
from docmesh_agent.builtin.edits.find_line import line_index
from docmesh_agent.builtin.edits.op import Change, EditError, NeedPrice
from docmesh_agent.builtin.edits.taxes import tax_named
from docmesh_agent.builtin.labels import plain_number
from docmesh_agent.builtin.money import format_amount
from docmesh_agent.builtin.replies import (
    currency_change,
    describe_discount,
    describe_item,
    not_understood,
    party_change,
    rate_change,
    tax_added,
)
from docmesh_common.model.invoice import Discount, Invoice
from docmesh_common.model.totals import compute_totals


def add_from_draft(data: dict[str, Any], draft: Draft, text: str, current: Invoice, today: dt.date) -> Change:
    """Merge what a message adds ("add 2 hours of QA at $80", "GST 5%", "due in 45 days") into the document."""
    if draft.unclear:
        raise EditError(draft.unclear[0])
    changes: list[str] = []
    currency = data["currency_code"]
    if draft.currency and draft.currency != currency:
        changes.append(currency_change(currency, draft.currency))
        currency = data["currency_code"] = draft.currency
    if draft.buyer is not None:
        old = data["buyer"]["name"]
        data["buyer"] = draft.buyer.model_dump()
        changes.append(party_change("buyer", old, draft.buyer.name))
    if draft.seller is not None:
        data["seller"] = draft.seller.model_dump()
        changes.append(f"seller {draft.seller.name}")
    for item in draft.items:
        if not item.description:
            raise EditError(
                f"What are the {plain_number(item.quantity)} {item.unit} for? Say for example "
                f"“add {plain_number(item.quantity)} {item.unit} of QA at 80”."
            )
        if item.unit_price is None:
            raise NeedPrice(len(data["line_items"]), item.description, item.quantity, item.unit)
        new = item.line_data()
        data["line_items"].append(new)
        changes.append("added " + describe_item(new, currency))
    if draft.items and draft.currency_hint and draft.currency_hint != currency and not draft.currency:
        changes.append(
            f"note: the price was written in {draft.currency_hint} but the document is in {currency}"
        )
    for tax in draft.taxes:
        existing = tax_named(tax.name, data)
        if existing is not None:
            old_rate = Decimal(existing["rate_percent"])
            existing["rate_percent"] = tax.rate_percent
            changes.append(rate_change(tax.name, old_rate, tax.rate_percent))
        else:
            data["taxes"].append(tax.model_dump())
            changes.append(tax_added(tax.name, tax.rate_percent))
    # Whole-document discounts replace the ones there unless the message says "another"/"extra".
    whole: list[Discount] = list(draft.discounts)
    for line in draft.line_discounts:
        try:
            index = line_index(line.target, data)
        except EditError:
            if line.strict:
                raise
            whole.append(reason_discount(line.target, line.discount))
            continue
        data["line_items"][index]["discount"] = line.discount.model_dump()
        changes.append(
            f"{describe_discount(line.discount, currency)} off line {index + 1} "
            f"({data['line_items'][index]['description']})"
        )
    if whole:
        if not re.search(r"\b(?:another|additional|extra|second|also|more)\b", text, re.IGNORECASE):
            data["discounts"] = []
        for disc in whole:
            data["discounts"].append(disc.model_dump())
            named = f" ({disc.description})" if disc.description else ""
            changes.append(f"added a {describe_discount(disc, currency)} discount{named}")
    if draft.shipping is not None:
        data["shipping"] = draft.shipping
        changes.append(f"shipping {format_amount(draft.shipping, currency)}")
    issue = draft.issue_date or data["issue_date"] or today
    if draft.issue_date is not None:
        data["issue_date"] = draft.issue_date
        changes.append(f"issue date {draft.issue_date.isoformat()}")
    if draft.due is not None:
        data["due_date"] = draft.due.due_date(issue)
        data["payment_terms"] = draft.payment_terms or ""
        terms = f" ({draft.payment_terms})" if draft.payment_terms else ""
        changes.append(f"due {data['due_date'].isoformat()}{terms}")
    elif draft.payment_terms:
        data["payment_terms"] = draft.payment_terms
        changes.append(f"terms {draft.payment_terms}")
    if draft.number:
        data["number"] = draft.number
        changes.append(f"number {draft.number}")
    if draft.reference:
        data["reference"] = draft.reference
        changes.append(f"reference {draft.reference}")
    if draft.valid_until:
        data["valid_until"] = draft.valid_until
        changes.append(f"valid until {draft.valid_until.isoformat()}")
    if draft.delivery_date:
        data["delivery_date"] = draft.delivery_date
        changes.append(f"delivery date {draft.delivery_date.isoformat()}")
    if draft.service_period:
        data["service_period_start"], data["service_period_end"] = draft.service_period
        changes.append(
            f"service period {draft.service_period[0].isoformat()} to {draft.service_period[1].isoformat()}"
        )
    if draft.notes:
        data["notes"] = draft.notes
        changes.append(f"note: {draft.notes}")
    if draft.amount_paid is not None:
        data["amount_paid"] = draft.amount_paid
        changes.append(f"paid {format_amount(draft.amount_paid, currency)}")
    if draft.paid_in_full:
        data["amount_paid"] = compute_totals(Invoice.model_validate(data)).total
        changes.append("paid in full")
    if draft.payment_method:
        data["payment_method"] = draft.payment_method
        changes.append(f"paid by {draft.payment_method}")
    if not changes:
        raise EditError(not_understood(current.kind, text))
    return data, changes
