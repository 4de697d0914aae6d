"""Another owner's session is NOT_FOUND on every RPC and never appears in lists."""

from __future__ import annotations

import grpc
import pytest
from google.protobuf import field_mask_pb2

from docmesh.session.v1 import session_service_pb2 as pb
from docmesh.type.v1 import invoice_pb2, money_pb2


def _invoice() -> invoice_pb2.Invoice:
    return invoice_pb2.Invoice(
        currency_code="USD",
        buyer=invoice_pb2.Party(name="Acme"),
        line_items=[
            invoice_pb2.LineItem(
                description="Consulting",
                quantity="10",
                unit_price=money_pb2.Money(currency_code="USD", amount="150"),
            )
        ],
    )


# Each entry: RPC name and a request built for the victim's session id.
CALLS = {
    "GetSession": lambda sid: pb.GetSessionRequest(session_id=sid),
    "GetSessionFull": lambda sid: pb.GetSessionRequest(session_id=sid, view=pb.SESSION_VIEW_FULL),
    "UpdateSession": lambda sid: pb.UpdateSessionRequest(
        session=pb.Session(id=sid, title="stolen"), update_mask=field_mask_pb2.FieldMask(paths=["title"])
    ),
    "DeleteSession": lambda sid: pb.DeleteSessionRequest(session_id=sid),
    "DeleteSessionHard": lambda sid: pb.DeleteSessionRequest(session_id=sid, hard=True),
    "RestoreSession": lambda sid: pb.RestoreSessionRequest(session_id=sid),
    "AppendMessages": lambda sid: pb.AppendMessagesRequest(
        session_id=sid, messages=[pb.NewMessage(role=pb.MESSAGE_ROLE_USER, content="hi")]
    ),
    "AppendMessagesReplay": lambda sid: pb.AppendMessagesRequest(
        session_id=sid,
        messages=[pb.NewMessage(role=pb.MESSAGE_ROLE_USER, content="hello world")],
        idempotency_key="k1",
    ),
    "ListMessages": lambda sid: pb.ListMessagesRequest(session_id=sid),
    "SaveRevision": lambda sid: pb.SaveRevisionRequest(
        session_id=sid, invoice=_invoice(), msc="version:1.5\n"
    ),
    "GetRevision": lambda sid: pb.GetRevisionRequest(session_id=sid, revision_number=1),
    "ListRevisions": lambda sid: pb.ListRevisionsRequest(session_id=sid),
    "RecordUsage": lambda sid: pb.RecordUsageRequest(
        usage=pb.UsageRecord(session_id=sid, provider="openai", model="gpt", prompt_tokens=1, cost_usd="0.1")
    ),
    "GetUsage": lambda sid: pb.GetUsageRequest(session_id=sid),
    "CompleteSession": lambda sid: pb.CompleteSessionRequest(session_id=sid),
    "ResumeSession": lambda sid: pb.ResumeSessionRequest(session_id=sid),
}


@pytest.fixture
async def victim(alice) -> pb.Session:
    """Alice's session with a message (idempotency key k1), a revision and usage."""
    session = await alice.create(metadata={"team": "blue"})
    await alice.append(session.id, "hello world", idempotency_key="k1")
    await alice.stub.SaveRevision(
        pb.SaveRevisionRequest(session_id=session.id, invoice=_invoice(), msc="version:1.5\n"),
        metadata=alice.md,
    )
    await alice.stub.RecordUsage(
        pb.RecordUsageRequest(
            usage=pb.UsageRecord(
                session_id=session.id, provider="openai", model="gpt", prompt_tokens=5, cost_usd="0.5"
            )
        ),
        metadata=alice.md,
    )
    return (await alice.get(session.id)).session


@pytest.mark.parametrize("call", sorted(CALLS))
async def test_another_owners_session_is_not_found(alice, bob, victim, call) -> None:
    method = getattr(bob.stub, call.removesuffix("Full").removesuffix("Hard").removesuffix("Replay"))
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await method(CALLS[call](victim.id), metadata=bob.md)
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND
    # And alice's session is untouched.
    after = (await alice.get(victim.id)).session
    assert after == victim


async def test_another_owners_sessions_never_appear_in_lists(alice, bob, victim) -> None:
    await bob.create(metadata={"team": "blue"})
    for request in (
        pb.ListSessionsRequest(),
        pb.ListSessionsRequest(show_deleted=True),
        pb.ListSessionsRequest(metadata_key="team", metadata_value="blue"),
        pb.ListSessionsRequest(order_by="update_time desc"),
    ):
        listed = await bob.stub.ListSessions(request, metadata=bob.md)
        assert victim.id not in {s.id for s in listed.sessions}
        assert {s.owner_id for s in listed.sessions} == {bob.owner_id}


async def test_owner_usage_totals_count_only_the_owners_sessions(alice, bob, victim) -> None:
    mine = await bob.create()
    await bob.stub.RecordUsage(
        pb.RecordUsageRequest(
            usage=pb.UsageRecord(
                session_id=mine.id, provider="openai", model="gpt", prompt_tokens=7, cost_usd="0.25"
            )
        ),
        metadata=bob.md,
    )
    usage = await bob.stub.GetUsage(pb.GetUsageRequest(), metadata=bob.md)
    assert usage.totals.call_count == 1
    assert usage.totals.prompt_tokens == 7
    assert usage.totals.cost_usd == "0.25"


async def test_call_without_owner_metadata_is_unauthenticated(instance) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await instance.stub.ListSessions(pb.ListSessionsRequest())
    assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED
