"""CustomerService: an owner's customers, listed by name, and the one a typed name means."""

from __future__ import annotations

import uuid

import grpc
import pytest
from google.protobuf import field_mask_pb2

from docmesh.session.v1 import customer_service_pb2 as pb
from docmesh.session.v1 import customer_service_pb2_grpc
from docmesh.type.v1 import invoice_pb2
from docmesh_common.customer_match import THRESHOLD, best_match
from docmesh_common.errors import error_from_rpc
from tests.session.conftest import Instance, Owner

Stub = customer_service_pb2_grpc.CustomerServiceStub


@pytest.fixture
def customers(instance: Instance) -> Stub:
    return customer_service_pb2_grpc.CustomerServiceStub(instance.channel)


async def create(stub: Stub, owner: Owner, name: str, **fields: object) -> pb.Customer:
    customer = pb.Customer(party=invoice_pb2.Party(name=name), **fields)  # type: ignore[arg-type]
    return (
        await stub.CreateCustomer(pb.CreateCustomerRequest(customer=customer), metadata=owner.md)
    ).customer


async def names(stub: Stub, owner: Owner, **request: object) -> list[str]:
    response = await stub.ListCustomers(pb.ListCustomersRequest(**request), metadata=owner.md)  # type: ignore[arg-type]
    return [c.party.name for c in response.customers]


async def match(stub: Stub, owner: Owner, name: str) -> pb.MatchCustomerResponse:
    return await stub.MatchCustomer(pb.MatchCustomerRequest(name=name), metadata=owner.md)


async def refused_field(call: object) -> str:
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await call  # type: ignore[misc]
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    violations = error_from_rpc(raised.value).violations
    assert len(violations) == 1, violations
    return next(iter(violations))


async def test_a_created_customer_reads_back(customers, alice) -> None:
    created = await create(
        customers, alice, "Acme Corp", default_currency_code="EUR", default_payment_days=30
    )

    found = (
        await customers.GetCustomer(pb.GetCustomerRequest(customer_id=created.id), metadata=alice.md)
    ).customer

    assert found == created
    assert (found.party.name, found.default_currency_code, found.default_payment_days) == (
        "Acme Corp",
        "EUR",
        30,
    )


async def test_customers_are_listed_by_name_case_insensitively(customers, alice) -> None:
    for name in ("beta Ltd", "Acme Corp", "Zeta AG", "alpha"):
        await create(customers, alice, name)

    assert await names(customers, alice) == ["Acme Corp", "alpha", "beta Ltd", "Zeta AG"]


async def test_query_lists_the_names_containing_it(customers, alice) -> None:
    for name in ("Acme Corp", "ACME Labs", "Apex Ltd"):
        await create(customers, alice, name)

    assert await names(customers, alice, query="acme") == ["Acme Corp", "ACME Labs"]


async def test_pages_follow_each_other_without_gaps(customers, alice) -> None:
    for i in range(5):
        await create(customers, alice, f"Customer {i}")

    first = await customers.ListCustomers(pb.ListCustomersRequest(page_size=2), metadata=alice.md)
    second = await customers.ListCustomers(
        pb.ListCustomersRequest(page_size=2, page_token=first.next_page_token), metadata=alice.md
    )
    third = await customers.ListCustomers(
        pb.ListCustomersRequest(page_size=2, page_token=second.next_page_token), metadata=alice.md
    )

    listed = [c.party.name for page in (first, second, third) for c in page.customers]
    assert listed == [f"Customer {i}" for i in range(5)]
    assert third.next_page_token == ""


async def test_a_page_token_for_another_query_is_refused(customers, alice) -> None:
    for i in range(3):
        await create(customers, alice, f"Customer {i}")
    first = await customers.ListCustomers(pb.ListCustomersRequest(page_size=1), metadata=alice.md)

    call = customers.ListCustomers(
        pb.ListCustomersRequest(page_size=1, page_token=first.next_page_token, query="x"), metadata=alice.md
    )
    assert await refused_field(call) == "page_token"


async def test_a_masked_update_changes_only_the_named_fields(customers, alice) -> None:
    created = await create(customers, alice, "Acme Corp", default_payment_days=30)
    sent = pb.Customer(
        id=created.id, party=invoice_pb2.Party(name="Acme Corporation"), default_payment_days=5
    )

    updated = (
        await customers.UpdateCustomer(
            pb.UpdateCustomerRequest(
                customer=sent, update_mask=field_mask_pb2.FieldMask(paths=["party.name"])
            ),
            metadata=alice.md,
        )
    ).customer

    assert (updated.party.name, updated.default_payment_days) == ("Acme Corporation", 30)


