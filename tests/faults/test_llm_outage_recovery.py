"""A long LLM outage ends, and turns are answered again within two seconds (issue 14's target:
errors end within 2 s of a fault's end), with the agent's breaker settings as shipped.

The agent's LLM breaker opens short and doubles its open interval on each failed probe; its
longest open bounds how long turns keep failing after the endpoint is back. With the 30 s it
had, a 20 s outage left turns failing for the whole 4 s the fault bench watches afterwards
(bench_faults llm-500).
"""

from __future__ import annotations

import asyncio
import time

from docmesh_agent.providers.base import TurnRequest
from docmesh_agent.providers.openai_provider import OpenAIProvider
from docmesh_agent.settings import AgentSettings
from docmesh_agent.usage import TurnUsage
from docmesh_common.errors import Unavailable
from tests.agent.conftest import ANSWER, TODAY
from tests.agent.fake_llm import FakeLLM, error, ok

# Long enough for the breaker to grow past the target several times under the old cap.
OUTAGE_SECONDS = 8.0
TARGET_SECONDS = 2.0
PAUSE = 0.05
REQUEST = TurnRequest(message="Invoice Acme Corp for 10 hours at $150", current=None, today=TODAY)


async def _answered(provider: OpenAIProvider) -> bool:
    try:
        await provider.answer(REQUEST, TurnUsage())
    except Unavailable:
        return False
    return True


async def test_turns_are_answered_within_two_seconds_of_a_long_outage_ending() -> None:
    async with FakeLLM(default=error(500)) as llm:
        # Only what a deployment must set; every breaker setting is the default.
        settings = AgentSettings(
            port=0,
            metrics_port=0,
            llm_provider="openai",
            llm_base_url=llm.base_url,
            llm_api_key="test-key",
            llm_model="test-model",
            llm_max_retries=0,
        )
        provider = OpenAIProvider(settings)
        try:
            outage_ends = time.monotonic() + OUTAGE_SECONDS
            while time.monotonic() < outage_ends:
                assert not await _answered(provider)
                await asyncio.sleep(PAUSE)
            llm.reset(ok(ANSWER))
            back = time.monotonic()
            while not await _answered(provider):
                assert time.monotonic() - back < 30, "never answered again"
                await asyncio.sleep(PAUSE)
            assert time.monotonic() - back <= TARGET_SECONDS
        finally:
            await provider.close()
