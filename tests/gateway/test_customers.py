"""Customers through the real gateway to the real session service: CRUD, search, paging, isolation."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from tests.gateway.conftest import Backends, Gateway, error_of, require


@pytest.fixture(autouse=True)
def _needs_session(backends: Backends) -> None:
    require(backends, "session")


async def create(client: httpx.AsyncClient, name: str, **party: Any) -> dict[str, Any]:
    response = await client.post("/api/v1/customers", json={"party": {"name": name, **party}})
    assert response.status_code == 200, response.text
    return dict(response.json()["customer"])


def unique(name: str) -> str:
    return f"{name} {uuid.uuid4().hex[:8]}"


async def test_the_body_of_a_create_is_the_customer_itself(gateway: Gateway) -> None:
    name = unique("Globex")
    async with gateway.client() as client:
        created = await create(client, name, city="Springfield", country_code="US")
        fetched = await client.get(f"/api/v1/customers/{created['id']}")
    assert created["id"]
    assert fetched.status_code == 200
    assert fetched.json()["customer"]["party"] == created["party"]
    assert created["party"]["city"] == "Springfield"


async def test_search_by_name_finds_the_customer(gateway: Gateway) -> None:
    name = unique("Initech")
    async with gateway.client() as client:
        await create(client, name)
        found = await client.get("/api/v1/customers", params={"query": name.lower()})
    assert [c["party"]["name"] for c in found.json()["customers"]] == [name]


async def test_the_list_pages_with_a_cursor(gateway: Gateway) -> None:
    marker = uuid.uuid4().hex[:8]
    async with gateway.client() as client:
        for index in range(3):
            await create(client, f"Paged {marker} {index}")
        first = await client.get("/api/v1/customers", params={"query": marker, "page_size": 2})
        token = first.json()["next_page_token"]
        second = await client.get(
            "/api/v1/customers", params={"query": marker, "page_size": 2, "page_token": token}
        )
    names = [c["party"]["name"] for c in first.json()["customers"] + second.json()["customers"]]
    assert token
    assert sorted(names) == [f"Paged {marker} {i}" for i in range(3)]
    assert second.json()["next_page_token"] == ""


async def test_a_patch_changes_the_named_fields(gateway: Gateway) -> None:
    async with gateway.client() as client:
        created = await create(client, unique("Umbrella"), city="Raccoon City")
        patched = await client.patch(
            f"/api/v1/customers/{created['id']}", json={"default_payment_terms": "Net 45"}
        )
    assert patched.status_code == 200, patched.text
    customer = patched.json()["customer"]
    assert customer["default_payment_terms"] == "Net 45"
    assert customer["party"]["city"] == "Raccoon City"


async def test_a_deleted_customer_is_404(gateway: Gateway) -> None:
    async with gateway.client() as client:
        created = await create(client, unique("Hooli"))
        deleted = await client.delete(f"/api/v1/customers/{created['id']}")
        missing = await client.get(f"/api/v1/customers/{created['id']}")
    assert deleted.status_code == 200
    assert missing.status_code == 404


async def test_an_unknown_country_is_400_naming_the_field_and_nothing_is_written(gateway: Gateway) -> None:
    name = unique("Nowhere Ltd")
    async with gateway.client() as client:
        response = await client.post(
            "/api/v1/customers", json={"party": {"name": name, "country_code": "QQ"}}
        )
        listed = await client.get("/api/v1/customers", params={"query": name})
    assert response.status_code == 400
    error = error_of(response)
    bad = next(d for d in error["details"] if d["@type"].endswith("BadRequest"))
    assert "country_code" in bad["field_violations"][0]["field"]
    assert listed.json()["customers"] == []


async def test_another_owners_customer_is_404_for_get_patch_and_delete(gateway: Gateway) -> None:
    async with gateway.client() as alice:
        created = await create(alice, unique("Private Client"))
    path = f"/api/v1/customers/{created['id']}"
    async with gateway.client("bob") as bob:
        got = await bob.get(path)
        patched = await bob.patch(path, json={"party": {"name": "stolen"}})
        deleted = await bob.delete(path)
        listed = await bob.get("/api/v1/customers", params={"query": "Private Client"})
    assert got.status_code == patched.status_code == deleted.status_code == 404
    assert listed.json()["customers"] == []
    async with gateway.client() as alice:
        still = await alice.get(path)
    assert still.json()["customer"]["party"]["name"] == created["party"]["name"]
