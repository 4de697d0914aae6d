"""The openai provider asks the model for the fields the built-in interpreter reads (issue 13):
delivery date, service period, payment method and amount paid, language, exempt lines and
per-line discounts are in the structured-output schema and the prompt, and a scripted answer that
fills them arrives in the document as sent."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from docmesh_agent.providers.base import TurnRequest
from docmesh_agent.providers.openai_provider import OpenAIProvider
from docmesh_agent.usage import TurnUsage
from tests.agent.conftest import TODAY
from tests.agent.fake_llm import FakeLLM, ok

REQUEST = TurnRequest(
    message="Recibo para Ana: 2 horas de clase a 40 € con 10 % de descuento, libro 20 € sin IVA, "
    "IVA 21 %, entregado el 3 de marzo, pagado con tarjeta",
    current=None,
    today=TODAY,
)
ISSUE_13_FIELDS = (
    "delivery_date",
    "service_period_start",
    "service_period_end",
    "payment_method",
    "amount_paid",
    "language",
    "valid_until",
)
ANSWER = {
    "reply": "Aquí tienes tu recibo.",
    "action": "generate",
    "invoice": {
        "kind": "receipt",
        "currency_code": "EUR",
        "issue_date": "2026-03-02",
        "buyer": {"name": "Ana"},
        "line_items": [
            {
                "description": "Clase",
                "quantity": "2",
                "unit": "horas",
                "unit_price": "40",
                "discount": {"percent": "10"},
            },
            {"description": "Libro", "quantity": "1", "unit_price": "20", "tax_exempt": True},
        ],
        "taxes": [{"name": "IVA", "rate_percent": "21"}],
        "delivery_date": "2026-03-03",
        "service_period_start": "2026-03-01",
        "service_period_end": "2026-03-02",
        "payment_method": "Tarjeta",
        "language": "es",
    },
}


@pytest.fixture
async def provider(openai_settings):  # type: ignore[no-untyped-def]
    made = OpenAIProvider(openai_settings())
    yield made
    await made.close()


async def test_the_structured_output_schema_has_every_field_the_builtin_reads(
    llm: FakeLLM, provider: OpenAIProvider
) -> None:
    llm.push(ok(ANSWER))
    await provider.answer(REQUEST, TurnUsage())
    schema = llm.requests[0].body["response_format"]["json_schema"]["schema"]
    invoice = schema["$defs"]["Invoice"]["properties"]
    line = schema["$defs"]["LineItem"]["properties"]
    assert [f for f in ISSUE_13_FIELDS if f not in invoice] == []
    assert "tax_exempt" in line and "discount" in line


async def test_the_prompt_says_how_to_fill_those_fields_and_never_to_price_a_date(
    llm: FakeLLM, provider: OpenAIProvider
) -> None:
    llm.push(ok(ANSWER))
    await provider.answer(REQUEST, TurnUsage())
    system = llm.requests[0].body["messages"][0]["content"]
    instructions = system.split("Rules:", 1)[1]
    for said in ("delivery_date", "service_period_start", "payment_method", "amount_paid", "tax_exempt"):
        assert said in instructions
    assert 'that line\'s "discount"' in instructions
    assert "language is the language the person writes in" in instructions
    assert "never line items or prices" in instructions


async def test_a_scripted_answer_with_those_fields_arrives_in_the_document(
    llm: FakeLLM, provider: OpenAIProvider
) -> None:
    llm.push(ok(json.dumps(ANSWER)))
    answer = await provider.answer(REQUEST, TurnUsage())
    invoice = answer.invoice
    assert invoice is not None
    assert invoice.delivery_date == dt.date(2026, 3, 3)
    assert (invoice.service_period_start, invoice.service_period_end) == (
        dt.date(2026, 3, 1),
        dt.date(2026, 3, 2),
    )
    assert (invoice.payment_method, invoice.language) == ("Tarjeta", "es")
    first, second = invoice.line_items
    assert first.discount is not None and first.discount.percent == Decimal(10)
    assert second.tax_exempt and not first.tax_exempt
