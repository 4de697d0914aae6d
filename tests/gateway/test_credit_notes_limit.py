"""Over-crediting through the REST gateway and the real mesh: `:complete` of a credit note that,
with the invoice's finalized credit notes, credits more than the invoice is a 400
FAILED_PRECONDITION JSON error naming the invoice, what it invoiced, what is credited and what
is left; the credit note stays a draft."""

from __future__ import annotations

import pytest

from tests.gateway.conftest import Backends, Gateway, error_of, require
from tests.gateway.test_credit_notes import chat, finalized_number


@pytest.fixture(autouse=True)
def _needs_the_mesh(backends: Backends) -> None:
    require(backends, "session", "agent", "document")


async def test_completing_a_second_full_credit_note_is_400_naming_the_invoice_and_amounts(
    gateway: Gateway,
) -> None:
    async with gateway.client() as client:
        number, _ = await finalized_number(client, "Invoice Acme for 3 hours of design at $90")
        first = await chat(client, f"credit note for {number}")
        second = await chat(client, f"credit note for {number}")
        done = await client.post(f"/api/v1/sessions/{first['session_id']}:complete", json={})
        refused = await client.post(f"/api/v1/sessions/{second['session_id']}:complete", json={})
        after = await client.get(f"/api/v1/sessions/{second['session_id']}")

    assert done.status_code == 200, done.text
    credit_number = done.json()["session"]["document_number"]
    assert refused.status_code == 400
    error = error_of(refused)
    assert error["status"] == "FAILED_PRECONDITION"
    assert error["message"] == (
        f"invoice {number} totals USD 270.00, USD 270.00 of it is already credited (credit note "
        f"{credit_number}) and USD 0.00 is left: a credit note of USD 270.00 would credit more than was invoiced"
    )
    assert after.json()["session"].get("document_number", "") == ""


async def test_asking_again_in_chat_for_a_fully_credited_invoice_makes_no_credit_note(
    gateway: Gateway,
) -> None:
    async with gateway.client() as client:
        number, _ = await finalized_number(client, "Invoice Acme for 3 hours of design at $90")
        credit = await chat(client, f"credit note for {number}")
        await client.post(f"/api/v1/sessions/{credit['session_id']}:complete", json={})
        again = await chat(client, f"credit note for {number}")

    assert "already fully credited" in again["reply"]
    assert again.get("revision_number", 0) == 0 and "invoice" not in again
