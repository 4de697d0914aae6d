"""The openai provider and credit notes: the schema it asks the model to fill and the prompt
carry the credit note kind and the invoice it corrects (BG-3), and a model's credit note
answer becomes a typed credit note."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from docmesh_agent.providers.base import TurnRequest
from docmesh_agent.providers.openai_provider import OpenAIProvider
from docmesh_agent.usage import TurnUsage
from docmesh_common.model.invoice import DocumentKind, Invoice
from tests.agent.conftest import ANSWER, INVOICE, TODAY
from tests.agent.fake_llm import FakeLLM, ok

CREDIT_NOTE = {
    **INVOICE,
    "kind": "credit_note",
    "preceding_invoice": {"number": "INV-2026-0007", "issue_date": "2026-03-01"},
}


@pytest.fixture
async def provider(openai_settings):  # type: ignore[no-untyped-def]
    made = OpenAIProvider(openai_settings())
    yield made
    await made.close()


async def test_the_structured_output_schema_offers_the_credit_note_kind_and_its_preceding_invoice(
    llm: FakeLLM, provider: OpenAIProvider
) -> None:
    llm.push(ok(ANSWER))

    await provider.answer(TurnRequest(message="credit note", current=None, today=TODAY), TurnUsage())

    schema = json.dumps(llm.requests[0].body["response_format"]["json_schema"]["schema"])
    assert '"credit_note"' in schema and '"preceding_invoice"' in schema


async def test_the_prompt_tells_the_model_what_a_credit_note_refers_to(
    llm: FakeLLM, provider: OpenAIProvider
) -> None:
    llm.push(ok(ANSWER))

    await provider.answer(TurnRequest(message="credit note", current=None, today=TODAY), TurnUsage())

    system = llm.requests[0].body["messages"][0]["content"]
    assert '"credit_note"' in system and "preceding_invoice" in system


async def test_a_credit_note_answer_becomes_a_typed_credit_note_with_its_invoice(
    llm: FakeLLM, provider: OpenAIProvider
) -> None:
    llm.push(ok({**ANSWER, "action": "edit", "invoice": CREDIT_NOTE}))
    current = Invoice.model_validate(CREDIT_NOTE)

    answer = await provider.answer(
        TurnRequest(message="add a note", current=current, today=TODAY), TurnUsage()
    )

    assert answer.invoice is not None and answer.invoice.kind is DocumentKind.CREDIT_NOTE
    assert answer.invoice.preceding_invoice is not None
    assert (answer.invoice.preceding_invoice.number, answer.invoice.preceding_invoice.issue_date) == (
        "INV-2026-0007",
        dt.date(2026, 3, 1),
    )
    assert "INV-2026-0007" in llm.requests[0].body["messages"][0]["content"]
