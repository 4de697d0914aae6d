"""The chat turn's rules on in-memory ports (tests/agent/memory.py): the same behaviours the
end-to-end tests check through the real services, in milliseconds."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from decimal import Decimal
from typing import Any

import pytest

from docmesh_agent.providers.base import InvalidAnswer, ProviderAnswer
from docmesh_agent.settings import AgentSettings
from docmesh_agent.turn import ERROR_REPLY_PREFIX, ChatTurns, TurnResult
from docmesh_common import context
from docmesh_common.errors import (
    Aborted,
    DomainError,
    FailedPrecondition,
    InvalidArgument,
    ResourceExhausted,
    Unauthenticated,
    Unavailable,
)
from docmesh_common.model.invoice import DocumentKind, Invoice
from tests.agent.conftest import INVOICE
from tests.agent.memory import (
    MemoryCustomerBook,
    MemoryDocumentEngine,
    MemoryProfileBook,
    MemorySessionStore,
    ScriptedProvider,
    StoredSession,
)

ACME = "Invoice Acme Corp for 10 hours of consulting at $150/h, 8% tax"
ACME_INVOICE = Invoice.model_validate(INVOICE)
GENERATED = ProviderAnswer(
    action="generate", invoice=ACME_INVOICE, reply="Here is the invoice.", summary="Invoice for Acme Corp"
)


def edited(**changes: Any) -> ProviderAnswer:
    return ProviderAnswer(
        action="edit", invoice=ACME_INVOICE.model_copy(update=changes), reply="Done.", summary="Edited"
    )


def question(reply: str = "Who is it for?") -> ProviderAnswer:
    return ProviderAnswer(action="question", invoice=None, reply=reply)


NO_LINES = ProviderAnswer(
    action="generate", invoice=ACME_INVOICE.model_copy(update={"line_items": []}), reply="x"
)


@dataclasses.dataclass
class Rig:
    store: MemorySessionStore
    engine: MemoryDocumentEngine
    provider: ScriptedProvider
    turns: ChatTurns

    async def chat(self, message: str, session_id: str = "", **kwargs: Any) -> TurnResult:
        context.bind(owner_id="owner-1")
        return await self.turns.chat(session_id=session_id, message=message, **kwargs)

    def session(self, result: TurnResult) -> StoredSession:
        return self.store.stored(result.session_id)


def make_rig(*steps: Any, can_fix: bool = True, max_tokens: int | None = None, **settings: Any) -> Rig:
    values: dict[str, Any] = {"port": 0, "metrics_port": 0, "llm_reask_limit": 2, "turn_lease_seconds": 60.0}
    values.update(settings)
    profiles = MemoryProfileBook()
    store = MemorySessionStore(max_tokens=max_tokens, profiles=profiles)
    engine = MemoryDocumentEngine()
    provider = ScriptedProvider(*steps, can_fix=can_fix)
    return Rig(
        store,
        engine,
        provider,
        ChatTurns(
            AgentSettings(**values),
            store,
            engine,
            provider,
            profiles=profiles,
            customers=MemoryCustomerBook(),
        ),
    )


async def failure(call: Any) -> DomainError:
    with pytest.raises(DomainError) as caught:
        await call
    return caught.value


# ---- a turn's outcome -------------------------------------------------------------------------


async def test_a_first_message_makes_revision_one_and_names_the_session() -> None:
    rig = make_rig(GENERATED)
    result = await rig.chat(ACME)
    assert (result.action, result.revision_number) == ("generate", 1)
    assert result.document is not None and result.document.invoice.buyer.name == "Acme Corp"
    stored = rig.session(result)
    assert stored.title == "Invoice for Acme Corp"
    assert [m.id for m in stored.messages] == [result.user_message_id, result.assistant_message_id]
    assert stored.revisions[0].message_id == result.user_message_id
    assert stored.revisions[0].summary == "Invoice for Acme Corp"


async def test_a_new_session_is_titled_by_its_first_message_until_a_document_exists() -> None:
    rig = make_rig(question())
    result = await rig.chat(ACME)
    assert rig.session(result).title == ACME


async def test_an_edit_makes_the_next_revision_without_renaming_the_session() -> None:
    rig = make_rig(GENERATED, edited(title="Renamed"))
    first = await rig.chat(ACME)
    second = await rig.chat("rename it", first.session_id)
    assert (second.action, second.revision_number) == ("edit", 2)
    assert rig.session(first).title == "Invoice for Acme Corp"
    assert rig.provider.requests[1].current is not None


async def test_a_turn_changes_the_session_twice_its_message_then_its_outcome() -> None:
    rig = make_rig(GENERATED, edited())
    first = await rig.chat(ACME)
    before = rig.session(first).version
    await rig.chat("edit", first.session_id)
    assert rig.session(first).version == before + 2


async def test_the_document_kind_of_a_new_session_is_used() -> None:
    rig = make_rig(GENERATED)
    result = await rig.chat(ACME, document_kind=DocumentKind.QUOTE)
    assert result.document is not None and result.document.invoice.kind == DocumentKind.QUOTE
    assert rig.provider.requests[0].document_kind == DocumentKind.QUOTE


async def test_a_first_message_without_a_kind_keeps_the_kind_the_provider_read() -> None:
    quote = GENERATED.invoice.model_copy(update={"kind": DocumentKind.QUOTE})  # type: ignore[union-attr]
    rig = make_rig(dataclasses.replace(GENERATED, invoice=quote))
    result = await rig.chat("Quote for Acme Corp: 10 hours of consulting at $150/h")
    assert rig.provider.requests[0].document_kind is None
    assert result.document is not None and result.document.invoice.kind == DocumentKind.QUOTE


async def test_the_session_makes_the_kind_of_its_document() -> None:
    quote = ACME_INVOICE.model_copy(update={"kind": DocumentKind.QUOTE})
    rig = make_rig(dataclasses.replace(GENERATED, invoice=quote))
    result = await rig.chat("Quote for Acme Corp: 10 hours of consulting at $150/h")
    assert rig.session(result).document_kind == DocumentKind.QUOTE


async def test_a_question_saves_the_reply_and_no_revision() -> None:
    rig = make_rig(question("Who is the buyer?"))
    result = await rig.chat("Invoice for 3 widgets")
    assert (result.action, result.document, result.revision_number) == ("question", None, 0)
    assert rig.session(result).messages[-1].content == "Who is the buyer?"


async def test_usage_of_every_call_is_committed_with_the_reply() -> None:
    rig = make_rig(GENERATED)
    result = await rig.chat(ACME)
    assert len(rig.session(result).usage) == 1
    assert result.usage.llm_calls == 1 and result.model == "scripted-model"


async def test_an_empty_message_is_invalid_before_anything_is_written() -> None:
    rig = make_rig()
    error = await failure(rig.chat("   "))
    assert isinstance(error, InvalidArgument) and "message" in error.violations
    assert rig.store.sessions == {}


async def test_a_turn_without_an_owner_is_unauthenticated_before_anything_is_written() -> None:
    rig = make_rig(GENERATED)
    context.bind(owner_id="")
    with pytest.raises(Unauthenticated):
        await rig.turns.chat(session_id="", message=ACME)
    assert rig.store.sessions == {}


async def test_an_abandoned_session_is_resumed_by_a_new_message() -> None:
    rig = make_rig(GENERATED, edited())
    first = await rig.chat(ACME)
    rig.session(first).abandoned = True
    await rig.chat("edit", first.session_id)
    assert not rig.session(first).abandoned
    assert "resume" in rig.store.calls


async def test_the_history_leaves_out_error_replies() -> None:
    rig = make_rig(GENERATED, Unavailable("down"), edited())
    first = await rig.chat(ACME)
    await failure(rig.chat("add QA", first.session_id))
    await rig.chat("add QA", first.session_id)
    history = rig.provider.requests[-1].history
    assert [m.role for m in history] == ["user", "assistant", "user"]
    assert not any(m.content.startswith(ERROR_REPLY_PREFIX) for m in history)


# ---- one turn at a time ---------------------------------------------------------------------


async def test_a_turn_while_another_holds_the_lease_is_aborted_with_the_time_left() -> None:
    rig = make_rig(GENERATED, edited())
    first = await rig.chat(ACME)
    rig.store.add_message(first.session_id, "user", "still running")
    rig.store.hold_lease(first.session_id, 50)
    error = await failure(rig.chat("edit", first.session_id))
    assert isinstance(error, Aborted) and error.reason == "TURN_IN_PROGRESS"
    # The lease time actually left, not a fixed hint.
    assert error.retry_after_seconds == pytest.approx(50, abs=1)


async def test_a_lease_that_ran_out_no_longer_blocks() -> None:
    rig = make_rig(GENERATED, edited())
    first = await rig.chat(ACME)
    rig.store.add_message(first.session_id, "user", "its replica died", age_seconds=61)
    rig.store.hold_lease(first.session_id, -1)
    result = await rig.chat("edit", first.session_id)
    assert result.action == "edit"


async def test_a_finished_turn_frees_the_session() -> None:
    rig = make_rig(GENERATED, edited())
    first = await rig.chat(ACME)
    assert rig.session(first).lease_holder == ""
    assert (await rig.chat("edit", first.session_id)).action == "edit"


async def test_of_two_turns_reading_the_same_version_exactly_one_runs() -> None:
    release = asyncio.Event()
    rig = make_rig(GENERATED, release, edited(), edited())
    first = await rig.chat(ACME)
    one = asyncio.create_task(rig.chat("one", first.session_id))
    two = asyncio.create_task(rig.chat("two", first.session_id))
    await rig.provider.waiting.wait()
    release.set()
    outcomes = await asyncio.gather(one, two, return_exceptions=True)
    (error,) = [o for o in outcomes if isinstance(o, Aborted)]
    assert error.reason == "TURN_IN_PROGRESS"
    assert [m.role for m in rig.session(first).messages].count("user") == 2


# ---- idempotency ----------------------------------------------------------------------------


async def test_a_retried_turn_returns_the_first_result_without_asking_again() -> None:
    rig = make_rig(GENERATED)
    first = await rig.chat(ACME, idempotency_key="turn-1")
    again = await rig.chat(ACME, first.session_id, idempotency_key="turn-1")
    assert again.replayed
    assert (again.user_message_id, again.assistant_message_id) == (
        first.user_message_id,
        first.assistant_message_id,
    )
    assert (again.reply, again.action, again.revision_number) == (first.reply, "generate", 1)
    assert again.document is not None and again.document.invoice == ACME_INVOICE
    assert again.usage.llm_calls == 0 and len(rig.provider.requests) == 1
    assert len(rig.session(first).messages) == 2


async def test_a_retried_first_turn_without_a_session_id_finds_its_session() -> None:
    rig = make_rig(GENERATED)
    first = await rig.chat(ACME, idempotency_key="new-session-turn")
    again = await rig.chat(ACME, idempotency_key="new-session-turn")
    assert again.session_id == first.session_id
    assert again.assistant_message_id == first.assistant_message_id
    assert len(rig.store.sessions) == 1


async def test_a_retried_undo_replays_as_an_undo() -> None:
    rig = make_rig(GENERATED, edited())
    first = await rig.chat(ACME)
    await rig.chat("edit", first.session_id)
    undone = await rig.chat("undo", first.session_id, idempotency_key="undo-1")
    again = await rig.chat("undo", first.session_id, idempotency_key="undo-1")
    assert (again.action, again.revision_number) == ("undo", undone.revision_number)


async def test_a_retried_failed_turn_runs_again_with_its_saved_message() -> None:
    rig = make_rig(Unavailable("the model is down"), GENERATED)
    with pytest.raises(Unavailable):
        await rig.chat(ACME, idempotency_key="retry-after-failure")
    retried = await rig.chat(ACME, idempotency_key="retry-after-failure")
    assert (retried.action, retried.revision_number) == ("generate", 1)
    assert [m.role for m in rig.session(retried).messages].count("user") == 1


async def test_a_failed_turn_the_conversation_moved_past_cannot_be_retried() -> None:
    rig = make_rig(GENERATED, Unavailable("down"), edited())
    first = await rig.chat(ACME)
    with pytest.raises(Unavailable):
        await rig.chat("add QA", first.session_id, idempotency_key="failed")
    await rig.chat("add shipping", first.session_id)
    error = await failure(rig.chat("add QA", first.session_id, idempotency_key="failed"))
    assert isinstance(error, FailedPrecondition) and error.reason == "TURN_SUPERSEDED"


async def test_a_too_long_idempotency_key_is_invalid() -> None:
    error = await failure(make_rig().chat(ACME, idempotency_key="k" * 101))
    assert isinstance(error, InvalidArgument) and "idempotency_key" in error.violations


# ---- undo -----------------------------------------------------------------------------------


async def test_undo_saves_a_new_revision_copying_the_previous_one() -> None:
    rig = make_rig(GENERATED, edited(title="Second"))
    first = await rig.chat(ACME)
    await rig.chat("edit", first.session_id)
    undone = await rig.chat("undo", first.session_id)
    assert (undone.action, undone.revision_number) == ("undo", 3)
    assert undone.document is not None and undone.document.invoice == ACME_INVOICE
    assert len(rig.provider.requests) == 2  # an undo asks no provider


async def test_undoing_twice_goes_back_two_revisions() -> None:
    rig = make_rig(GENERATED, edited(title="Second"), edited(title="Third"))
    first = await rig.chat(ACME)
    await rig.chat("edit", first.session_id)
    await rig.chat("edit again", first.session_id)
    await rig.chat("undo", first.session_id)
    twice = await rig.chat("undo", first.session_id)
    assert twice.document is not None and twice.document.invoice == ACME_INVOICE
    assert rig.session(first).revisions[-1].summary == "Undo: back to revision 1"


async def test_undo_without_an_earlier_revision_is_a_question() -> None:
    rig = make_rig(GENERATED)
    first = await rig.chat(ACME)
    result = await rig.chat("undo", first.session_id)
    assert (result.action, result.revision_number) == ("question", 0)
    assert "no earlier version" in result.reply


async def test_an_undo_answer_of_the_provider_is_an_undo() -> None:
    rig = make_rig(GENERATED, edited(), ProviderAnswer(action="undo", invoice=None, reply="ok"))
    first = await rig.chat(ACME)
    await rig.chat("edit", first.session_id)
    result = await rig.chat("take that back", first.session_id)
    assert (result.action, result.revision_number) == ("undo", 3)


# ---- a failed turn --------------------------------------------------------------------------


async def test_a_failed_turn_saves_an_error_reply_and_its_usage_and_releases_the_session() -> None:
    rig = make_rig(GENERATED, Unavailable("model overloaded (HTTP 503)"), edited())
    first = await rig.chat(ACME)
    with pytest.raises(Unavailable):
        await rig.chat("add QA", first.session_id)
    stored = rig.session(first)
    assert stored.messages[-1].role == "assistant"
    assert stored.messages[-1].content.startswith(ERROR_REPLY_PREFIX) and "503" in stored.messages[-1].content
    assert len(stored.usage) == 2 and len(stored.revisions) == 1
    recovered = await rig.chat("add QA", first.session_id)
    assert (recovered.action, recovered.revision_number) == ("edit", 2)


async def test_an_internal_error_is_saved_as_an_internal_error_reply() -> None:
    rig = make_rig(RuntimeError("bug"))
    with pytest.raises(RuntimeError):
        await rig.chat(ACME)
    (stored,) = rig.store.sessions.values()
    assert (
        stored.messages[-1].content
        == f"{ERROR_REPLY_PREFIX}an internal error. Your message is saved; please try again."
    )


async def test_a_cancelled_turn_still_writes_its_error_reply() -> None:
    rig = make_rig(GENERATED)
    first = await rig.chat(ACME)
    rig.provider.push(asyncio.Event(), edited())
    running = asyncio.create_task(rig.chat("edit", first.session_id))
    await rig.provider.waiting.wait()
    running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await running
    last = rig.session(first).messages[-1]
    assert last.role == "assistant" and "cancelled" in last.content


async def test_a_reply_the_session_has_no_room_for_saves_no_revision_but_records_the_usage() -> None:
    rig = make_rig(GENERATED, max_tokens=len(ACME.split()) + 1)
    with pytest.raises(ResourceExhausted):
        await rig.chat(ACME)
    (stored,) = rig.store.sessions.values()
    assert stored.revisions == []
    assert len(stored.usage) == 1


# ---- the one re-ask loop --------------------------------------------------------------------


async def test_an_incomplete_document_is_asked_again_with_its_problems() -> None:
    rig = make_rig(NO_LINES, GENERATED)
    result = await rig.chat(ACME)
    assert (result.action, result.revision_number) == ("generate", 1)
    again = rig.provider.requests[1]
    assert any(p.startswith("invoice.line_items") for p in again.feedback)
    assert json.loads(again.rejected).get("line_items", []) == []


async def test_a_document_the_renderer_refuses_is_asked_again_naming_the_fields() -> None:
    rig = make_rig(GENERATED, GENERATED)
    rig.engine.refuse = {"invoice.taxes[0].rate_percent": "must be at most 100"}
    original = rig.engine.render

    async def refuse_once(invoice: Invoice):  # type: ignore[no-untyped-def]
        try:
            return await original(invoice)
        finally:
            rig.engine.refuse = {}

    rig.engine.render = refuse_once  # type: ignore[method-assign]
    result = await rig.chat(ACME)
    assert result.revision_number == 1
    assert rig.provider.requests[1].feedback == ("invoice.taxes[0].rate_percent: must be at most 100",)


async def test_an_invalid_sheet_is_corrected_before_anyone_is_asked_again() -> None:
    rig = make_rig(GENERATED)
    rig.engine.invalid_sheets = 1
    result = await rig.chat(ACME)
    assert result.document is not None and result.document.validation.valid
    assert rig.engine.corrected == 1 and len(rig.provider.requests) == 1


async def test_a_sheet_still_invalid_after_the_re_asks_is_saved_with_its_findings() -> None:
    rig = make_rig(GENERATED, GENERATED, GENERATED)
    rig.engine.invalid_sheets = 3
    rig.engine.uncorrectable = True
    result = await rig.chat(ACME)
    assert len(rig.provider.requests) == 3
    assert rig.provider.requests[1].feedback == ("D11: total is stale",)
    assert result.document is not None and not result.document.validation.valid
    assert result.revision_number == 1


async def test_an_unparsable_answer_is_asked_again_with_its_text_and_errors() -> None:
    rig = make_rig(InvalidAnswer(["invoice.currency_code: unknown"], text="{bad}", model="m"), GENERATED)
    result = await rig.chat(ACME)
    assert result.revision_number == 1
    again = rig.provider.requests[1]
    assert (again.rejected, tuple(again.feedback)) == ("{bad}", ("invoice.currency_code: unknown",))


async def test_one_limit_bounds_every_kind_of_re_ask_together() -> None:
    bad = InvalidAnswer(["not json"], text="nope", model="m")
    rig = make_rig(bad, NO_LINES, bad, NO_LINES, GENERATED, llm_reask_limit=2)
    with pytest.raises(Unavailable) as caught:
        await rig.chat(ACME)
    assert caught.value.reason == "LLM_INVALID_OUTPUT"
    assert len(rig.provider.requests) == 3  # 1 + the limit, whatever was wrong each time


async def test_a_document_still_incomplete_after_the_re_asks_becomes_a_question() -> None:
    no_buyer = ProviderAnswer(
        action="generate",
        invoice=ACME_INVOICE.model_copy(update={"buyer": ACME_INVOICE.buyer.model_copy(update={"name": ""})}),
        reply="x",
    )
    rig = make_rig(no_buyer, no_buyer, no_buyer, llm_reask_limit=2)
    result = await rig.chat(ACME)
    assert (result.action, result.revision_number) == ("question", 0)
    assert "buyer" in result.reply
    assert len(rig.provider.requests) == 3


async def test_a_deterministic_provider_is_never_asked_again() -> None:
    rig = make_rig(NO_LINES, can_fix=False)
    result = await rig.chat(ACME)
    assert result.action == "question" and "list" in result.reply
    assert len(rig.provider.requests) == 1
    assert rig.engine.rendered == []


# ---- streaming ------------------------------------------------------------------------------


class Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[str, Any]] = []

    async def started(self, session_id: str, user_message_id: str) -> None:
        self.events.append(("started", session_id))

    async def delta(self, text: str) -> None:
        self.events.append(("delta", text))

    async def document_ready(self, document: Any, revision_number: int) -> None:
        self.events.append(("document_ready", revision_number))

    async def usage(self, result: TurnResult) -> None:
        self.events.append(("usage", result.usage.llm_calls))


async def test_a_streamed_turn_reports_start_deltas_document_then_usage() -> None:
    rig = make_rig(GENERATED)
    events = Recorder()
    await rig.chat(ACME, events=events)
    kinds = [kind for kind, _ in events.events]
    assert kinds[0] == "started" and kinds[-2:] == ["document_ready", "usage"]
    assert kinds.count("delta") >= 2
    assert ("document_ready", 1) in events.events


async def test_only_the_first_answer_of_a_turn_streams() -> None:
    rig = make_rig(NO_LINES, GENERATED)
    events = Recorder()
    await rig.chat(ACME, events=events)
    deltas = "".join(text for kind, text in events.events if kind == "delta")
    assert deltas.strip() == NO_LINES.reply


async def test_the_totals_of_a_document_are_the_model_arithmetic() -> None:
    rig = make_rig(GENERATED)
    result = await rig.chat(ACME)
    assert result.document is not None and result.document.totals.total == Decimal("1620.00")
