"""Document revisions and LLM usage records."""

from __future__ import annotations

import asyncio

import grpc
import pytest

from docmesh.session.v1 import session_service_pb2 as pb
from docmesh.type.v1 import invoice_pb2
from docmesh_common.errors import error_from_rpc


async def test_revisions_are_numbered_from_one_without_gaps(alice) -> None:
    session = await alice.create()
    numbers = [(await alice.save_revision(session.id, summary=f"r{i}")).number for i in range(3)]
    assert numbers == [1, 2, 3]


async def test_concurrent_revisions_get_distinct_consecutive_numbers(alice) -> None:
    session = await alice.create()
    saved = await asyncio.gather(*(alice.save_revision(session.id, summary=str(i)) for i in range(10)))
    assert sorted(r.number for r in saved) == list(range(1, 11))
    assert (await alice.get(session.id)).session.latest_revision_number == 10


async def test_first_revision_moves_the_stage_from_collecting_to_drafted(alice) -> None:
    session = await alice.create()
    assert session.stage == pb.SESSION_STAGE_COLLECTING
    await alice.save_revision(session.id)
    after = (await alice.get(session.id)).session
    assert after.stage == pb.SESSION_STAGE_DRAFTED
    assert after.last_activity_time.ToDatetime() > session.last_activity_time.ToDatetime()


async def test_get_session_returns_the_latest_revision_with_invoice_and_totals(alice) -> None:
    session = await alice.create()
    await alice.save_revision(session.id, hours="10", summary="first")
    await alice.save_revision(session.id, hours="12", summary="added two hours")
    got = await alice.get(session.id)
    latest = got.latest_revision
    assert latest.number == 2
    assert latest.summary == "added two hours"
    assert latest.invoice.line_items[0].quantity == "12"
    assert latest.invoice.taxes[0].rate_percent == "8"
    assert latest.totals.subtotal.amount == "1800"
    assert "12 hours" in latest.msc


async def test_get_revision_returns_an_older_revision_whole(alice) -> None:
    session = await alice.create()
    message = (await alice.append(session.id, "Invoice Acme for 10 hours")).messages[0]
    first = await alice.save_revision(session.id, hours="10", message_id=message.id)
    await alice.save_revision(session.id, hours="11")
    got = await alice.stub.GetRevision(
        pb.GetRevisionRequest(session_id=session.id, revision_number=1), metadata=alice.md
    )
    assert got.revision == first
    assert got.revision.message_id == message.id


async def test_missing_revision_number_is_not_found(alice) -> None:
    session = await alice.create()
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await alice.stub.GetRevision(
            pb.GetRevisionRequest(session_id=session.id, revision_number=3), metadata=alice.md
        )
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND


async def test_revision_with_an_invalid_invoice_is_invalid_argument_and_not_saved(alice) -> None:
    session = await alice.create()
    bad = invoice_pb2.Invoice(currency_code="XYZ")
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await alice.stub.SaveRevision(
            pb.SaveRevisionRequest(session_id=session.id, invoice=bad, msc="version:1.5\n"), metadata=alice.md
        )
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert any(f.startswith("invoice") for f in error_from_rpc(caught.value).violations)
    assert (await alice.get(session.id)).session.latest_revision_number == 0


async def test_revision_naming_a_message_of_no_session_is_invalid_argument(alice) -> None:
    session = await alice.create()
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await alice.save_revision(session.id, message_id="5b0f64f4-5d0f-4b8b-9a53-0d1f3e0c9a11")
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "message_id" in error_from_rpc(caught.value).violations


async def test_usage_totals_sum_per_session_and_per_model_as_exact_decimals(alice) -> None:
    session = await alice.create()
    other = await alice.create()
    records = [
        (session.id, "gpt-4o-mini", 1000, 200, "0.000375"),
        (session.id, "gpt-4o-mini", 10, 5, "0.1"),
        (session.id, "builtin", 50, 50, "0"),
        (other.id, "gpt-4o-mini", 1, 1, "0.2"),
    ]
    for sid, model, prompt, completion, cost in records:
        stored = await alice.stub.RecordUsage(
            pb.RecordUsageRequest(
                usage=pb.UsageRecord(
                    session_id=sid,
                    provider="openai",
                    model=model,
                    prompt_tokens=prompt,
                    completion_tokens=completion,
                    cost_usd=cost,
                    latency_ms=120,
                )
            ),
            metadata=alice.md,
        )
        assert stored.usage.id
        assert stored.usage.cost_usd == cost

    per_session = await alice.stub.GetUsage(pb.GetUsageRequest(session_id=session.id), metadata=alice.md)
    assert per_session.totals == pb.UsageTotals(
        call_count=3, prompt_tokens=1060, completion_tokens=255, total_tokens=1315, cost_usd="0.100375"
    )
    by_model = {m.model: m.totals for m in per_session.by_model}
    assert by_model["gpt-4o-mini"].cost_usd == "0.100375"
    assert by_model["builtin"].call_count == 1

    per_owner = await alice.stub.GetUsage(pb.GetUsageRequest(), metadata=alice.md)
    assert per_owner.totals.call_count == 4
    assert per_owner.totals.cost_usd == "0.300375"


@pytest.mark.parametrize(
    ("usage", "field"),
    [
        (pb.UsageRecord(model="m", cost_usd="abc"), "usage.cost_usd"),
        (pb.UsageRecord(model="m", cost_usd="-1"), "usage.cost_usd"),
        (pb.UsageRecord(model="m", prompt_tokens=-5), "usage.prompt_tokens"),
        (pb.UsageRecord(model=""), "usage.model"),
    ],
)
async def test_invalid_usage_is_invalid_argument_naming_the_field(alice, usage, field) -> None:
    session = await alice.create()
    usage.session_id = session.id
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await alice.stub.RecordUsage(pb.RecordUsageRequest(usage=usage), metadata=alice.md)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field in error_from_rpc(caught.value).violations
    totals = await alice.stub.GetUsage(pb.GetUsageRequest(session_id=session.id), metadata=alice.md)
    assert totals.totals.call_count == 0
