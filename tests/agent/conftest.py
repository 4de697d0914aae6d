"""Agent test fixtures: the scripted OpenAI-compatible server and settings pointing at it."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from docmesh_agent.settings import AgentSettings
from tests.agent.fake_llm import FakeLLM

TODAY = dt.date(2026, 3, 2)

INVOICE = {
    "currency_code": "USD",
    "buyer": {"name": "Acme Corp"},
    "line_items": [{"description": "Consulting", "quantity": "10", "unit": "hours", "unit_price": "150"}],
    "taxes": [{"name": "Tax", "rate_percent": "8"}],
}

ANSWER = {
    "reply": "Here is the invoice for Acme Corp.",
    "action": "generate",
    "invoice": INVOICE,
    "summary": "Invoice for Acme Corp",
}


@pytest.fixture(scope="session")
async def llm_server() -> AsyncIterator[FakeLLM]:
    async with FakeLLM() as server:
        yield server


@pytest.fixture
def llm(llm_server: FakeLLM) -> FakeLLM:
    """The scripted LLM, with an empty script (unscripted requests get HTTP 500)."""
    llm_server.reset()
    return llm_server


@pytest.fixture
def openai_settings(llm: FakeLLM) -> Callable[..., AgentSettings]:
    """Settings for the openai provider against the scripted server; keyword overrides by field name."""

    def make(**overrides: Any) -> AgentSettings:
        values: dict[str, Any] = {
            "llm_provider": "openai",
            "llm_base_url": llm.base_url,
            "llm_api_key": "test-key",
            "llm_model": "test-model",
            "llm_max_retries": 2,
            "llm_backoff_base_seconds": 0.01,
            "llm_backoff_cap_seconds": 1.0,
            "llm_timeout_seconds": 5.0,
            "llm_breaker_fail_max": 5,
            "llm_breaker_reset_seconds": 30.0,
            "llm_prices": {"test-model": {"prompt": "2.5", "completion": "10"}},
            "port": 0,
            "metrics_port": 0,
        }
        values.update(overrides)
        return AgentSettings(**values)

    return make