async def test_a_deleted_customer_is_not_found(customers, alice) -> None:
    created = await create(customers, alice, "Acme Corp")
    await customers.DeleteCustomer(pb.DeleteCustomerRequest(customer_id=created.id), metadata=alice.md)

    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await customers.GetCustomer(pb.GetCustomerRequest(customer_id=created.id), metadata=alice.md)

    assert raised.value.code() == grpc.StatusCode.NOT_FOUND


async def test_another_owners_customer_is_not_found_and_never_listed_or_matched(
    customers, alice, bob
) -> None:
    created = await create(customers, alice, "Acme Corp")

    for call in (
        customers.GetCustomer(pb.GetCustomerRequest(customer_id=created.id), metadata=bob.md),
        customers.DeleteCustomer(pb.DeleteCustomerRequest(customer_id=created.id), metadata=bob.md),
        customers.UpdateCustomer(pb.UpdateCustomerRequest(customer=created), metadata=bob.md),
    ):
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await call
        assert raised.value.code() == grpc.StatusCode.NOT_FOUND
    assert await names(customers, bob) == []
    assert (await match(customers, bob, "Acme Corp")).found is False


@pytest.mark.parametrize(
    ("customer", "field"),
    [
        (pb.Customer(), "customer.party.name"),
        (pb.Customer(party=invoice_pb2.Party(name="  ")), "customer.party.name"),
        (pb.Customer(party=invoice_pb2.Party(name="A", country_code="XX")), "customer.party.country_code"),
        (pb.Customer(party=invoice_pb2.Party(name="A", email="x" * 201)), "customer.party.email"),
        (
            pb.Customer(party=invoice_pb2.Party(name="A"), default_currency_code="XYZ"),
            "customer.default_currency_code",
        ),
        (
            pb.Customer(party=invoice_pb2.Party(name="A"), default_payment_days=400),
            "customer.default_payment_days",
        ),
    ],
)
async def test_an_invalid_customer_is_refused_by_field_and_not_written(
    customers, alice, customer, field
) -> None:
    call = customers.CreateCustomer(pb.CreateCustomerRequest(customer=customer), metadata=alice.md)

    assert await refused_field(call) == field
    assert await names(customers, alice) == []


async def test_an_unknown_customer_id_is_refused_by_name(customers, alice) -> None:
    call = customers.GetCustomer(pb.GetCustomerRequest(customer_id="nope"), metadata=alice.md)

    assert await refused_field(call) == "customer_id"


# ---- MatchCustomer -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stored", "typed"),
    [
        ("Acme Corp", "acme"),
        ("ACME Corp.", "Acme Corporation"),
        ("Acme Corp", "Acm Corp"),
        ("Müller GmbH", "müller"),
        ("Dupont S.A.R.L.", "dupont sarl"),
    ],
)
async def test_a_typed_name_matches_despite_case_legal_form_punctuation_and_a_typo(
    customers, alice, stored, typed
) -> None:
    created = await create(customers, alice, stored)

    response = await match(customers, alice, typed)

    assert response.found is True
    assert response.customer.id == created.id
    assert response.score >= THRESHOLD


async def test_a_different_name_with_the_same_legal_form_does_not_match(customers, alice) -> None:
    await create(customers, alice, "Acme Ltd")

    assert (await match(customers, alice, "Apex Ltd")).found is False


async def test_two_equally_close_customers_match_neither(customers, alice) -> None:
    await create(customers, alice, "Acme Corp")
    await create(customers, alice, "Acme GmbH")

    assert (await match(customers, alice, "acme")).found is False


async def test_the_closer_of_two_customers_is_the_match(customers, alice) -> None:
    exact = await create(customers, alice, "Acme Corp")
    await create(customers, alice, "Acmes Ltd")

    assert (await match(customers, alice, "acme")).customer.id == exact.id


async def test_an_empty_name_is_refused(customers, alice) -> None:
    assert await refused_field(match(customers, alice, " ")) == "name"


def test_the_threshold_keeps_one_changed_letter_in_a_four_letter_name_out() -> None:
    one = uuid.uuid4()

    assert best_match("acne", [(one, "acme")]) is None
    assert best_match("acmee", [(one, "acme")]) is not None
