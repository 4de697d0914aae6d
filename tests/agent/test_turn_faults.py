"""Turns under faults, on the in-memory ports: a failing language model leaves one error reply
however often the turn is retried, and an interrupted turn holds its session only for a short
lease that the running turn's heartbeat renews."""

from __future__ import annotations

import asyncio

import pytest

from docmesh_agent.settings import AgentSettings
from docmesh_agent.turn import ERROR_REPLY_PREFIX
from docmesh_common.errors import Aborted, Unavailable
from tests.agent.memory import StoredSession
from tests.agent.test_turn import ACME, GENERATED, edited, failure, make_rig

KEY = "turn-key-1"


def error_replies(stored: StoredSession) -> list[str]:
    return [
        m.content
        for m in stored.messages
        if m.role == "assistant" and m.content.startswith(ERROR_REPLY_PREFIX)
    ]


def roles(stored: StoredSession) -> list[str]:
    return [m.role for m in stored.messages]


# ---- a failing language model: one error reply per user message ----------------------------


async def test_a_failed_turn_retried_with_its_key_stores_one_error_reply() -> None:
    down = Unavailable("the language model is unavailable (HTTP 500)", reason="LLM_UNAVAILABLE")
    rig = make_rig(down, down, down)
    for _ in range(3):
        await failure(rig.chat(ACME, idempotency_key=KEY))
    (stored,) = rig.store.sessions.values()
    assert roles(stored) == ["user", "assistant"]
    assert len(error_replies(stored)) == 1


async def test_the_usage_of_every_retry_of_a_failed_turn_is_recorded() -> None:
    down = Unavailable("the language model is unavailable (HTTP 500)", reason="LLM_UNAVAILABLE")
    rig = make_rig(down, down)
    for _ in range(2):
        await failure(rig.chat(ACME, idempotency_key=KEY))
    (stored,) = rig.store.sessions.values()
    assert len(stored.usage) == len(rig.provider.requests) == 2


async def test_a_failed_turn_retried_until_it_succeeds_has_one_user_message_and_one_answer() -> None:
    down = Unavailable("the language model is unavailable (HTTP 500)", reason="LLM_UNAVAILABLE")
    rig = make_rig(down, down, GENERATED)
    await failure(rig.chat(ACME, idempotency_key=KEY))
    await failure(rig.chat(ACME, idempotency_key=KEY))
    result = await rig.chat(ACME, idempotency_key=KEY)
    stored = rig.session(result)
    assert result.action == "generate"
    assert roles(stored).count("user") == 1
    answers = [
        m.content
        for m in stored.messages
        if m.role == "assistant" and not m.content.startswith(ERROR_REPLY_PREFIX)
    ]
    assert answers == [result.reply]
    assert len(error_replies(stored)) == 1


# ---- interrupted turns: a short lease, renewed while the turn runs -------------------------


def test_the_turn_lease_is_seconds_not_minutes() -> None:
    assert AgentSettings(port=0, metrics_port=0).turn_lease_seconds <= 15


async def test_a_running_turn_renews_its_lease_past_the_first_one() -> None:
    release = asyncio.Event()
    rig = make_rig(GENERATED, release, edited(), turn_lease_seconds=0.3)
    first = await rig.chat(ACME)
    running = asyncio.create_task(rig.chat("add QA", first.session_id))
    await rig.provider.waiting.wait()
    await asyncio.sleep(0.6)  # two leases: without renewals the session would be free
    error = await failure(rig.chat("another", first.session_id))
    assert isinstance(error, Aborted) and error.reason == "TURN_IN_PROGRESS"
    assert rig.session(first).lease_renewals >= 1
    release.set()
    assert (await running).action == "edit"


async def test_the_heartbeat_stops_with_the_turn() -> None:
    rig = make_rig(GENERATED, turn_lease_seconds=0.3)
    result = await rig.chat(ACME)
    renewals = rig.session(result).lease_renewals
    await asyncio.sleep(0.4)
    assert rig.session(result).lease_renewals == renewals


async def test_a_lease_renewed_by_a_holder_that_died_is_honoured_with_the_time_left() -> None:
    rig = make_rig(GENERATED, edited(), turn_lease_seconds=60.0)
    first = await rig.chat(ACME)
    rig.store.add_message(first.session_id, "user", "its replica died", age_seconds=100)
    rig.store.hold_lease(first.session_id, 5)
    error = await failure(rig.chat("edit", first.session_id))
    assert isinstance(error, Aborted)
    assert error.retry_after_seconds == pytest.approx(5, abs=0.5)


async def test_a_turn_whose_holder_died_completes_on_a_retry_with_its_key_after_the_lease() -> None:
    rig = make_rig(GENERATED, edited(), turn_lease_seconds=0.3)
    first = await rig.chat(ACME)
    view = await rig.store.get(first.session_id)
    # The holder took the lease, saved the user message, then died (kill -9): no reply, no
    # more heartbeats, no release.
    rig.store.hold_lease(first.session_id, 0.3, holder="dead-turn")
    await rig.store.append_user_message(
        first.session_id, "add QA", f"{KEY}:user", expected_version=view.session.version
    )
    refused = await failure(rig.chat("add QA", first.session_id, idempotency_key=KEY))
    assert isinstance(refused, Aborted)
    assert 0 < (refused.retry_after_seconds or 0) <= 0.3
    await asyncio.sleep(0.35)
    result = await rig.chat("add QA", first.session_id, idempotency_key=KEY)
    assert result.action == "edit"
    stored = rig.session(first)
    assert roles(stored) == ["user", "assistant", "user", "assistant"]
