"""The reply's total and the document's totals come from the one arithmetic, through the whole
path (REST → gateway → agent → session and document services)."""

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


async def test_a_line_discount_larger_than_its_line_takes_the_line_to_zero_not_below(
    gateway: Gateway,
) -> None:
    # The agent's old copy of the arithmetic made the widget's line -40.00 and said "USD 60.00".
    async with gateway.client() as client:
        first = await chat(client, "Invoice Acme for a widget at 60 and 2 hours of QA at 50")
        edited = await chat(client, "take 100 off the widget", session_id=first["session_id"])
    totals = edited["totals"]
    assert Decimal(totals["line_amounts"][0]["amount"]) == Decimal("0.00")
    assert Decimal(totals["total"]["amount"]) == Decimal("100.00")
    assert "USD 100.00" in edited["reply"]
