"""What a business profile and a customer have in common where they enter: a party valid for
the shared invoice model, a currency, payment defaults and bounded texts; each refusal
INVALID_ARGUMENT naming the field."""

from __future__ import annotations

from pydantic import ValidationError

from docmesh.type.v1 import invoice_pb2
from docmesh_common.errors import InvalidArgument
from docmesh_common.model.currency import is_currency
from docmesh_common.model.invoice import PARTY_TEXT_FIELDS, party_from_proto
from docmesh_session.validation import NUL

MAX_SHORT_TEXT = 200
MAX_LONG_TEXT = 2000
MAX_PAYMENT_DAYS = 365


def check_currency(code: str, field: str) -> None:
    if code and not is_currency(code):
        raise InvalidArgument(f"{field} is not an ISO 4217 currency code", field=field)


def check_payment_defaults(terms: str, days: int, prefix: str) -> None:
    """A profile's or a customer's default payment terms and days (fields under `prefix`)."""
    if not 0 <= days <= MAX_PAYMENT_DAYS:
        raise InvalidArgument(
            f"{prefix}default_payment_days must be 0..{MAX_PAYMENT_DAYS}",
            field=f"{prefix}default_payment_days",
        )
    check_text(terms, f"{prefix}default_payment_terms", MAX_SHORT_TEXT)


def check_party(seller: invoice_pb2.Party, prefix: str) -> None:
    """A party (a profile's seller, a customer) valid for the shared invoice model; fields
    named under `prefix`."""
    for name in PARTY_TEXT_FIELDS:
        check_text(getattr(seller, name), f"{prefix}.{name}", MAX_SHORT_TEXT)
    for i, line in enumerate(seller.address_lines):
        check_text(line, f"{prefix}.address_lines[{i}]", MAX_SHORT_TEXT)
    try:
        party_from_proto(seller)
    except ValidationError as error:
        first = error.errors()[0]
        field = f"{prefix}." + ".".join(str(p) for p in first["loc"]) if first["loc"] else prefix
        raise InvalidArgument(f"{field}: {first['msg']}", field=field) from None


def check_text(value: str, field: str, limit: int) -> None:
    if len(value) > limit:
        raise InvalidArgument(f"{field} is longer than {limit} characters", field=field)
    if NUL in value:
        raise InvalidArgument(f"{field} must not contain NUL characters", field=field)
