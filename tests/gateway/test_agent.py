"""Chat, streaming, downloads, revisions and the legacy invoice-app routes, through the real mesh."""

from __future__ import annotations

import asyncio
import io
import json
from decimal import Decimal
from typing import Any

import grpc
import httpx
import openpyxl
import pytest
from httpx_sse import aconnect_sse

from docmesh.agent.v1 import agent_service_pb2 as agent_pb
from docmesh.agent.v1 import agent_service_pb2_grpc
from tests.gateway.conftest import Backends, Gateway, StartGateway, error_of, require

FIRST_TURN = "Invoice Acme for 10 hours of consulting at $150, 8% tax, due in 30 days"


@pytest.fixture(autouse=True)
def _needs_the_mesh(backends: Backends) -> None:
    require(backends, "session", "agent", "document")


async def chat(client: httpx.AsyncClient, message: str, session_id: str = "") -> dict[str, Any]:
    response = await client.post("/api/v1/chat", json={"session_id": session_id, "message": message})
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture
async def drafted(gateway: Gateway) -> dict[str, Any]:
    """A session whose first turn drafted the invoice (10 h x $150 + 8% tax = $1,620.00)."""
    async with gateway.client() as client:
        return await chat(client, FIRST_TURN)


async def test_a_first_chat_turn_drafts_the_invoice(drafted: dict[str, Any]) -> None:
    assert drafted["action"] == "CHAT_ACTION_GENERATE"
    assert drafted["session_id"]
    assert Decimal(drafted["totals"]["total"]["amount"]) == Decimal("1620.00")
    assert drafted["msc"].startswith("socialcalc:version:1.0")
    assert drafted["validation"]["valid"] is True
    assert drafted["revision_number"] == 1


async def test_an_edit_by_chat_changes_the_total(gateway: Gateway, drafted: dict[str, Any]) -> None:
    async with gateway.client() as client:
        edited = await chat(client, "add a 5% discount", drafted["session_id"])
    assert edited["action"] == "CHAT_ACTION_EDIT"
    assert Decimal(edited["totals"]["total"]["amount"]) == Decimal("1539.00")  # (1500 - 75) x 1.08
    assert edited["revision_number"] == 2


async def test_an_empty_message_is_400_naming_the_field(gateway: Gateway) -> None:
    async with gateway.client() as client:
        response = await client.post("/api/v1/chat", json={"message": ""})
    assert response.status_code == 400
    error = error_of(response)
    fields = [v["field"] for d in error["details"] if "field_violations" in d for v in d["field_violations"]]
    assert "message" in fields


async def test_chatting_in_another_owners_session_is_404(gateway: Gateway, drafted: dict[str, Any]) -> None:
    async with gateway.client("bob") as bob:
        response = await bob.post(
            "/api/v1/chat", json={"session_id": drafted["session_id"], "message": "add tax"}
        )
        download = await bob.get(f"/api/v1/sessions/{drafted['session_id']}/document.xlsx")
    assert response.status_code == 404
    assert download.status_code == 404


async def test_chat_stream_is_server_sent_events_one_per_message(
    gateway: Gateway, drafted: dict[str, Any]
) -> None:
    events: list[tuple[str, dict[str, Any]]] = []
    async with (
        gateway.client() as client,
        aconnect_sse(
            client,
            "POST",
            "/api/v1/chat:stream",
            json={"session_id": drafted["session_id"], "message": "add 2 hours of QA at $80"},
        ) as source,
    ):
        assert source.response.headers["content-type"].startswith("text/event-stream")
        async for event in source.aiter_sse():
            events.append((event.event, json.loads(event.data)))
    names = [name for name, _ in events]
    assert names[0] == "started" and names[-1] == "done"
    assert "document_ready" in names and "usage" in names
    assert events[0][1]["started"]["session_id"] == drafted["session_id"]
    text = "".join(data["text_delta"]["text"] for name, data in events if name == "text_delta")
    done = events[-1][1]["done"]
    assert text == done["reply"]
    assert Decimal(done["totals"]["total"]["amount"]) == Decimal("1620.00") + Decimal("160.00") * Decimal(
        "1.08"
    )


