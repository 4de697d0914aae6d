"""The openai provider: the real `openai` client against the scripted OpenAI-compatible server."""

from __future__ import annotations

import asyncio
import json
import time
from decimal import Decimal

import pytest

from docmesh_agent.providers.base import HistoryMessage, InvalidAnswer, TurnRequest, answer_schema
from docmesh_agent.providers.openai_provider import (
    OpenAIProvider,
    _completion,
    _request_body,
    _response_format,
)
from docmesh_agent.usage import TurnUsage
from docmesh_common.errors import DeadlineExceeded, Unavailable
from docmesh_common.model.invoice import Invoice
from tests.agent.conftest import ANSWER, INVOICE, TODAY
from tests.agent.fake_llm import FakeLLM, Step, error, ok

REQUEST = TurnRequest(
    message="Invoice Acme Corp for 10 hours of consulting at $150, 8% tax", current=None, today=TODAY
)


@pytest.fixture
async def make_provider(openai_settings):  # type: ignore[no-untyped-def]
    """`make_provider(**settings)` -> an OpenAIProvider, closed after the test."""
    made: list[OpenAIProvider] = []

    def make(**overrides):  # type: ignore[no-untyped-def]
        made.append(OpenAIProvider(openai_settings(**overrides)))
        return made[-1]

    yield make
    for provider in made:
        await provider.close()


async def ask(provider: OpenAIProvider, request: TurnRequest = REQUEST, **kwargs):  # type: ignore[no-untyped-def]
    usage = TurnUsage()
    answer = await provider.answer(request, usage, **kwargs)
    return answer, usage


async def test_clean_json_answer_becomes_a_typed_invoice(llm: FakeLLM, make_provider) -> None:
    llm.push(ok(ANSWER))
    provider = make_provider()
    answer, _ = await ask(provider)
    assert answer.action == "generate"
    assert answer.reply == ANSWER["reply"]
    assert answer.invoice is not None
    assert answer.invoice.buyer.name == "Acme Corp"
    assert answer.invoice.line_items[0].unit_price == Decimal("150")


async def test_request_asks_for_json_schema_structured_output(llm: FakeLLM, make_provider) -> None:
    llm.push(ok(ANSWER))
    provider = make_provider()
    await ask(provider)
    body = llm.requests[0].body
    assert body["model"] == "test-model"
    assert body["response_format"]["type"] == "json_schema"
    assert "line_items" in json.dumps(body["response_format"]["json_schema"]["schema"])
    assert body["messages"][0]["role"] == "system"
    assert body["messages"][-1] == {"role": "user", "content": REQUEST.message}


async def test_json_inside_markdown_and_prose_is_extracted(llm: FakeLLM, make_provider) -> None:
    text = (
        "Sure! Here it is:\n\n```json\n"
        + json.dumps(ANSWER, indent=2)
        + "\n```\nLet me know if you need more."
    )
    llm.push(ok(text))
    provider = make_provider(llm_structured_output="none")
    answer, _ = await ask(provider)
    assert answer.invoice is not None and answer.invoice.buyer.name == "Acme Corp"
    assert "response_format" not in llm.requests[0].body


async def test_json_with_trailing_commas_in_prose_is_repaired(llm: FakeLLM, make_provider) -> None:
    raw = json.dumps(ANSWER).replace('"150"}]', '"150",},]')
    llm.push(ok("The document: " + raw + " (all amounts in USD)"))
    provider = make_provider(llm_structured_output="none")
    answer, _ = await ask(provider)
    assert answer.invoice is not None and answer.invoice.line_items[0].quantity == Decimal("10")


async def test_endpoint_without_structured_output_falls_back_to_free_text(
    llm: FakeLLM, make_provider
) -> None:
    llm.push(Step(content="", reject_response_format=True), ok("```\n" + json.dumps(ANSWER) + "\n```"))
    provider = make_provider()
    answer, _ = await ask(provider)
    assert answer.invoice is not None
    assert "response_format" in llm.requests[0].body
    assert "response_format" not in llm.requests[1].body


async def test_bare_invoice_object_is_taken_as_the_document(llm: FakeLLM, make_provider) -> None:
    llm.push(ok(INVOICE))
    provider = make_provider()
    answer, _ = await ask(provider)
    assert answer.action == "generate"
    assert answer.invoice is not None and answer.invoice.buyer.name == "Acme Corp"


