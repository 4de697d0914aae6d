"""What a new document takes from the owner's profile and from the customer it is for.

The message decides first: whatever the provider read from it stays. What it left out comes
from the customer the buyer's name matches (their details and defaults), then from the
profile (the seller, the business's defaults). The profile's language is a setting, so it
overrides the language the request was written in.
"""

from __future__ import annotations

import datetime as dt
import re

from docmesh_agent.domain import Customer, Profile
from docmesh_common.model.invoice import DocumentKind, Invoice, Party

# The model's currency when nothing names one; only then do the defaults choose it.
_UNSAID_CURRENCY = Invoice.model_fields["currency_code"].default


def with_defaults(
    invoice: Invoice, message: str, profile: Profile, customer: Customer | None, today: dt.date
) -> Invoice:
    """The provider's new document completed with the customer's and the profile's defaults."""
    changes: dict[str, object] = {}
    if invoice.seller.is_empty() and not profile.seller.is_empty():
        changes["seller"] = profile.seller
    if customer is not None:
        changes["buyer"] = _merged(customer.party, invoice.buyer)
    currency = (customer.default_currency_code if customer else "") or profile.default_currency_code
    if (
        currency
        and invoice.currency_code == _UNSAID_CURRENCY
        and not _names_currency(message, invoice.currency_code)
    ):
        changes["currency_code"] = currency
    terms = (customer.default_payment_terms if customer else "") or profile.default_payment_terms
    if terms and not invoice.payment_terms:
        changes["payment_terms"] = terms
    days = (customer.default_payment_days if customer else 0) or profile.default_payment_days
    if days and invoice.due_date is None and invoice.kind == DocumentKind.INVOICE:
        changes["due_date"] = (invoice.issue_date or today) + dt.timedelta(days=days)
    if profile.default_notes and not invoice.notes:
        changes["notes"] = profile.default_notes
    if profile.language:
        changes["language"] = profile.language
    return invoice.model_copy(update=changes) if changes else invoice


def _merged(saved: Party, said: Party) -> Party:
    """The customer's details, with what the message said about the buyer on top (but the
    customer's own spelling of the name)."""
    fields = {name: value for name, value in said.model_dump().items() if value and name != "name"}
    return saved.model_copy(update=fields)


def _names_currency(message: str, code: str) -> bool:
    text = message.lower()
    if re.search(rf"\b{code.lower()}\b", text):
        return True
    return code == "USD" and ("$" in text or "dollar" in text)
