"""The rules of an owner's customers: CRUD, the listing by name, and MatchCustomer."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import replace

from google.protobuf import field_mask_pb2

from docmesh.session.v1 import customer_service_pb2 as pb
from docmesh.type.v1 import invoice_pb2
from docmesh_common.customer_match import Match, best_match
from docmesh_common.errors import InvalidArgument, NotFound
from docmesh_session.domain import CustomerRecord, Page
from docmesh_session.paging import Keyset, PageTokens, filter_hash
from docmesh_session.party_input import (
    MAX_SHORT_TEXT,
    check_currency,
    check_party,
    check_payment_defaults,
    check_text,
)
from docmesh_session.repository import SessionRepository
from docmesh_session.service.shared import run_to_completion
from docmesh_session.validation import page_size

# Customers page by (folded name, id).
_CUSTOMERS: Keyset[CustomerRecord, tuple[str, uuid.UUID]] = Keyset(
    "customers",
    key_of=lambda c: [c.sort_name, str(c.id)],
    parse=lambda key: (str(key[0]), uuid.UUID(key[1])),
)
SETTABLE_FIELDS = ("party", "default_currency_code", "default_payment_terms", "default_payment_days")


def customer_not_found(customer_id: uuid.UUID) -> NotFound:
    return NotFound(f"customer {customer_id} not found", reason="CUSTOMER_NOT_FOUND")


def _checked(record: CustomerRecord, customer: pb.Customer) -> CustomerRecord:
    """`record` with the customer's fields, once they are valid (fields named `customer.…`)."""
    if not customer.party.name.strip():
        raise InvalidArgument("customer.party.name is required", field="customer.party.name")
    check_party(customer.party, "customer.party")
    check_currency(customer.default_currency_code, "customer.default_currency_code")
    check_payment_defaults(customer.default_payment_terms, customer.default_payment_days, "customer.")
    return replace(
        record,
        party=customer.party.SerializeToString(deterministic=True),
        sort_name=customer.party.name.strip().casefold(),
        default_currency_code=customer.default_currency_code,
        default_payment_terms=customer.default_payment_terms,
        default_payment_days=customer.default_payment_days,
    )


def to_message(record: CustomerRecord) -> pb.Customer:
    """The customer's settable fields as a message (the servicer adds id and times)."""
    return pb.Customer(
        party=invoice_pb2.Party.FromString(record.party),
        default_currency_code=record.default_currency_code,
        default_payment_terms=record.default_payment_terms,
        default_payment_days=record.default_payment_days,
    )


class CustomerRules:
    def __init__(
        self, repository: SessionRepository, tokens: PageTokens, *, clock: Callable[[], dt.datetime]
    ) -> None:
        self._repository = repository
        self._tokens = tokens
        self._clock = clock

    @run_to_completion
    async def create(self, owner_id: str, customer: pb.Customer) -> CustomerRecord:
        now = self._clock()
        empty = CustomerRecord(uuid.uuid4(), owner_id, b"", "", "", "", 0, now, now)
        record = _checked(empty, customer)
        await self._repository.customers.create(record)
        return record

    async def get(self, owner_id: str, customer_id: uuid.UUID) -> CustomerRecord:
        found = await self._repository.customers.get(owner_id, customer_id)
        if found is None:
            raise customer_not_found(customer_id)
        return found

    async def list(self, owner_id: str, query: str, *, size: int, token: str) -> Page[CustomerRecord]:
        size = page_size(size, default=20, maximum=100)
        check_text(query, "query", MAX_SHORT_TEXT)
        folded = query.strip().casefold()
        digest = filter_hash("customers", owner_id, folded)
        after = self._tokens.after(_CUSTOMERS, token, digest)
        rows = await self._repository.customers.page(owner_id, folded, after=after, limit=size + 1)
        return self._tokens.page(_CUSTOMERS, rows, size, digest)

    @run_to_completion
    async def update(
        self, owner_id: str, customer_id: uuid.UUID, sent: pb.Customer, mask: field_mask_pb2.FieldMask
    ) -> CustomerRecord:
        current = await self.get(owner_id, customer_id)
        paths = list(mask.paths) or list(SETTABLE_FIELDS)
        chosen = field_mask_pb2.FieldMask(paths=paths)
        if any(p.split(".")[0] not in SETTABLE_FIELDS for p in paths) or not chosen.IsValidForDescriptor(
            pb.Customer.DESCRIPTOR
        ):
            raise InvalidArgument("update_mask names a field that cannot be set", field="update_mask")
        merged = to_message(current)
        chosen.MergeMessage(sent, merged, replace_message_field=True, replace_repeated_field=True)
        record = _checked(replace(current, update_time=self._clock()), merged)
        if not await self._repository.customers.replace(record):
            raise customer_not_found(customer_id)
        return record

    @run_to_completion
    async def delete(self, owner_id: str, customer_id: uuid.UUID) -> None:
        if not await self._repository.customers.delete(owner_id, customer_id):
            raise customer_not_found(customer_id)

    async def match(self, owner_id: str, name: str) -> tuple[CustomerRecord, Match] | None:
        check_text(name, "name", MAX_SHORT_TEXT)
        if not name.strip():
            raise InvalidArgument("name is required", field="name")
        found = best_match(name, await self._repository.customers.names(owner_id))
        if found is None:
            return None
        record = await self._repository.customers.get(owner_id, found.customer_id)
        return (record, found) if record is not None else None