async def test_an_invalid_answer_is_one_completion_raised_with_its_text_and_errors(
    llm: FakeLLM, make_provider
) -> None:
    # Asking again is the turn's job (tests/agent/test_reask.py): the provider asks once.
    bad = {**ANSWER, "invoice": {**INVOICE, "currency_code": "XYZ"}}
    llm.push(ok(bad), ok(ANSWER))
    provider = make_provider(llm_fallback_models=["small-model"])
    with pytest.raises(InvalidAnswer) as caught:
        await ask(provider)
    assert len(llm.requests) == 1
    assert caught.value.model == "test-model"
    assert json.loads(caught.value.text) == bad
    assert any(e.startswith("invoice.currency_code") for e in caught.value.errors)


async def test_rate_limit_is_retried_after_the_retry_after_delay(llm: FakeLLM, make_provider) -> None:
    llm.push(error(429, retry_after="0.3"), ok(ANSWER))
    provider = make_provider(llm_backoff_base_seconds=0.0)
    answer, usage = await ask(provider)
    assert answer.invoice is not None
    gap = llm.requests[1].at - llm.requests[0].at
    assert gap >= 0.3
    assert usage.retries == 1
    assert usage.llm_calls == 2


async def test_retry_after_beyond_the_cap_fails_with_the_hint(llm: FakeLLM, make_provider) -> None:
    llm.push(error(429, retry_after="120"))
    provider = make_provider(llm_backoff_cap_seconds=5)
    started = time.monotonic()
    with pytest.raises(Unavailable) as caught:
        await ask(provider)
    assert time.monotonic() - started < 2
    assert caught.value.retry_after_seconds == pytest.approx(120)
    assert len(llm.requests) == 1


async def test_server_errors_are_retried_then_reported(llm: FakeLLM, make_provider) -> None:
    llm.push(error(500), error(502), error(503))
    provider = make_provider(llm_max_retries=2)
    with pytest.raises(Unavailable) as caught:
        await ask(provider)
    assert "HTTP 503" in caught.value.message
    assert len(llm.requests) == 3


async def test_bad_credentials_are_not_retried(llm: FakeLLM, make_provider) -> None:
    llm.push(error(401, error_message="invalid api key"))
    provider = make_provider()
    with pytest.raises(Unavailable) as caught:
        await ask(provider)
    assert caught.value.reason == "LLM_AUTH"
    assert len(llm.requests) == 1


async def test_breaker_opens_after_fail_max_server_errors(llm: FakeLLM, make_provider) -> None:
    provider = make_provider(llm_max_retries=0, llm_breaker_fail_max=3)
    for _ in range(3):
        with pytest.raises(Unavailable) as caught:
            await ask(provider)
        assert caught.value.reason == "LLM_UNAVAILABLE"
    assert provider.breaker.state == "open"
    assert len(llm.requests) == 3


async def test_open_breaker_fails_fast_with_a_retry_hint(llm: FakeLLM, make_provider) -> None:
    provider = make_provider(
        llm_max_retries=0, llm_breaker_fail_max=2, llm_breaker_reset_seconds=30, breaker_first_open_seconds=30
    )
    for _ in range(2):
        with pytest.raises(Unavailable):
            await ask(provider)
    llm.push(ok(ANSWER))
    started = time.monotonic()
    with pytest.raises(Unavailable) as caught:
        await ask(provider)
    assert time.monotonic() - started < 0.5
    assert caught.value.reason == "LLM_BREAKER_OPEN"
    # The hint is the time left of the interval the breaker drew (30 s shortened by its jitter).
    left = caught.value.retry_after_seconds or 0
    assert provider.breaker.open_seconds - 1 <= left <= provider.breaker.open_seconds
    assert provider.breaker.open_seconds >= 20
    assert len(llm.requests) == 2


async def test_after_a_blip_the_llm_breaker_lets_a_probe_through_within_about_a_second(
    llm: FakeLLM, make_provider
) -> None:
    provider = make_provider(
        llm_max_retries=0,
        llm_breaker_fail_max=1,
        llm_breaker_reset_seconds=30,
        breaker_first_open_seconds=0.5,
    )
    with pytest.raises(Unavailable):
        await ask(provider)
    assert provider.breaker.state == "open"
    await asyncio.sleep(0.6)
    llm.push(ok(ANSWER))
    await ask(provider)
    assert provider.breaker.state == "closed"


