"""The kind of a first document and of a paid receipt, through the whole path
(REST → gateway → agent → session and document services)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest

from tests.gateway.conftest import Backends, Gateway, require


@pytest.fixture(autouse=True)
def _needs_the_mesh(backends: Backends) -> None:
    require(backends, "session", "agent", "document")


async def chat(client: httpx.AsyncClient, message: str, **fields: Any) -> dict[str, Any]:
    response = await client.post("/api/v1/chat", json={"message": message, **fields})
    assert response.status_code == 200, response.text
    return dict(response.json())


@pytest.mark.parametrize(
    ("message", "kind", "title"),
    [
        ("Quote for Globex: 3 x Widget @ 12.50", "DOCUMENT_KIND_QUOTE", "Quote for Globex"),
        ("Receipt for Globex: 3 x Widget @ 12.50", "DOCUMENT_KIND_RECEIPT", "Receipt for Globex"),
        (
            "Purchase order for Globex: 3 x Widget @ 12.50",
            "DOCUMENT_KIND_PURCHASE_ORDER",
            "Purchase order for Globex",
        ),
    ],
)
async def test_the_first_message_decides_the_kind_and_the_title(
    gateway: Gateway, message: str, kind: str, title: str
) -> None:
    async with gateway.client() as client:
        answer = await chat(client, message)
        session = (await client.get(f"/api/v1/sessions/{answer['session_id']}")).json()
    assert answer["invoice"]["kind"] == kind
    assert session["session"]["title"] == title
    assert session["session"]["document_kind"] == kind


async def test_an_explicit_kind_in_the_request_wins(gateway: Gateway) -> None:
    async with gateway.client() as client:
        answer = await chat(
            client, "Quote for Globex: 3 x Widget @ 12.50", document_kind="DOCUMENT_KIND_INVOICE"
        )
    assert answer["invoice"]["kind"] == "DOCUMENT_KIND_INVOICE"


async def test_make_it_a_quote_changes_the_kind(gateway: Gateway) -> None:
    async with gateway.client() as client:
        first = await chat(client, "Invoice Globex for 3 x Widget @ 12.50")
        changed = await chat(client, "make it a quote", session_id=first["session_id"])
    assert changed["invoice"]["kind"] == "DOCUMENT_KIND_QUOTE"


async def test_a_receipt_paid_by_card_has_nothing_left_to_pay(gateway: Gateway) -> None:
    async with gateway.client() as client:
        answer = await chat(client, "Receipt for Jane Doe: 2 coffees at 3.50 EUR, paid by card")
    assert answer["invoice"]["kind"] == "DOCUMENT_KIND_RECEIPT"
    assert Decimal(answer["invoice"]["amount_paid"]["amount"]) == Decimal("7.00")
    assert Decimal(answer["totals"]["balance_due"]["amount"]) == Decimal("0.00")
    assert answer["invoice"]["payment_method"].lower() == "card"