async def test_a_bad_stream_request_is_a_plain_json_error(gateway: Gateway) -> None:
    async with gateway.client() as client:
        response = await client.post("/api/v1/chat:stream", json={"message": "hi", "colour": "red"})
    assert response.status_code == 400
    assert "colour" in error_of(response)["message"]


async def test_the_agents_own_error_event_ends_the_stream(gateway: Gateway) -> None:
    unknown = "00000000-0000-0000-0000-000000000000"
    async with (
        gateway.client() as client,
        aconnect_sse(
            client, "POST", "/api/v1/chat:stream", json={"session_id": unknown, "message": "hi"}
        ) as source,
    ):
        events = [(e.event, json.loads(e.data)) async for e in source.aiter_sse()]
    assert events[-1][0] == "error"
    assert events[-1][1]["error"]["code"] == "NOT_FOUND"


class _StreamThatBreaks(agent_service_pb2_grpc.AgentServiceServicer):
    """A real gRPC server whose stream fails after its first message (the agent never does on cue)."""

    async def ChatStream(self, request: agent_pb.ChatStreamRequest, context: grpc.aio.ServicerContext):  # type: ignore[override]
        yield agent_pb.ChatStreamResponse(
            started=agent_pb.ChatStarted(session_id="s-1", user_message_id="m-1")
        )
        await context.abort(grpc.StatusCode.UNAVAILABLE, "the model went away")