async def test_half_open_breaker_lets_one_probe_through_and_closes_on_success(
    llm: FakeLLM, make_provider
) -> None:
    provider = make_provider(llm_max_retries=0, llm_breaker_fail_max=1, llm_breaker_reset_seconds=0.3)
    with pytest.raises(Unavailable):
        await ask(provider)
    assert provider.breaker.state == "open"
    await asyncio.sleep(0.35)
    llm.push(ok(ANSWER, delay=1.0), ok(ANSWER), ok(ANSWER))
    probe = asyncio.create_task(ask(provider))
    await asyncio.sleep(0.2)
    with pytest.raises(Unavailable) as caught:
        await ask(provider)
    assert caught.value.reason == "LLM_BREAKER_OPEN"
    answer, _ = await probe
    assert answer.invoice is not None
    assert provider.breaker.state == "closed"
    again, _ = await ask(provider)
    assert again.invoice is not None
    assert len(llm.requests) == 3


async def test_half_open_probe_failure_opens_the_breaker_again(llm: FakeLLM, make_provider) -> None:
    provider = make_provider(llm_max_retries=0, llm_breaker_fail_max=1, llm_breaker_reset_seconds=0.2)
    with pytest.raises(Unavailable):
        await ask(provider)
    await asyncio.sleep(0.25)
    with pytest.raises(Unavailable) as caught:
        await ask(provider)
    assert caught.value.reason == "LLM_UNAVAILABLE"
    assert provider.breaker.state == "open"


async def test_a_timed_out_call_is_retried(llm: FakeLLM, make_provider) -> None:
    llm.push(ok(ANSWER, delay=3.0), ok(ANSWER))
    provider = make_provider(llm_timeout_seconds=0.3, llm_max_retries=1)
    started = time.monotonic()
    answer, usage = await ask(provider)
    assert answer.invoice is not None
    assert 0.3 <= time.monotonic() - started < 2.0  # not the 3 s of the stalled answer
    assert usage.retries == 1


async def test_timeouts_on_every_attempt_are_unavailable(llm: FakeLLM, make_provider) -> None:
    llm.push(ok(ANSWER, delay=1.0), ok(ANSWER, delay=1.0))
    provider = make_provider(llm_timeout_seconds=0.2, llm_max_retries=1)
    with pytest.raises(Unavailable) as caught:
        await ask(provider)
    assert "did not answer in time" in caught.value.message


async def test_the_callers_deadline_bounds_the_llm_call(llm: FakeLLM, make_provider) -> None:
    llm.push(ok(ANSWER, delay=3.0))
    provider = make_provider(llm_max_retries=3)
    started = time.monotonic()
    with pytest.raises(DeadlineExceeded):
        await ask(provider, deadline=time.monotonic() + 0.4)
    assert time.monotonic() - started < 2.0


async def test_fallback_model_answers_when_the_main_model_fails(llm: FakeLLM, make_provider) -> None:
    llm.push(error(404, error_message="model not found"), ok(ANSWER))
    provider = make_provider(llm_fallback_models=["small-model"])
    answer, usage = await ask(provider)
    assert answer.invoice is not None
    assert [r.body["model"] for r in llm.requests] == ["test-model", "small-model"]
    assert usage.calls[-1].model == "small-model"


async def test_streamed_deltas_carry_the_reply_as_it_arrives(llm: FakeLLM, make_provider) -> None:
    llm.push(ok(ANSWER, chunk_chars=5))
    provider = make_provider()
    deltas: list[str] = []

    async def sink(text: str) -> None:
        deltas.append(text)

    answer, usage = await ask(provider, on_delta=sink)
    assert llm.requests[0].body["stream"] is True
    assert len(deltas) > 3
    assert "".join(deltas) == ANSWER["reply"]
    assert answer.streamed
    assert answer.invoice is not None
    assert (usage.prompt_tokens, usage.completion_tokens) == (120, 40)
    assert not usage.estimated


async def test_usage_and_cost_come_from_the_reported_usage_and_the_price_table(
    llm: FakeLLM, make_provider
) -> None:
    llm.push(ok(ANSWER, usage=(1000, 200)))
    provider = make_provider()
    _, usage = await ask(provider)
    (call,) = usage.calls
    assert (call.prompt_tokens, call.completion_tokens) == (1000, 200)
    # 1000 x 2.5 / 1e6 + 200 x 10 / 1e6
    assert call.cost_usd == Decimal("0.0045")
    assert call.provider == "openai" and call.model == "test-model"
    assert not call.estimated
    assert call.latency_ms >= 0


