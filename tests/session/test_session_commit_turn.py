"""CommitTurn: one agent turn's reply, revision, usage and title in one transaction, all or nothing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import grpc
import pytest

from docmesh.session.v1 import session_service_pb2 as pb
from docmesh.type.v1 import invoice_pb2, money_pb2
from docmesh_common.errors import error_from_rpc
from tests.session.conftest import Owner, invoice

# "hello world" is 2 tokens in cl100k_base; "one two three four" is 4.
MSC = "version:1.5\ncell:A1:t:10 hours\n"
UNKNOWN_ID = "5b0f64f4-5d0f-4b8b-9a53-0d1f3e0c9a11"


def new_revision(message_id: str = "", **fields: Any) -> pb.NewRevision:
    values: dict[str, Any] = {
        "invoice": invoice("10"),
        "msc": MSC,
        "message_id": message_id,
        "totals": invoice_pb2.InvoiceTotals(subtotal=money_pb2.Money(currency_code="USD", amount="1500")),
        "summary": "New document",
    }
    values.update(fields)
    return pb.NewRevision(**values)


def llm_call(
    prompt: int = 1000, completion: int = 200, cost: str = "0.0045", **fields: Any
) -> pb.UsageRecord:
    values: dict[str, Any] = {
        "provider": "openai",
        "model": "test-model",
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "cost_usd": cost,
        "latency_ms": 120,
    }
    values.update(fields)
    return pb.UsageRecord(**values)


async def commit(owner: Owner, session_id: str, *replies: str, **fields: Any) -> pb.CommitTurnResponse:
    return await owner.stub.CommitTurn(
        pb.CommitTurnRequest(
            session_id=session_id,
            messages=[pb.NewMessage(role=pb.MESSAGE_ROLE_ASSISTANT, content=c) for c in replies],
            **fields,
        ),
        metadata=owner.md,
    )


async def usage_calls(owner: Owner, session_id: str) -> int:
    report = await owner.stub.GetUsage(pb.GetUsageRequest(session_id=session_id), metadata=owner.md)
    return report.totals.call_count


async def started_turn(owner: Owner) -> tuple[pb.Session, pb.Message]:
    """A session whose person has just written the turn's message."""
    session = await owner.create(title="Invoice Acme Corp for 10 hours")
    user = (await owner.append(session.id, "Invoice Acme Corp for 10 hours")).messages[0]
    return session, user


async def assert_nothing_written(owner: Owner, session_id: str, messages: int) -> None:
    full = await owner.get(session_id, pb.SESSION_VIEW_FULL)
    assert full.session.message_count == messages
    assert len(full.messages) == messages
    assert full.session.latest_revision_number == 0
    assert not full.HasField("latest_revision")
    assert await usage_calls(owner, session_id) == 0


async def test_commit_stores_the_reply_the_revision_the_usage_and_the_title_together(alice) -> None:
    session, user = await started_turn(alice)

    done = await commit(
        alice,
        session.id,
        "hello world",
        idempotency_key="turn-1:reply",
        revision=new_revision(user.id),
        usage=[llm_call(1000, 200, "0.0045"), llm_call(10, 5, "0.0001")],
        title="Invoice for Acme Corp",
    )

    assert not done.replayed
    assert [(m.sequence, m.role, m.content) for m in done.messages] == [
        (2, pb.MESSAGE_ROLE_ASSISTANT, "hello world")
    ]
    assert done.revision.number == 1
    assert done.revision.message_id == user.id
    assert done.revision.invoice == invoice("10")
    assert done.session.title == "Invoice for Acme Corp"
    assert done.session.latest_revision_number == 1
    assert done.session.message_count == 2
    full = await alice.get(session.id, pb.SESSION_VIEW_FULL)
    assert full.session == done.session
    assert [m.id for m in full.messages] == [user.id, done.messages[0].id]
    assert full.latest_revision == done.revision
    assert full.latest_revision.msc == MSC
    report = await alice.stub.GetUsage(pb.GetUsageRequest(session_id=session.id), metadata=alice.md)
    assert (report.totals.call_count, report.totals.prompt_tokens, report.totals.completion_tokens) == (
        2,
        1010,
        205,
    )
    assert Decimal(report.totals.cost_usd) == Decimal("0.0046")


async def test_a_commit_is_one_change_of_the_session_version(alice) -> None:
    session, user = await started_turn(alice)
    before = (await alice.get(session.id)).session

    done = await commit(alice, session.id, "hello world", revision=new_revision(user.id), usage=[llm_call()])

    assert done.session.version == before.version + 1


