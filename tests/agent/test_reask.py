"""The one re-ask loop of a turn, counted in completions of the scripted LLM: the real openai
provider and client, the turn on in-memory ports."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from docmesh_agent.providers.openai_provider import OpenAIProvider
from docmesh_agent.settings import AgentSettings
from docmesh_agent.turn import ChatTurns, TurnResult
from docmesh_common import context
from docmesh_common.errors import Unavailable
from tests.agent.conftest import ANSWER, INVOICE
from tests.agent.fake_llm import FakeLLM, error, ok
from tests.agent.memory import MemoryCustomerBook, MemoryDocumentEngine, MemoryProfileBook, MemorySessionStore

ACME = "Invoice Acme Corp for 10 hours of consulting at $150, 8% tax"
NOT_JSON = ok("I cannot do that.")
NO_LINES = ok({**ANSWER, "invoice": {**INVOICE, "line_items": []}})


@pytest.fixture
async def turn(openai_settings: Callable[..., AgentSettings]):  # type: ignore[no-untyped-def]
    """`await turn(message, **settings)` -> the turn's result, with a fresh provider and stores."""
    made: list[OpenAIProvider] = []

    async def run(message: str = ACME, **overrides: Any) -> TurnResult:
        settings = openai_settings(**overrides)
        made.append(OpenAIProvider(settings))
        turns = ChatTurns(
            settings,
            MemorySessionStore(),
            MemoryDocumentEngine(),
            made[-1],
            profiles=MemoryProfileBook(),
            customers=MemoryCustomerBook(),
        )
        context.bind(owner_id="owner-1")
        return await turns.chat(session_id="", message=message)

    yield run
    for provider in made:
        await provider.close()


async def test_an_invalid_answer_is_re_asked_with_the_validation_errors(llm: FakeLLM, turn) -> None:  # type: ignore[no-untyped-def]
    bad = {**ANSWER, "invoice": {**INVOICE, "currency_code": "XYZ", "grand_total": "1620"}}
    llm.push(ok(bad), ok(ANSWER))
    result = await turn()
    assert result.document is not None and result.document.invoice.currency_code == "USD"
    assert len(llm.requests) == 2
    feedback = llm.requests[1].body["messages"][-1]["content"]
    assert "invoice.currency_code" in feedback
    assert "invoice.grand_total" in feedback
    assert llm.requests[1].body["messages"][-2]["role"] == "assistant"
    assert json.loads(llm.requests[1].body["messages"][-2]["content"]) == bad
    assert len(result.usage.calls) == 2


async def test_re_asks_are_bounded(llm: FakeLLM, turn) -> None:  # type: ignore[no-untyped-def]
    llm.push(*(NOT_JSON for _ in range(5)))
    with pytest.raises(Unavailable) as caught:
        await turn(llm_reask_limit=2)
    assert caught.value.reason == "LLM_INVALID_OUTPUT"
    assert len(llm.requests) == 3


@pytest.mark.parametrize("limit", [0, 1, 2, 3])
async def test_invalid_answers_and_rejected_documents_share_one_limit(llm: FakeLLM, turn, limit: int) -> None:  # type: ignore[no-untyped-def]
    # Alternating unparsable answers and incomplete documents: each one used to start a loop
    # of its own (up to (1 + limit)² completions per model); now every completion counts.
    llm.push(*([NOT_JSON, NO_LINES] * 4))
    try:
        result = await turn(llm_reask_limit=limit)
    except Unavailable as error:
        assert error.reason == "LLM_INVALID_OUTPUT"
    else:
        assert result.action == "question"
    assert len(llm.requests) == 1 + limit


async def test_a_fallback_models_answer_is_re_asked_of_that_model_within_the_same_limit(
    llm: FakeLLM, turn
) -> None:  # type: ignore[no-untyped-def]
    # The main model's endpoint fails; the fallback's answers are sent back to the fallback,
    # and its asks count against the turn's one limit.
    llm.push(error(404, error_message="model not found"), NOT_JSON, NOT_JSON, NOT_JSON, ok(ANSWER))
    with pytest.raises(Unavailable) as caught:
        await turn(llm_reask_limit=2, llm_fallback_models=["small-model"])
    assert caught.value.reason == "LLM_INVALID_OUTPUT"
    assert [r.body["model"] for r in llm.requests] == [
        "test-model",
        "small-model",
        "small-model",
        "small-model",
    ]
