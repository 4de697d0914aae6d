"""Agent settings, cost arithmetic, token estimates and the retry policy."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal

import pytest

from docmesh_agent.resilience import RetryPolicy
from docmesh_agent.settings import AgentSettings, ModelPrice
from docmesh_agent.usage import cost_usd, count_tokens


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ("DOCMESH_LLM_PROVIDER", "DOCMESH_LLM_BASE_URL", "DOCMESH_LLM_API_KEY", "OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_defaults_choose_the_builtin_provider_without_an_endpoint(clean_env: pytest.MonkeyPatch) -> None:
    settings = AgentSettings()
    assert settings.provider == "builtin"
    assert (settings.port, settings.metrics_port) == (50052, 9092)
    assert settings.session_target == "127.0.0.1:50051"
    assert settings.document_target == "127.0.0.1:50053"


def test_a_base_url_chooses_the_openai_provider(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("DOCMESH_LLM_BASE_URL", "http://127.0.0.1:11434/v1")
    assert AgentSettings().provider == "openai"


def test_openai_api_key_is_the_fallback_for_the_key(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("OPENAI_API_KEY", "sk-test")
    settings = AgentSettings()
    assert settings.llm_api_key.get_secret_value() == "sk-test"
    assert settings.provider == "openai"


def test_explicit_builtin_wins_over_a_configured_key(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("OPENAI_API_KEY", "sk-test")
    clean_env.setenv("DOCMESH_LLM_PROVIDER", "builtin")
    assert AgentSettings().provider == "builtin"


def test_prices_and_fallback_models_are_read_from_the_environment(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("DOCMESH_LLM_PRICES", '{"gpt-4o-mini": {"prompt": "0.15", "completion": "0.60"}}')
    clean_env.setenv("DOCMESH_LLM_FALLBACK_MODELS", "gpt-4o-mini, llama3")
    settings = AgentSettings()
    assert settings.llm_prices["gpt-4o-mini"] == ModelPrice(
        prompt=Decimal("0.15"), completion=Decimal("0.60")
    )
    assert settings.llm_fallback_models == ["gpt-4o-mini", "llama3"]


def test_a_bad_provider_name_stops_the_process_naming_the_variable() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "docmesh_agent.main"],
        env={"DOCMESH_LLM_PROVIDER": "gpt", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "DOCMESH_LLM_PROVIDER" in result.stderr


def test_cost_is_exact_decimal_per_million_tokens() -> None:
    prices = {"m": ModelPrice(prompt=Decimal("0.15"), completion=Decimal("0.60"))}
    # 1234 x 0.15 + 567 x 0.60 = 525.3 USD per million tokens
    assert cost_usd(prices, "m", 1234, 567) == Decimal("0.0005253")


def test_an_unpriced_model_costs_nothing() -> None:
    assert cost_usd({}, "unknown-model", 1000, 1000) == Decimal(0)


def test_token_estimate_uses_the_offline_encoding() -> None:
    assert count_tokens("hello world") == 2


def test_full_jitter_backoff_stays_under_the_capped_exponential() -> None:
    policy = RetryPolicy(max_retries=5, base_seconds=0.5, cap_seconds=4)
    for attempt, ceiling in [(0, 0.5), (1, 1.0), (2, 2.0), (3, 4.0), (6, 4.0)]:
        delays = [policy.backoff(attempt) for _ in range(200)]
        assert all(0 <= d <= ceiling for d in delays)
        assert max(delays) > ceiling / 2  # jitter spreads over the whole range