async def test_usage_is_estimated_with_tiktoken_when_the_endpoint_reports_none(
    llm: FakeLLM, make_provider
) -> None:
    llm.push(ok(ANSWER, usage=None))
    provider = make_provider()
    _, usage = await ask(provider)
    (call,) = usage.calls
    assert call.estimated
    assert call.prompt_tokens > 100  # the system prompt carries the schema
    assert 10 < call.completion_tokens < 200


async def test_history_is_truncated_to_the_context_budget(llm: FakeLLM, make_provider) -> None:
    llm.push(ok(ANSWER))
    history = [HistoryMessage(role="user", content=f"message {i} " + "word " * 300) for i in range(50)]
    provider = make_provider(llm_context_tokens=6000)
    request = TurnRequest(message="and one more", current=None, today=TODAY, history=history)
    await ask(provider, request)
    sent = llm.requests[0].body["messages"]
    assert 1 < len(sent) - 2 < 50
    assert sent[-2]["content"].startswith("message 49 ")


async def test_current_invoice_is_in_the_prompt(llm: FakeLLM, make_provider) -> None:
    llm.push(ok({**ANSWER, "action": "edit"}))
    provider = make_provider()
    current = Invoice.model_validate({**INVOICE, "buyer": {"name": "Initech"}})
    await ask(provider, TurnRequest(message="add 5% discount", current=current, today=TODAY))
    assert "Initech" in llm.requests[0].body["messages"][0]["content"]


@pytest.mark.parametrize(("mode", "stream"), [("auto", False), ("json_object", True), ("none", False)])
def test_request_body_is_the_compact_json_the_sdk_would_send(mode: str, stream: bool) -> None:
    # The provider encodes the body itself (the SDK's create would transform and encode it per
    # call): same keys in the same order, compact UTF-8 JSON, response_format last.
    messages = [
        {"role": "system", "content": 'Schema: {"a": "b"}\nütf-8 ✓'},
        {"role": "user", "content": "hi"},
    ]
    body = _request_body(
        model="m",
        messages=messages,
        max_tokens=10,
        temperature=0.5,
        response_format=_response_format(mode),
        stream=stream,
    )
    expected: dict[str, object] = {"model": "m"}
    if stream:
        expected["stream"] = True
    expected |= {"messages": messages, "max_tokens": 10}
    if stream:
        expected["stream_options"] = {"include_usage": True}
    expected["temperature"] = 0.5
    if mode == "auto":
        expected["response_format"] = {
            "type": "json_schema",
            "json_schema": {"name": "agent_answer", "schema": answer_schema(), "strict": False},
        }
    elif mode == "json_object":
        expected["response_format"] = {"type": "json_object"}
    assert body == json.dumps(expected, ensure_ascii=False, separators=(",", ":")).encode()


def test_a_completion_without_content_or_usage_reads_as_empty_text() -> None:
    assert _completion(b'{"choices": [{"message": {"content": null}}]}') == ("", None)
    assert _completion(b'{"choices": []}') == ("", None)
    text, usage = _completion(
        b'{"choices": [{"message": {"content": "x"}}], "usage": {"prompt_tokens": 3, "completion_tokens": 4}}'
    )
    assert text == "x"
    assert usage is not None and (usage.prompt_tokens, usage.completion_tokens) == (3, 4)


async def test_a_burst_after_the_endpoints_idle_timeout_meets_no_closed_connections(openai_settings) -> None:
    # The endpoint drops idle connections after 1 s; the client keeps them 0.5 s. The waves
    # come around the moment the server closes the previous wave's connections: a client that
    # kept them longer sends on closing sockets ("Server disconnected"); with the old 5 s
    # client keep-alive this failed in most runs.
    async with FakeLLM(default=ok(ANSWER), keep_alive_seconds=1) as endpoint:
        provider = OpenAIProvider(
            openai_settings(llm_base_url=endpoint.base_url, llm_max_retries=0, llm_keepalive_seconds=0.5)
        )
        try:
            for idle in (0.98, 1.0, 1.01, 1.02, 1.03, 1.05, 1.1):
                results = await asyncio.gather(*(ask(provider) for _ in range(32)), return_exceptions=True)
                assert [r for r in results if isinstance(r, BaseException)] == []
                await asyncio.sleep(idle)
        finally:
            await provider.close()
