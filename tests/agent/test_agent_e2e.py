"""The agent end to end: real session (PostgreSQL + Redis) and document services, agent replicas
with the builtin provider and with the real openai client against the scripted LLM."""

from __future__ import annotations

import asyncio
import json
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import grpc
import httpx
import pytest

from docmesh.agent.v1 import agent_service_pb2 as pb
from docmesh.agent.v1 import invoice_app_service_pb2 as app_pb
from docmesh.session.v1 import session_service_pb2 as ses_pb
from docmesh.session.v1 import session_service_pb2_grpc as ses_pb_grpc
from docmesh.type.v1 import invoice_pb2
from docmesh_common.errors import error_from_rpc
from tests.agent.conftest import ANSWER, INVOICE, Caller, Mesh
from tests.agent.fake_llm import FakeLLM, error, ok

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

ACME = "Invoice Acme Corp for 10 hours of consulting at $150/h, 8% tax, due in 30 days"


async def failure(call) -> grpc.aio.AioRpcError:  # type: ignore[no-untyped-def]
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call
    return caught.value


async def messages_of(mesh: Mesh, caller: Caller, session_id: str) -> list[ses_pb.Message]:
    view = await mesh.sessions().GetSession(
        ses_pb.GetSessionRequest(session_id=session_id, view=ses_pb.SESSION_VIEW_FULL), metadata=caller.md
    )
    return list(view.messages)


# ---- builtin provider ------------------------------------------------------------------------


async def test_first_message_generates_a_rendered_validated_invoice(mesh: Mesh) -> None:
    caller = mesh.builtin_caller()
    response = await caller.chat(ACME)
    assert response.action == pb.CHAT_ACTION_GENERATE
    assert response.session_id
    assert response.invoice.buyer.name == "Acme Corp"
    assert response.totals.total.amount in ("1620.00", "1620")
    assert "socialcalc" in response.msc.lower()
    assert response.validation.valid
    assert response.revision_number == 1
    assert response.user_message_id and response.assistant_message_id
    assert response.session_token_count > 0
    assert response.usage.provider == "builtin"
    assert response.usage.cost_usd in ("0", "0.0")


async def test_an_edit_makes_the_next_revision(mesh: Mesh) -> None:
    caller = mesh.builtin_caller()
    first = await caller.chat(ACME)
    edited = await caller.chat("add 2 hours of QA at $80", first.session_id)
    assert edited.action == pb.CHAT_ACTION_EDIT
    assert edited.revision_number == 2
    assert [li.description for li in edited.invoice.line_items][-1].lower().startswith("qa")
    assert Decimal(edited.totals.total.amount) == Decimal("1792.80")


async def test_the_first_document_names_the_session_and_marks_it_drafted(mesh: Mesh) -> None:
    caller = mesh.builtin_caller()
    response = await caller.chat(ACME)
    view = await mesh.sessions().GetSession(
        ses_pb.GetSessionRequest(session_id=response.session_id, view=ses_pb.SESSION_VIEW_FULL),
        metadata=caller.md,
    )
    assert view.session.title == "Invoice for Acme Corp"
    assert view.session.stage == ses_pb.SESSION_STAGE_DRAFTED
    assert view.latest_revision.number == 1
    assert view.latest_revision.message_id == response.user_message_id
    assert [m.id for m in view.messages] == [response.user_message_id, response.assistant_message_id]


@pytest.mark.parametrize(
    ("message", "kind", "title"),
    [
        ("Quote for Globex: 3 x Widget @ 12.50", invoice_pb2.DOCUMENT_KIND_QUOTE, "Quote for Globex"),
        (
            "Purchase order for Globex: 3 x Widget @ 12.50",
            invoice_pb2.DOCUMENT_KIND_PURCHASE_ORDER,
            "Purchase order for Globex",
        ),
    ],
)
async def test_the_first_message_decides_the_kind_of_a_new_session(
    mesh: Mesh, message: str, kind: int, title: str
) -> None:
    caller = mesh.builtin_caller()
    response = await caller.chat(message)
    assert response.invoice.kind == kind
    view = await mesh.sessions().GetSession(
        ses_pb.GetSessionRequest(session_id=response.session_id), metadata=caller.md
    )
    assert view.session.title == title
    assert view.session.document_kind == kind