async def test_a_commit_with_a_revision_moves_a_collecting_session_to_drafted(alice) -> None:
    session, user = await started_turn(alice)
    assert session.stage == pb.SESSION_STAGE_COLLECTING

    done = await commit(alice, session.id, "hello world", revision=new_revision(user.id))

    assert done.session.stage == pb.SESSION_STAGE_DRAFTED
    assert (await alice.get(session.id)).session.stage == pb.SESSION_STAGE_DRAFTED


async def test_a_commit_without_revision_or_title_stores_the_reply_and_usage_and_keeps_the_rest(
    alice,
) -> None:
    session, _ = await started_turn(alice)

    done = await commit(alice, session.id, "Who should I bill?", usage=[llm_call()])

    assert not done.HasField("revision")
    assert done.session.latest_revision_number == 0
    assert done.session.stage == pb.SESSION_STAGE_COLLECTING
    assert done.session.title == "Invoice Acme Corp for 10 hours"
    assert done.session.message_count == 2
    assert await usage_calls(alice, session.id) == 1


async def test_retried_commit_with_the_same_key_returns_the_first_result_and_writes_nothing(alice) -> None:
    session, user = await started_turn(alice)
    request: dict[str, Any] = {
        "idempotency_key": "turn-1:reply",
        "revision": new_revision(user.id),
        "usage": [llm_call()],
        "title": "Invoice for Acme Corp",
    }
    first = await commit(alice, session.id, "hello world", **request)

    retry = await commit(alice, session.id, "hello world", **request)

    assert retry.replayed
    assert [m.id for m in retry.messages] == [m.id for m in first.messages]
    assert retry.revision == first.revision
    assert retry.session.version == first.session.version
    full = await alice.get(session.id, pb.SESSION_VIEW_FULL)
    assert full.session.message_count == 2
    assert full.session.latest_revision_number == 1
    assert await usage_calls(alice, session.id) == 1


async def test_commit_key_reused_for_another_revision_is_invalid_argument_and_writes_nothing(alice) -> None:
    session, user = await started_turn(alice)
    await commit(alice, session.id, "hello world", idempotency_key="k", revision=new_revision(user.id))

    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await commit(
            alice,
            session.id,
            "hello world",
            idempotency_key="k",
            revision=new_revision(user.id, msc="version:1.5\ncell:A1:t:other\n"),
        )

    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "idempotency_key" in error_from_rpc(caught.value).violations
    got = (await alice.get(session.id)).session
    assert (got.message_count, got.latest_revision_number) == (2, 1)


async def test_commit_on_another_owners_session_is_not_found_and_writes_nothing(alice, bob) -> None:
    session, user = await started_turn(alice)

    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await commit(bob, session.id, "hello world", revision=new_revision(user.id), usage=[llm_call()])

    assert caught.value.code() == grpc.StatusCode.NOT_FOUND
    await assert_nothing_written(alice, session.id, messages=1)