async def test_a_stream_failing_midway_ends_with_an_error_event(start_gateway: StartGateway) -> None:
    server = grpc.aio.server()
    agent_service_pb2_grpc.add_AgentServiceServicer_to_server(_StreamThatBreaks(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    try:
        gateway = await start_gateway(agent_target=f"127.0.0.1:{port}")
        async with (
            gateway.client() as client,
            aconnect_sse(client, "POST", "/api/v1/chat:stream", json={"message": "hello"}) as source,
        ):
            events = [(e.event, json.loads(e.data)) async for e in source.aiter_sse()]
    finally:
        await server.stop(0)
    assert [name for name, _ in events] == ["started", "error"]
    error = events[-1][1]["error"]
    assert error["status"] == "UNAVAILABLE" and error["code"] == 503
    assert error["message"] == "the model went away"


class _EndlessStream(agent_service_pb2_grpc.AgentServiceServicer):
    """A real gRPC server whose stream never ends on its own; records when it is cancelled."""

    def __init__(self) -> None:
        self.cancelled = asyncio.Event()

    async def ChatStream(self, request: agent_pb.ChatStreamRequest, context: grpc.aio.ServicerContext):  # type: ignore[override]
        yield agent_pb.ChatStreamResponse(
            started=agent_pb.ChatStarted(session_id="s-1", user_message_id="m-1")
        )
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            self.cancelled.set()
            raise


async def test_a_client_leaving_a_stream_cancels_the_upstream_call(start_gateway: StartGateway) -> None:
    servicer = _EndlessStream()
    server = grpc.aio.server()
    agent_service_pb2_grpc.add_AgentServiceServicer_to_server(servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    try:
        gateway = await start_gateway(agent_target=f"127.0.0.1:{port}")
        async with gateway.client() as client:
            async with aconnect_sse(
                client, "POST", "/api/v1/chat:stream", json={"message": "hello"}
            ) as source:
                first = await source.aiter_sse().__anext__()
                assert first.event == "started"
            # Leaving the block closed the connection mid-stream.
        await asyncio.wait_for(servicer.cancelled.wait(), timeout=5)
    finally:
        await server.stop(0)


@pytest.mark.parametrize(
    ("file_name", "content_type", "suffix"),
    [
        ("document.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
        ("document.csv", "text/csv", ".csv"),
        ("document.html", "text/html", ".html"),
        ("document.msc", "text/x-socialcalc", ".msc"),
    ],
)
async def test_downloads_have_their_content_type_and_an_attachment_name(
    gateway: Gateway, drafted: dict[str, Any], file_name: str, content_type: str, suffix: str
) -> None:
    async with gateway.client() as client:
        response = await client.get(f"/api/v1/sessions/{drafted['session_id']}/{file_name}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(content_type)
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment; filename=") and suffix in disposition
    assert response.content


async def test_the_xlsx_download_is_a_workbook_with_live_formulas(
    gateway: Gateway, drafted: dict[str, Any]
) -> None:
    async with gateway.client() as client:
        response = await client.get(f"/api/v1/sessions/{drafted['session_id']}/document.xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    formulas = [
        c.value
        for row in workbook.active.iter_rows()
        for c in row
        if isinstance(c.value, str) and c.value.startswith("=")
    ]
    assert formulas


async def test_the_xlsx_download_is_named_by_kind_and_number_and_caches_the_total(
    gateway: Gateway, drafted: dict[str, Any]
) -> None:
    async with gateway.client() as client:
        response = await client.get(f"/api/v1/sessions/{drafted['session_id']}/document.xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(response.content), data_only=True)
    assert workbook.active.title == "Invoice DRAFT"
    cached = [c.value for row in workbook.active.iter_rows() for c in row]
    assert 1620 in cached


async def test_the_csv_download_carries_the_total(gateway: Gateway, drafted: dict[str, Any]) -> None:
    async with gateway.client() as client:
        response = await client.get(f"/api/v1/sessions/{drafted['session_id']}/document.csv")
    assert "1620" in response.text


async def test_an_unknown_download_name_is_400(gateway: Gateway, drafted: dict[str, Any]) -> None:
    async with gateway.client() as client:
        response = await client.get(f"/api/v1/sessions/{drafted['session_id']}/document.docx")
    assert response.status_code == 400


async def test_revisions_list_get_and_revert(gateway: Gateway, drafted: dict[str, Any]) -> None:
    sid = drafted["session_id"]
    async with gateway.client() as client:
        await chat(client, "add a 5% discount", sid)
        listed = (await client.get(f"/api/v1/sessions/{sid}/revisions")).json()["revisions"]
        first = await client.get(f"/api/v1/sessions/{sid}/revisions/1")
        reverted = await client.post(f"/api/v1/sessions/{sid}/revisions/1:revert", json={})
        session = (await client.get(f"/api/v1/sessions/{sid}")).json()
    assert [r["number"] for r in listed] == [2, 1]
    assert first.status_code == 200 and first.json()["revision"]["msc"]
    assert reverted.status_code == 200
    revision = reverted.json()["revision"]
    assert revision["number"] == 3
    assert Decimal(revision["totals"]["total"]["amount"]) == Decimal("1620.00")
    assert session["latest_revision"]["number"] == 3


async def test_usage_counts_the_llm_calls_of_a_session(gateway: Gateway, drafted: dict[str, Any]) -> None:
    async with gateway.client() as client:
        usage = (await client.get(f"/api/v1/sessions/{drafted['session_id']}/usage")).json()
    assert int(usage["totals"]["call_count"]) >= 1
    assert usage["by_model"]


LEGACY_FIELDS = {"session_id", "message", "msc_content", "token_count", "timestamp"}


async def test_legacy_generate_invoice_then_chat_then_get_then_delete(gateway: Gateway) -> None:
    async with gateway.client() as client:
        generated = await client.post("/api/generate-invoice", json={"initial_prompt": FIRST_TURN})
        assert generated.status_code == 200, generated.text
        body = generated.json()
        assert LEGACY_FIELDS <= set(body)
        assert body["msc_content"].startswith("socialcalc:") and isinstance(body["token_count"], int)
        sid = body["session_id"]
        chatted = await client.post("/api/chat", json={"session_id": sid, "message": "add a 5% discount"})
        assert chatted.status_code == 200 and LEGACY_FIELDS <= set(chatted.json())
        got = await client.get(f"/api/session/{sid}")
        assert got.status_code == 200
        assert LEGACY_FIELDS <= set(got.json()) and len(got.json()["messages"]) == 4
        deleted = await client.delete(f"/api/session/{sid}")
    assert deleted.status_code == 200
    assert LEGACY_FIELDS <= set(deleted.json())
    assert deleted.json()["session_id"] == sid