async def test_a_receipt_paid_by_card_is_paid_in_full(mesh: Mesh) -> None:
    caller = mesh.builtin_caller()
    response = await caller.chat("Receipt for Jane Doe: 2 coffees at 3.50 EUR, paid by card")
    assert response.invoice.kind == invoice_pb2.DOCUMENT_KIND_RECEIPT
    assert Decimal(response.invoice.amount_paid.amount) == Decimal("7.00")
    assert Decimal(response.totals.balance_due.amount) == Decimal("0.00")
    assert response.invoice.payment_method.lower() == "card"


async def test_an_explicit_kind_in_the_request_wins_over_the_message(mesh: Mesh) -> None:
    caller = mesh.builtin_caller()
    response = await caller.chat(
        "Quote for Globex: 3 x Widget @ 12.50", document_kind=invoice_pb2.DOCUMENT_KIND_INVOICE
    )
    assert response.invoice.kind == invoice_pb2.DOCUMENT_KIND_INVOICE


async def test_a_later_message_can_change_the_kind(mesh: Mesh) -> None:
    caller = mesh.builtin_caller()
    first = await caller.chat("Invoice Globex for 3 x Widget @ 12.50")
    changed = await caller.chat("make it a quote", first.session_id)
    assert changed.invoice.kind == invoice_pb2.DOCUMENT_KIND_QUOTE


async def test_a_turn_changes_the_session_twice_its_message_then_its_whole_outcome(mesh: Mesh) -> None:
    caller = mesh.builtin_caller()
    first = await caller.chat(ACME)
    request = ses_pb.GetSessionRequest(session_id=first.session_id)
    before = (await mesh.sessions().GetSession(request, metadata=caller.md)).session

    edited = await caller.chat("add 2 hours of QA at $80", first.session_id)

    after = (await mesh.sessions().GetSession(request, metadata=caller.md)).session
    # The user's message, then one CommitTurn with the reply, the revision and the usage.
    assert after.version == before.version + 2
    assert after.latest_revision_number == edited.revision_number == 2
    assert after.token_count == edited.session_token_count


async def test_a_reply_over_the_token_limit_saves_no_revision_but_records_the_usage(
    mesh: Mesh, run_server: Any, tmp_path: Path
) -> None:
    from docmesh_session.server import create_server
    from docmesh_session.settings import SessionSettings
    from docmesh_session.tokens import count_tokens

    settings = SessionSettings(
        DOCMESH_SESSION_PORT=0,
        DOCMESH_SESSION_METRICS_PORT=0,
        DOCMESH_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'full.db'}",
        DOCMESH_SESSION_SWEEP_INTERVAL_SECONDS=0,
        # Room for the person's message and not for the reply.
        DOCMESH_MAX_SESSION_TOKENS=count_tokens(ACME) + 2,
    )
    async with (
        run_server(create_server, settings) as session_server,
        grpc.aio.insecure_channel(f"127.0.0.1:{session_server.port}") as session_channel,
    ):
        _, agent_channel = await mesh.start_agent(session_target=f"127.0.0.1:{session_server.port}")
        caller = Caller(agent_channel)
        err = await failure(caller.chat(ACME))
        assert err.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
        sessions = ses_pb_grpc.SessionServiceStub(session_channel)
        listed = await sessions.ListSessions(ses_pb.ListSessionsRequest(), metadata=caller.md)
        assert len(listed.sessions) == 1
        assert listed.sessions[0].latest_revision_number == 0
        usage = await sessions.GetUsage(
            ses_pb.GetUsageRequest(session_id=listed.sessions[0].id), metadata=caller.md
        )
        assert usage.totals.call_count == 1


async def test_undo_is_a_new_revision_copying_the_previous_one(mesh: Mesh) -> None:
    caller = mesh.builtin_caller()
    first = await caller.chat(ACME)
    await caller.chat("add 2 hours of QA at $80", first.session_id)
    undone = await caller.chat("undo", first.session_id)
    assert undone.action == pb.CHAT_ACTION_UNDO
    assert undone.revision_number == 3
    assert undone.invoice == first.invoice
    assert undone.totals.total == first.totals.total


