"""The original app's routes (legacy.py) on in-memory ports."""

from __future__ import annotations

import pytest

from docmesh_agent.legacy import LegacyApp
from docmesh_agent.settings import AgentSettings
from docmesh_agent.turn import ChatTurns
from docmesh_common import context
from docmesh_common.errors import InvalidArgument, NotFound
from docmesh_common.model.invoice import Invoice
from tests.agent.conftest import INVOICE
from tests.agent.memory import (
    MemoryCustomerBook,
    MemoryDocumentEngine,
    MemoryProfileBook,
    MemorySessionStore,
    ScriptedProvider,
)
from tests.agent.test_turn import GENERATED, edited


@pytest.fixture
def app() -> LegacyApp:
    context.bind(owner_id="owner-1")
    store = MemorySessionStore()
    provider = ScriptedProvider(GENERATED, edited(notes="thanks"))
    settings = AgentSettings(port=0, metrics_port=0)
    return LegacyApp(
        ChatTurns(
            settings,
            store,
            MemoryDocumentEngine(),
            provider,
            profiles=MemoryProfileBook(),
            customers=MemoryCustomerBook(),
        ),
        store,
    )


async def test_generate_and_send_are_turns_of_one_session(app: LegacyApp) -> None:
    generated = await app.generate("Invoice Acme Corp")
    sent = await app.send(generated.session_id, "add a note")
    assert sent.session_id == generated.session_id
    assert (generated.revision_number, sent.revision_number) == (1, 2)


async def test_generate_needs_a_prompt_and_send_a_session(app: LegacyApp) -> None:
    with pytest.raises(InvalidArgument) as caught:
        await app.generate("  ")
    assert "initial_prompt" in caught.value.violations
    with pytest.raises(InvalidArgument) as caught:
        await app.send("", "hello")
    assert "session_id" in caught.value.violations


async def test_a_session_shows_its_conversation_last_reply_and_sheet(app: LegacyApp) -> None:
    generated = await app.generate("Invoice Acme Corp")
    app.sessions.add_message(generated.session_id, "system", "instructions")  # type: ignore[attr-defined]
    sent = await app.send(generated.session_id, "add a note")
    shown = await app.get(generated.session_id)
    assert [role for role, _, _ in shown.messages] == ["user", "assistant", "user", "assistant"]
    assert shown.last_reply == sent.reply
    assert shown.msc.startswith("socialcalc:") and Invoice.model_validate(INVOICE).buyer.name in shown.msc


async def test_a_deleted_session_is_not_found_by_the_app(app: LegacyApp) -> None:
    generated = await app.generate("Invoice Acme Corp")
    assert await app.delete(generated.session_id) == generated.session_token_count
    with pytest.raises(NotFound):
        await app.get(generated.session_id)
