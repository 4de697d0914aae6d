"""AppendMessages: atomic, ordered, counted once, idempotent, optimistic, within the token limit."""

from __future__ import annotations

import asyncio

import grpc
import pytest
from google.rpc import error_details_pb2

from docmesh.session.v1 import session_service_pb2 as pb
from docmesh_common.errors import error_from_rpc

# "hello world" is 2 tokens in cl100k_base; "one two three four" is 4.
HELLO_TOKENS = 2


async def test_fifty_concurrent_appends_are_all_stored_once_in_order_with_exact_token_count(alice) -> None:
    session = await alice.create()
    texts = [f"message number {i} hello world" for i in range(50)]

    responses = await asyncio.gather(*(alice.append(session.id, t) for t in texts))

    sequences = sorted(r.messages[0].sequence for r in responses)
    assert sequences == list(range(1, 51))
    listed = await alice.stub.ListMessages(
        pb.ListMessagesRequest(session_id=session.id, page_size=500), metadata=alice.md
    )
    assert [m.sequence for m in listed.messages] == list(range(1, 51))
    assert sorted(m.content for m in listed.messages) == sorted(texts)
    # Each stored message keeps the sequence its append was told.
    told = {r.messages[0].id: r.messages[0].sequence for r in responses}
    assert {m.id: m.sequence for m in listed.messages} == told
    got = (await alice.get(session.id)).session
    assert got.message_count == 50
    assert got.token_count == sum(m.token_count for m in listed.messages)
    assert got.token_count == sum(r.messages[0].token_count for r in responses)
    assert got.version == 1 + 50


async def test_message_token_count_is_the_cl100k_count_of_its_content(alice) -> None:
    session = await alice.create()
    response = await alice.append(session.id, "hello world", "one two three four")
    assert [m.token_count for m in response.messages] == [HELLO_TOKENS, 4]
    assert response.session.token_count == HELLO_TOKENS + 4


async def test_messages_of_one_append_get_consecutive_sequences_in_request_order(alice) -> None:
    session = await alice.create()
    await alice.append(session.id, "first")
    response = await alice.append(session.id, "a", "b", "c")
    assert [(m.sequence, m.content) for m in response.messages] == [(2, "a"), (3, "b"), (4, "c")]


async def test_retried_append_with_same_idempotency_key_returns_first_result_and_writes_nothing(
    alice,
) -> None:
    session = await alice.create()
    first = await alice.append(session.id, "hello world", idempotency_key="req-1")
    retry = await alice.append(session.id, "hello world", idempotency_key="req-1")

    assert not first.replayed
    assert retry.replayed
    assert [m.id for m in retry.messages] == [m.id for m in first.messages]
    assert retry.session.version == first.session.version
    assert retry.session.token_count == first.session.token_count
    full = await alice.get(session.id, pb.SESSION_VIEW_FULL)
    assert len(full.messages) == 1
    assert full.session.version == first.session.version


async def test_concurrent_retries_with_one_idempotency_key_store_the_messages_once(alice) -> None:
    session = await alice.create()
    responses = await asyncio.gather(
        *(alice.append(session.id, "hello world", "again", idempotency_key="same") for _ in range(10))
    )
    assert sum(not r.replayed for r in responses) == 1
    assert len({tuple(m.id for m in r.messages) for r in responses}) == 1
    full = await alice.get(session.id, pb.SESSION_VIEW_FULL)
    assert [m.content for m in full.messages] == ["hello world", "again"]


async def test_idempotency_key_reused_for_other_messages_is_invalid_argument(alice) -> None:
    session = await alice.create()
    await alice.append(session.id, "hello world", idempotency_key="k")
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await alice.append(session.id, "something else", idempotency_key="k")
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "idempotency_key" in error_from_rpc(caught.value).violations


async def test_append_with_stale_expected_version_is_aborted_and_writes_nothing(alice) -> None:
    session = await alice.create()
    moved = await alice.append(session.id, "hello world", expected_version=session.version)
    assert moved.session.version == session.version + 1

    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await alice.append(session.id, "late", expected_version=session.version)

    assert caught.value.code() == grpc.StatusCode.ABORTED
    assert error_from_rpc(caught.value).metadata["current_version"] == str(moved.session.version)
    got = (await alice.get(session.id)).session
    assert got.message_count == 1
    assert got.version == moved.session.version


async def test_concurrent_appends_with_one_expected_version_let_exactly_one_through(alice) -> None:
    session = await alice.create()
    results = await asyncio.gather(
        *(alice.append(session.id, f"try {i}", expected_version=session.version) for i in range(8)),
        return_exceptions=True,
    )
    ok = [r for r in results if isinstance(r, pb.AppendMessagesResponse)]
    aborted = [r for r in results if isinstance(r, grpc.aio.AioRpcError)]
    assert len(ok) == 1
    assert len(aborted) == 7
    assert {e.code() for e in aborted} == {grpc.StatusCode.ABORTED}


@pytest.mark.session_settings(DOCMESH_MAX_SESSION_TOKENS=10)
async def test_token_limit_allows_reaching_the_limit_exactly(alice) -> None:
    session = await alice.create()
    response = await alice.append(session.id, *["hello world"] * 5)
    assert response.session.token_count == 10