async def test_missing_buyer_is_asked_for_without_a_document(mesh: Mesh) -> None:
    caller = mesh.builtin_caller()
    response = await caller.chat("Invoice for 3 widgets at $12.50")
    assert response.action == pb.CHAT_ACTION_QUESTION
    assert not response.HasField("invoice")
    assert response.revision_number == 0
    assert "?" in response.reply
    answered = await caller.chat("Bill Globex Corporation", response.session_id)
    assert answered.action == pb.CHAT_ACTION_GENERATE
    assert answered.invoice.buyer.name.startswith("Globex")


async def test_a_retried_turn_returns_the_first_result_and_writes_nothing(mesh: Mesh) -> None:
    caller = mesh.builtin_caller()
    first = await caller.chat(ACME, idempotency_key="turn-1")
    again = await caller.chat(ACME, first.session_id, idempotency_key="turn-1")
    assert again.session_id == first.session_id
    assert (again.user_message_id, again.assistant_message_id) == (
        first.user_message_id,
        first.assistant_message_id,
    )
    assert again.reply == first.reply
    assert again.revision_number == 1
    assert again.invoice == first.invoice
    assert again.usage.llm_calls == 0
    assert len(await messages_of(mesh, caller, first.session_id)) == 2


async def test_a_retried_first_turn_without_session_id_finds_its_session(mesh: Mesh) -> None:
    caller = mesh.builtin_caller()
    first = await caller.chat(ACME, idempotency_key="new-session-turn")
    again = await caller.chat(ACME, idempotency_key="new-session-turn")
    assert again.session_id == first.session_id
    assert again.assistant_message_id == first.assistant_message_id


async def test_document_kind_of_a_new_session_is_used(mesh: Mesh) -> None:
    caller = mesh.builtin_caller()
    response = await caller.chat(ACME, document_kind=invoice_pb2.DOCUMENT_KIND_QUOTE)
    assert response.invoice.kind == invoice_pb2.DOCUMENT_KIND_QUOTE


async def test_an_empty_message_is_invalid_naming_the_field(mesh: Mesh) -> None:
    err = await failure(mesh.builtin_caller().chat("   "))
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "message" in error_from_rpc(err).violations


async def test_a_malformed_session_id_is_invalid_naming_the_field(mesh: Mesh) -> None:
    err = await failure(mesh.builtin_caller().chat("hello", "not-a-uuid"))
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "session_id" in error_from_rpc(err).violations


async def test_another_owners_session_is_not_found(mesh: Mesh) -> None:
    first = await mesh.builtin_caller().chat(ACME)
    err = await failure(mesh.builtin_caller().chat("add 1 hour of QA at $80", first.session_id))
    assert err.code() == grpc.StatusCode.NOT_FOUND


async def test_a_call_without_an_owner_is_unauthenticated(mesh: Mesh) -> None:
    caller = mesh.builtin_caller()
    err = await failure(caller.agent.Chat(pb.ChatRequest(message=ACME), timeout=10))
    assert err.code() == grpc.StatusCode.UNAUTHENTICATED


async def test_chat_stream_sends_started_deltas_document_usage_and_done(mesh: Mesh) -> None:
    caller = mesh.builtin_caller()
    events = [
        e async for e in caller.agent.ChatStream(pb.ChatStreamRequest(message=ACME), metadata=caller.md)
    ]
    kinds = [e.WhichOneof("event") for e in events]
    assert kinds[0] == "started"
    assert kinds[-1] == "done"
    assert kinds.count("text_delta") >= 2
    assert kinds.index("document_ready") < kinds.index("usage") < kinds.index("done")
    done = events[-1].done
    assert "".join(e.text_delta.text for e in events if e.WhichOneof("event") == "text_delta") == done.reply
    assert events[0].started.session_id == done.session_id
    assert done.revision_number == 1 and done.msc


async def test_chat_stream_ends_with_an_error_event_on_bad_input(mesh: Mesh) -> None:
    caller = mesh.builtin_caller()
    events = [
        e
        async for e in caller.agent.ChatStream(
            pb.ChatStreamRequest(message=ACME, session_id="x"), metadata=caller.md
        )
    ]
    assert events[-1].WhichOneof("event") == "error"
    assert events[-1].error.code == "INVALID_ARGUMENT"