EURO_PRICE_ON_A_DOLLAR_INVOICE = invoice_pb2.Invoice(
    currency_code="USD",
    line_items=[
        invoice_pb2.LineItem(
            description="Consulting", unit_price=money_pb2.Money(currency_code="EUR", amount="150")
        )
    ],
)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"messages": []}, "messages"),
        ({"messages": [pb.NewMessage(role=pb.MESSAGE_ROLE_ASSISTANT, content="  ")]}, "messages[0].content"),
        ({"messages": [pb.NewMessage(content="no role")]}, "messages[0].role"),
        ({"session_id": "not-a-uuid"}, "session_id"),
        ({"revision": new_revision(msc="")}, "revision.msc"),
        ({"revision": pb.NewRevision(msc=MSC)}, "revision.invoice"),
        ({"revision": new_revision(invoice=invoice_pb2.Invoice(currency_code="XYZ"))}, "revision.invoice"),
        ({"revision": new_revision(invoice=invoice_pb2.Invoice(notes="a\x00b"))}, "revision.invoice"),
        ({"revision": new_revision(invoice=EURO_PRICE_ON_A_DOLLAR_INVOICE)}, "revision.invoice"),
        (
            {
                "revision": new_revision(
                    totals=invoice_pb2.InvoiceTotals(total=money_pb2.Money(amount="1\x00"))
                )
            },
            "revision.totals",
        ),
        ({"revision": new_revision(message_id="not-a-uuid")}, "revision.message_id"),
        ({"revision": new_revision(message_id=UNKNOWN_ID)}, "revision.message_id"),
        ({"revision": new_revision(summary="x" * 501)}, "revision.summary"),
        ({"usage": [llm_call(), llm_call(prompt=-5)]}, "usage[1].prompt_tokens"),
        ({"usage": [llm_call(cost="abc")]}, "usage[0].cost_usd"),
        ({"usage": [llm_call(model="")]}, "usage[0].model"),
        ({"usage": [llm_call(session_id=UNKNOWN_ID)]}, "usage[0].session_id"),
        ({"title": "t" * 201}, "title"),
    ],
)
async def test_bad_input_is_invalid_argument_naming_the_field_and_writes_nothing(
    alice, fields, field
) -> None:
    session, _ = await started_turn(alice)
    values: dict[str, Any] = {
        "session_id": session.id,
        "messages": [pb.NewMessage(role=pb.MESSAGE_ROLE_ASSISTANT, content="hello world")],
        "usage": [llm_call()],
    }
    values.update(fields)

    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await alice.stub.CommitTurn(pb.CommitTurnRequest(**values), metadata=alice.md)

    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    violations = error_from_rpc(caught.value).violations
    assert any(name == field or name.startswith(f"{field}.") for name in violations), violations
    await assert_nothing_written(alice, session.id, messages=1)


@pytest.mark.session_settings(DOCMESH_MAX_SESSION_TOKENS=10)
async def test_a_reply_passing_the_token_limit_refuses_the_whole_commit(alice) -> None:
    session = await alice.create()
    user = (await alice.append(session.id, *["hello world"] * 4)).messages[0]  # 8 tokens

    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await commit(
            alice,
            session.id,
            "one two three four",  # 4 more would make 12
            revision=new_revision(user.id),
            usage=[llm_call()],
            title="Invoice for Acme Corp",
        )

    assert caught.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert error_from_rpc(caught.value).metadata == {"limit": "10", "token_count": "8", "requested": "4"}
    await assert_nothing_written(alice, session.id, messages=4)
    assert (await alice.get(session.id)).session.title == "Invoice for Acme"


async def test_commit_on_a_completed_session_is_failed_precondition_and_writes_nothing(alice) -> None:
    session, user = await started_turn(alice)
    await alice.stub.CompleteSession(pb.CompleteSessionRequest(session_id=session.id), metadata=alice.md)

    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await commit(alice, session.id, "hello world", revision=new_revision(user.id), usage=[llm_call()])

    assert caught.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    await assert_nothing_written(alice, session.id, messages=1)


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, sqlite_url: str) -> str:
    return request.getfixturevalue("migrated_pg_url") if request.param == "postgres" else sqlite_url


@pytest.mark.redis
async def test_after_a_commit_the_cache_holds_the_committed_session_and_revision(
    start_instance, database_url, redis_url, redis_namespace, redis_client
) -> None:
    instance = await start_instance(
        database_url, DOCMESH_REDIS_URL=redis_url, DOCMESH_REDIS_NAMESPACE=redis_namespace
    )
    alice = instance.owner()
    session, user = await started_turn(alice)

    done = await commit(alice, session.id, "hello world", revision=new_revision(user.id), usage=[llm_call()])

    key = f"{redis_namespace}:session:v1:{session.id}"
    assert (await redis_client.get(key)).startswith(f"{done.session.version}:".encode())
    assert (await redis_client.get(f"{key}:revision")).startswith(b"1:")
    cached = await alice.get(session.id)  # BASIC: from Redis
    assert cached.session == done.session
    assert cached.latest_revision == done.revision


@pytest.mark.redis
async def test_after_a_commit_and_a_redis_flush_get_session_gives_the_same_answer(
    start_instance, database_url, redis_url, redis_namespace, flush_redis
) -> None:
    instance = await start_instance(
        database_url, DOCMESH_REDIS_URL=redis_url, DOCMESH_REDIS_NAMESPACE=redis_namespace
    )
    alice = instance.owner()
    session, user = await started_turn(alice)
    done = await commit(alice, session.id, "hello world", revision=new_revision(user.id), usage=[llm_call()])
    cached = await alice.get(session.id)

    assert await flush_redis() >= 2
    fresh = await alice.get(session.id)

    assert fresh == cached
    assert fresh.session == done.session
    assert fresh.latest_revision == done.revision