@pytest.mark.session_settings(DOCMESH_MAX_SESSION_TOKENS=10)
async def test_append_passing_the_token_limit_is_resource_exhausted_naming_limit_and_count(alice) -> None:
    session = await alice.create()
    await alice.append(session.id, *["hello world"] * 4)  # 8 tokens

    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await alice.append(session.id, "one two three four")  # 4 more would make 12

    assert caught.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert "10" in caught.value.details()
    assert "8" in caught.value.details()
    error = error_from_rpc(caught.value)
    assert error.metadata == {"limit": "10", "token_count": "8", "requested": "4"}
    got = (await alice.get(session.id, pb.SESSION_VIEW_FULL)).session
    assert got.token_count == 8
    assert got.message_count == 4


@pytest.mark.session_settings(DOCMESH_MAX_SESSION_TOKENS=10)
async def test_concurrent_appends_never_pass_the_token_limit(alice) -> None:
    session = await alice.create()
    results = await asyncio.gather(
        *(alice.append(session.id, "hello world") for _ in range(12)), return_exceptions=True
    )
    stored = [r for r in results if isinstance(r, pb.AppendMessagesResponse)]
    refused = [r for r in results if isinstance(r, grpc.aio.AioRpcError)]
    assert len(stored) == 5
    assert {e.code() for e in refused} == {grpc.StatusCode.RESOURCE_EXHAUSTED}
    assert (await alice.get(session.id)).session.token_count == 10


async def test_append_to_completed_session_is_failed_precondition(alice) -> None:
    session = await alice.create()
    await alice.stub.CompleteSession(pb.CompleteSessionRequest(session_id=session.id), metadata=alice.md)
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await alice.append(session.id, "hello world")
    assert caught.value.code() == grpc.StatusCode.FAILED_PRECONDITION


async def test_append_bumps_last_activity_and_expiry(alice) -> None:
    session = await alice.create()
    response = await alice.append(session.id, "hello world")
    after = response.session
    assert after.last_activity_time.ToDatetime() > session.last_activity_time.ToDatetime()
    assert after.expire_time.ToDatetime() > session.expire_time.ToDatetime()


@pytest.mark.parametrize(
    ("content", "field"),
    [("", "messages[0].content"), ("   ", "messages[0].content"), ("x" * 101, "messages[0].content")],
)
@pytest.mark.session_settings(DOCMESH_MAX_MESSAGE_CHARS=100)
async def test_empty_or_oversized_content_is_invalid_argument_naming_the_message(
    alice, content, field
) -> None:
    session = await alice.create()
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await alice.append(session.id, content)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field in _violations(caught.value)
    assert (await alice.get(session.id)).session.message_count == 0


async def test_unknown_role_is_invalid_argument_naming_the_message_role(alice) -> None:
    session = await alice.create()
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await alice.stub.AppendMessages(
            pb.AppendMessagesRequest(
                session_id=session.id,
                messages=[
                    pb.NewMessage(role=pb.MESSAGE_ROLE_USER, content="ok"),
                    pb.NewMessage(role=42, content="x"),
                ],  # type: ignore[arg-type]
            ),
            metadata=alice.md,
        )
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "messages[1].role" in _violations(caught.value)
    assert (await alice.get(session.id)).session.message_count == 0


def _violations(error: grpc.aio.AioRpcError) -> set[str]:
    """Field names of the BadRequest detail, read straight from the wire."""
    from google.rpc import status_pb2

    for key, value in error.trailing_metadata() or ():
        if key == "grpc-status-details-bin":
            status = status_pb2.Status.FromString(value)
            for detail in status.details:
                if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
                    bad = error_details_pb2.BadRequest()
                    detail.Unpack(bad)
                    return {v.field for v in bad.field_violations}
    return set()


async def test_appends_through_two_instances_on_one_sqlite_file_are_all_stored_once_in_order(
    start_instance, sqlite_url
) -> None:
    one = await start_instance(sqlite_url)
    two = await start_instance(sqlite_url, DOCMESH_AUTO_MIGRATE=False)
    alice = one.owner()
    alice_two = two.owner(alice.owner_id)
    session = await alice.create()

    responses = await asyncio.gather(
        *(alice.append(session.id, f"one {i}") for i in range(25)),
        *(alice_two.append(session.id, f"two {i}") for i in range(25)),
    )

    assert sorted(r.messages[0].sequence for r in responses) == list(range(1, 51))
    full = await alice_two.get(session.id, pb.SESSION_VIEW_FULL)
    assert [m.sequence for m in full.messages] == list(range(1, 51))
    assert full.session.token_count == sum(m.token_count for m in full.messages)


@pytest.mark.session_settings(DOCMESH_MAX_MESSAGES_PER_APPEND=3)
@pytest.mark.parametrize("count", [0, 4])
async def test_append_without_messages_or_with_too_many_is_invalid_argument_naming_messages(
    alice, count
) -> None:
    session = await alice.create()
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await alice.append(session.id, *["hello"] * count)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "messages" in _violations(caught.value)
    assert (await alice.get(session.id)).session.message_count == 0


@pytest.mark.parametrize(
    ("fields", "field"),
    [({"idempotency_key": "k" * 129}, "idempotency_key"), ({"expected_version": 0}, "expected_version")],
)
async def test_bad_idempotency_key_or_expected_version_is_invalid_argument(alice, fields, field) -> None:
    session = await alice.create()
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await alice.append(session.id, "hello", **fields)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field in _violations(caught.value)