async def test_export_serves_the_latest_document_as_xlsx(mesh: Mesh) -> None:
    caller = mesh.builtin_caller()
    first = await caller.chat(ACME)
    exported = await caller.agent.ExportSessionDocument(
        pb.ExportSessionDocumentRequest(session_id=first.session_id, file_name="document.xlsx"),
        metadata=caller.md,
    )
    assert exported.body.data[:2] == b"PK"
    assert "spreadsheetml" in exported.body.content_type
    assert exported.file_name.endswith(".xlsx")


async def test_export_of_an_unknown_file_name_is_invalid(mesh: Mesh) -> None:
    caller = mesh.builtin_caller()
    first = await caller.chat(ACME)
    err = await failure(
        caller.agent.ExportSessionDocument(
            pb.ExportSessionDocumentRequest(session_id=first.session_id, file_name="document.docx"),
            metadata=caller.md,
        )
    )
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "file_name" in error_from_rpc(err).violations


async def test_revert_makes_an_earlier_revision_current_as_a_new_one(mesh: Mesh) -> None:
    caller = mesh.builtin_caller()
    first = await caller.chat(ACME)
    await caller.chat("add 2 hours of QA at $80", first.session_id)
    reverted = await caller.agent.RevertRevision(
        pb.RevertRevisionRequest(session_id=first.session_id, revision_number=1), metadata=caller.md
    )
    assert reverted.revision.number == 3
    assert reverted.revision.invoice == first.invoice


async def test_the_original_app_routes_work_on_the_same_turn(mesh: Mesh) -> None:
    caller = mesh.builtin_caller()
    generated = await caller.app.GenerateInvoice(
        app_pb.GenerateInvoiceRequest(initial_prompt=ACME), metadata=caller.md
    )
    assert generated.msc_content and generated.token_count > 0 and generated.timestamp.endswith("Z")
    sent = await caller.app.SendChatMessage(
        app_pb.SendChatMessageRequest(session_id=generated.session_id, message="add 2 hours of QA at $80"),
        metadata=caller.md,
    )
    assert sent.msc_content != generated.msc_content
    got = await caller.app.GetAppSession(
        app_pb.GetAppSessionRequest(session_id=generated.session_id), metadata=caller.md
    )
    assert [m.role for m in got.messages] == ["user", "assistant", "user", "assistant"]
    assert got.message == sent.message and got.msc_content == sent.msc_content
    deleted = await caller.app.DeleteAppSession(
        app_pb.DeleteAppSessionRequest(session_id=generated.session_id), metadata=caller.md
    )
    assert deleted.message == "Session deleted"
    err = await failure(
        caller.app.GetAppSession(
            app_pb.GetAppSessionRequest(session_id=generated.session_id), metadata=caller.md
        )
    )
    assert err.code() == grpc.StatusCode.NOT_FOUND


# ---- openai provider against the scripted LLM --------------------------------------------------


async def test_llm_turn_records_usage_and_cost_in_the_session_service(mesh: Mesh, llm: FakeLLM) -> None:
    llm.push(ok(ANSWER, usage=(1000, 200)))
    caller = mesh.llm_caller()
    response = await caller.chat(ACME)
    assert response.usage.provider == "openai" and response.usage.model == "test-model"
    assert (response.usage.prompt_tokens, response.usage.completion_tokens) == (1000, 200)
    assert Decimal(response.usage.cost_usd) == Decimal("0.0045")
    usage = await mesh.sessions().GetUsage(
        ses_pb.GetUsageRequest(session_id=response.session_id), metadata=caller.md
    )
    assert usage.totals.call_count == 1
    assert (usage.totals.prompt_tokens, usage.totals.completion_tokens) == (1000, 200)
    assert Decimal(usage.totals.cost_usd) == Decimal("0.0045")
    llm.push(ok({**ANSWER, "action": "edit"}, usage=(500, 100)))
    await caller.chat("add a 5% discount", response.session_id)
    owner = await mesh.sessions().GetUsage(ses_pb.GetUsageRequest(), metadata=caller.md)
    assert owner.totals.call_count == 2
    assert owner.totals.total_tokens == 1800
    assert Decimal(owner.totals.cost_usd) == Decimal("0.0045") + Decimal("0.00225")


async def test_llm_turn_streams_the_endpoints_token_deltas(mesh: Mesh, llm: FakeLLM) -> None:
    llm.push(ok(ANSWER, chunk_chars=4))
    caller = mesh.llm_caller()
    events = [
        e async for e in caller.agent.ChatStream(pb.ChatStreamRequest(message=ACME), metadata=caller.md)
    ]
    deltas = [e.text_delta.text for e in events if e.WhichOneof("event") == "text_delta"]
    assert len(deltas) > 5
    assert "".join(deltas) == ANSWER["reply"]
    assert events[-1].done.invoice.buyer.name == "Acme Corp"


async def test_llm_failure_keeps_the_message_and_says_what_happened(mesh: Mesh, llm: FakeLLM) -> None:
    llm.push(ok(ANSWER))
    caller = mesh.llm_caller()
    first = await caller.chat(ACME)
    llm.push(error(503, error_message="model overloaded"))
    err = await failure(caller.chat("add 2 hours of QA at $80", first.session_id))
    assert err.code() == grpc.StatusCode.UNAVAILABLE
    assert "503" in (err.details() or "")
    stored = await messages_of(mesh, caller, first.session_id)
    assert stored[-2].content == "add 2 hours of QA at $80"
    assert stored[-1].role == ses_pb.MESSAGE_ROLE_ASSISTANT and "503" in stored[-1].content
    llm.push(ok({**ANSWER, "action": "edit"}))
    recovered = await caller.chat("add 2 hours of QA at $80", first.session_id)
    assert recovered.action == pb.CHAT_ACTION_EDIT
    assert recovered.revision_number == 2


async def test_a_retried_failed_turn_runs_again(mesh: Mesh, llm: FakeLLM) -> None:
    llm.push(error(503))
    caller = mesh.llm_caller()
    err = await failure(caller.chat(ACME, idempotency_key="retry-after-failure"))
    assert err.code() == grpc.StatusCode.UNAVAILABLE
    llm.push(ok(ANSWER))
    retried = await caller.chat(ACME, idempotency_key="retry-after-failure")
    assert retried.action == pb.CHAT_ACTION_GENERATE
    stored = await messages_of(mesh, caller, retried.session_id)
    assert [m.role for m in stored].count(ses_pb.MESSAGE_ROLE_USER) == 1


async def test_a_second_turn_while_one_runs_is_aborted_across_replicas(mesh: Mesh, llm: FakeLLM) -> None:
    llm.push(ok(ANSWER))
    owner = mesh.llm_caller(0)
    first = await owner.chat(ACME)
    llm.push(ok({**ANSWER, "action": "edit"}, delay=2.0))
    running = asyncio.create_task(owner.chat("add a 5% discount", first.session_id))
    await asyncio.sleep(0.8)
    other_replica = owner.on(mesh.llm_caller(1))
    err = await failure(other_replica.chat("change the tax to 10%", first.session_id))
    assert err.code() == grpc.StatusCode.ABORTED
    assert error_from_rpc(err).retry_after_seconds
    done = await running
    assert done.action == pb.CHAT_ACTION_EDIT
    llm.push(ok({**ANSWER, "action": "edit"}))
    after = await other_replica.chat("change the tax to 10%", first.session_id)
    assert after.revision_number == 3


async def test_simultaneous_turns_on_two_replicas_let_exactly_one_run(mesh: Mesh, llm: FakeLLM) -> None:
    llm.push(ok(ANSWER))
    owner = mesh.llm_caller(0)
    first = await owner.chat(ACME)
    llm.reset(default=ok({**ANSWER, "action": "edit"}, delay=1.0))
    try:
        callers = [owner, owner.on(mesh.llm_caller(1))] * 3
        outcomes = await asyncio.gather(
            *(c.chat(f"add {i + 1} hours of QA at $80", first.session_id) for i, c in enumerate(callers)),
            return_exceptions=True,
        )
    finally:
        llm.reset()
    codes = [o.code() if isinstance(o, grpc.aio.AioRpcError) else "ok" for o in outcomes]
    assert codes.count("ok") == 1
    assert codes.count(grpc.StatusCode.ABORTED) == 5
    stored = await messages_of(mesh, owner, first.session_id)
    assert [m.role for m in stored].count(ses_pb.MESSAGE_ROLE_USER) == 2


async def test_the_callers_deadline_reaches_the_llm_call(mesh: Mesh, llm: FakeLLM) -> None:
    llm.push(ok(ANSWER, delay=3.0))
    caller = mesh.llm_caller()
    started = time.monotonic()
    err = await failure(caller.chat(ACME, timeout=1.0))
    assert err.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    assert time.monotonic() - started < 2.0


async def test_an_incomplete_document_is_sent_back_to_the_llm_with_the_problems(
    mesh: Mesh, llm: FakeLLM
) -> None:
    incomplete = {**ANSWER, "invoice": {**INVOICE, "line_items": []}}
    llm.push(ok(incomplete), ok(ANSWER))
    caller = mesh.llm_caller()
    response = await caller.chat(ACME)
    assert response.action == pb.CHAT_ACTION_GENERATE
    assert len(response.invoice.line_items) == 1
    assert len(llm.requests) == 2
    feedback = llm.requests[1].body["messages"][-1]["content"]
    assert "invoice.line_items" in feedback
    assert json.loads(llm.requests[1].body["messages"][-2]["content"]).get("line_items", []) == []


async def test_a_document_still_incomplete_after_the_re_asks_becomes_a_question(
    mesh: Mesh, llm: FakeLLM
) -> None:
    no_buyer = {**ANSWER, "invoice": {**INVOICE, "buyer": {}}}
    llm.reset(default=ok(no_buyer))
    try:
        response = await mesh.llm_caller().chat("Invoice for 10 hours of consulting at $150")
    finally:
        llm.reset()
    assert response.action == pb.CHAT_ACTION_QUESTION
    assert "buyer" in response.reply
    assert response.revision_number == 0


async def test_an_open_llm_breaker_fails_turns_fast_with_a_retry_hint(mesh: Mesh, llm: FakeLLM) -> None:
    _, channel = await mesh.start_agent(
        **{
            **mesh.llm_settings,
            "llm_breaker_fail_max": 2,
            "llm_breaker_reset_seconds": 30,
            "breaker_first_open_seconds": 30,
        }
    )
    caller = Caller(channel)
    llm.push(error(500), error(500))
    for _ in range(2):
        err = await failure(caller.chat(ACME))
        assert err.code() == grpc.StatusCode.UNAVAILABLE
    llm.push(ok(ANSWER))
    started = time.monotonic()
    err = await failure(caller.chat(ACME))
    assert err.code() == grpc.StatusCode.UNAVAILABLE
    assert time.monotonic() - started < 1.0
    detail = error_from_rpc(err)
    assert detail.reason == "LLM_BREAKER_OPEN"
    assert 20 < (detail.retry_after_seconds or 0) <= 30
    assert len(llm.requests) == 2


async def test_llm_metrics_are_exported(mesh: Mesh, llm: FakeLLM) -> None:
    server, channel = await mesh.start_agent(**{**mesh.llm_settings, "llm_max_retries": 1})
    llm.push(error(429, retry_after="0"), ok(ANSWER, usage=(700, 300)))
    await Caller(channel).chat(ACME)
    async with httpx.AsyncClient() as client:
        text = (await client.get(f"http://127.0.0.1:{server.metrics_port}/metrics")).text
    assert 'docmesh_llm_tokens_total{kind="prompt",model="test-model",provider="openai"}' in text
    assert 'docmesh_llm_cost_usd_total{model="test-model",provider="openai"}' in text
    assert "docmesh_llm_latency_seconds_bucket" in text
    assert 'docmesh_llm_retries_total{provider="openai",reason="rate_limit"}' in text
    assert 'docmesh_llm_calls_total{model="test-model",outcome="rate_limit",provider="openai"}' in text
    assert 'docmesh_breaker_state{breaker="llm:' in text


async def test_a_turn_cancelled_by_its_caller_does_not_lock_the_session(mesh: Mesh, llm: FakeLLM) -> None:
    llm.push(ok(ANSWER))
    caller = mesh.llm_caller()
    first = await caller.chat(ACME)
    llm.push(ok({**ANSWER, "action": "edit"}, delay=2.0))
    call = caller.agent.ChatStream(
        pb.ChatStreamRequest(session_id=first.session_id, message="add a 5% discount"), metadata=caller.md
    )
    started = await call.read()
    assert started.WhichOneof("event") == "started"
    call.cancel()
    for _ in range(50):  # the error reply is written in the background
        stored = await messages_of(mesh, caller, first.session_id)
        if stored[-1].role == ses_pb.MESSAGE_ROLE_ASSISTANT:
            break
        await asyncio.sleep(0.1)
    assert stored[-1].role == ses_pb.MESSAGE_ROLE_ASSISTANT
    assert "cancelled" in stored[-1].content
    llm.push(ok({**ANSWER, "action": "edit"}))
    after = await caller.chat("change the tax to 10%", first.session_id)
    assert after.action == pb.CHAT_ACTION_EDIT


async def test_undo_in_a_stream_sends_the_restored_document(mesh: Mesh) -> None:
    caller = mesh.builtin_caller()
    first = await caller.chat(ACME)
    await caller.chat("add 2 hours of QA at $80", first.session_id)
    events = [
        e
        async for e in caller.agent.ChatStream(
            pb.ChatStreamRequest(session_id=first.session_id, message="undo"), metadata=caller.md
        )
    ]
    ready = [e.document_ready for e in events if e.WhichOneof("event") == "document_ready"]
    assert len(ready) == 1
    assert ready[0].revision_number == 3
    assert ready[0].invoice == first.invoice
    assert events[-1].done.action == pb.CHAT_ACTION_UNDO


# ---- conversions ------------------------------------------------------------------------------


@pytest.fixture
def conversions(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Counts of the agent's invoice conversions (the services in this process are not counted)."""
    from docmesh_agent.adapters import document_grpc, session_grpc, wire
    from docmesh_common.model import invoice

    counts = {"to_proto": 0, "from_proto": 0}

    def counted(name: str, function: Any) -> Any:
        def wrapper(*args: Any) -> Any:
            counts[name] += 1
            return function(*args)

        return wrapper

    monkeypatch.setattr(document_grpc, "to_proto", counted("to_proto", invoice.to_proto))
    monkeypatch.setattr(wire, "to_proto", counted("to_proto", invoice.to_proto))
    monkeypatch.setattr(session_grpc, "from_proto", counted("from_proto", invoice.from_proto))
    return counts


async def test_a_new_document_is_converted_once_for_its_render_its_revision_and_the_reply(
    mesh: Mesh, conversions: dict[str, int]
) -> None:
    response = await mesh.builtin_caller().chat(ACME)
    assert response.invoice.buyer.name == "Acme Corp" and response.revision_number == 1
    assert conversions == {"to_proto": 1, "from_proto": 0}


async def test_an_edit_reads_the_current_document_once_and_converts_the_new_one_once(
    mesh: Mesh, conversions: dict[str, int]
) -> None:
    caller = mesh.builtin_caller()
    first = await caller.chat(ACME)
    conversions.update(to_proto=0, from_proto=0)
    edited = await caller.chat("add 2 hours of QA at $80", first.session_id)
    assert edited.revision_number == 2
    assert conversions == {"to_proto": 1, "from_proto": 1}


async def test_revert_answers_with_the_saved_revision_as_the_session_service_sent_it(
    mesh: Mesh, conversions: dict[str, int]
) -> None:
    caller = mesh.builtin_caller()
    first = await caller.chat(ACME)
    await caller.chat("add 2 hours of QA at $80", first.session_id)
    conversions.update(to_proto=0, from_proto=0)
    reverted = await caller.agent.RevertRevision(
        pb.RevertRevisionRequest(session_id=first.session_id, revision_number=1), metadata=caller.md
    )
    assert reverted.revision.totals == first.totals
    assert conversions == {"to_proto": 0, "from_proto": 1}
