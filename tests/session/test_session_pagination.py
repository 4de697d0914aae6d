"""Cursor pagination: every row exactly once while rows are inserted; tokens are tamper-evident."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt

import grpc
import pytest
from google.protobuf import timestamp_pb2

from docmesh.session.v1 import session_service_pb2 as pb
from docmesh_common.errors import error_from_rpc


async def _page_all(owner, request: pb.ListSessionsRequest, during=None) -> list[pb.Session]:
    seen: list[pb.Session] = []
    while True:
        page = await owner.stub.ListSessions(request, metadata=owner.md)
        seen.extend(page.sessions)
        if during is not None:
            await during()
        if not page.next_page_token:
            return seen
        request.page_token = page.next_page_token


@pytest.mark.parametrize("order_by", ["create_time desc", "create_time", "update_time desc", "update_time"])
async def test_listing_sessions_returns_every_existing_row_exactly_once_while_rows_are_inserted(
    alice, order_by
) -> None:
    existing = [await alice.create(title=f"s{i}") for i in range(23)]

    async def insert_more() -> None:
        await asyncio.gather(*(alice.create(title="new") for _ in range(3)))

    seen = await _page_all(alice, pb.ListSessionsRequest(page_size=5, order_by=order_by), during=insert_more)

    ids = [s.id for s in seen]
    assert len(ids) == len(set(ids)), "a session was returned twice"
    assert {s.id for s in existing} <= set(ids)


async def test_sessions_come_newest_first_by_default(alice) -> None:
    created = [await alice.create(title=f"s{i}") for i in range(4)]
    listed = await alice.stub.ListSessions(pb.ListSessionsRequest(), metadata=alice.md)
    assert [s.id for s in listed.sessions] == [s.id for s in reversed(created)]


async def test_ascending_pagination_also_returns_rows_inserted_after_the_cursor(alice) -> None:
    first = [await alice.create() for _ in range(4)]
    page = await alice.stub.ListSessions(
        pb.ListSessionsRequest(page_size=2, order_by="create_time"), metadata=alice.md
    )
    late = await alice.create()
    rest = await _page_all(
        alice, pb.ListSessionsRequest(page_size=2, order_by="create_time", page_token=page.next_page_token)
    )
    assert [s.id for s in page.sessions] + [s.id for s in rest] == [s.id for s in first] + [late.id]


async def test_list_filters_by_status_metadata_and_created_range(alice) -> None:
    blue = await alice.create(metadata={"team": "blue"})
    red = await alice.create(metadata={"team": "red"})
    done = await alice.create()
    await alice.stub.CompleteSession(pb.CompleteSessionRequest(session_id=done.id), metadata=alice.md)

    async def ids(**fields) -> set[str]:
        listed = await alice.stub.ListSessions(pb.ListSessionsRequest(**fields), metadata=alice.md)
        return {s.id for s in listed.sessions}

    assert await ids(metadata_key="team") == {blue.id, red.id}
    assert await ids(metadata_key="team", metadata_value="red") == {red.id}
    assert await ids(status=pb.SESSION_STATUS_COMPLETED) == {done.id}
    assert await ids(status=pb.SESSION_STATUS_ACTIVE) == {blue.id, red.id}
    after = timestamp_pb2.Timestamp()
    after.CopyFrom(red.create_time)
    assert await ids(create_time_after=after) == {red.id, done.id}
    assert await ids(create_time_before=after) == {blue.id}


@pytest.mark.parametrize("key", ['quote"d', "back\\slash", "日本", "a.b[0]", "$"])
async def test_metadata_filter_matches_keys_with_any_characters(alice, key) -> None:
    wanted = await alice.create(metadata={key: "yes"})
    await alice.create(metadata={key: "no"})
    await alice.create(metadata={"other": "yes"})
    listed = await alice.stub.ListSessions(
        pb.ListSessionsRequest(metadata_key=key, metadata_value="yes"), metadata=alice.md
    )
    assert [s.id for s in listed.sessions] == [wanted.id]


async def test_soft_deleted_sessions_are_listed_only_with_show_deleted(alice) -> None:
    kept = await alice.create()
    gone = await alice.create()
    await alice.stub.DeleteSession(pb.DeleteSessionRequest(session_id=gone.id), metadata=alice.md)
    plain = await alice.stub.ListSessions(pb.ListSessionsRequest(), metadata=alice.md)
    everything = await alice.stub.ListSessions(pb.ListSessionsRequest(show_deleted=True), metadata=alice.md)
    assert {s.id for s in plain.sessions} == {kept.id}
    assert {s.id for s in everything.sessions} == {kept.id, gone.id}


async def test_listing_messages_returns_every_message_once_in_order_while_appends_continue(alice) -> None:
    session = await alice.create()
    for i in range(0, 30, 3):
        await alice.append(session.id, f"m{i}", f"m{i + 1}", f"m{i + 2}")
    seen: list[pb.Message] = []
    token = ""
    while True:
        page = await alice.stub.ListMessages(
            pb.ListMessagesRequest(session_id=session.id, page_size=7, page_token=token), metadata=alice.md
        )
        seen.extend(page.messages)
        await alice.append(session.id, "during")
        if not page.next_page_token:
            break
        token = page.next_page_token
    assert [m.sequence for m in seen] == list(range(1, len(seen) + 1))
    assert [m.content for m in seen[:30]] == [f"m{i}" for i in range(30)]


async def test_revisions_page_newest_first(alice) -> None:
    session = await alice.create()
    for i in range(5):
        await alice.save_revision(session.id, summary=f"r{i + 1}")
    numbers: list[int] = []
    token = ""
    while True:
        page = await alice.stub.ListRevisions(
            pb.ListRevisionsRequest(session_id=session.id, page_size=2, page_token=token), metadata=alice.md
        )
        numbers.extend(r.number for r in page.revisions)
        assert all(r.msc == "" for r in page.revisions)
        if not page.next_page_token:
            break
        token = page.next_page_token
    assert numbers == [5, 4, 3, 2, 1]


def _tamper(token: str) -> str:
    body, _, signature = token.partition(".")
    raw = bytearray(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    raw[-3] ^= 1
    return base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode() + "." + signature


@pytest.mark.parametrize("token", ["garbage", "!!!", "eyJ0IjoxfQ.AAAA", "a.b.c"])
async def test_malformed_page_token_is_invalid_argument_naming_page_token(alice, token) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await alice.stub.ListSessions(pb.ListSessionsRequest(page_token=token), metadata=alice.md)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "page_token" in error_from_rpc(caught.value).violations


async def test_tampered_page_token_is_invalid_argument(alice) -> None:
    for _ in range(3):
        await alice.create()
    page = await alice.stub.ListSessions(pb.ListSessionsRequest(page_size=1), metadata=alice.md)
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await alice.stub.ListSessions(
            pb.ListSessionsRequest(page_size=1, page_token=_tamper(page.next_page_token)), metadata=alice.md
        )
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "page_token" in error_from_rpc(caught.value).violations


async def test_page_token_used_with_other_filters_is_invalid_argument(alice) -> None:
    for _ in range(3):
        await alice.create()
    page = await alice.stub.ListSessions(pb.ListSessionsRequest(page_size=1), metadata=alice.md)
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await alice.stub.ListSessions(
            pb.ListSessionsRequest(page_size=1, page_token=page.next_page_token, order_by="update_time"),
            metadata=alice.md,
        )
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "page_token" in error_from_rpc(caught.value).violations


async def test_messages_page_token_of_another_session_is_invalid_argument(alice) -> None:
    one = await alice.create()
    two = await alice.create()
    await alice.append(one.id, "a", "b")
    page = await alice.stub.ListMessages(
        pb.ListMessagesRequest(session_id=one.id, page_size=1), metadata=alice.md
    )
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await alice.stub.ListMessages(
            pb.ListMessagesRequest(session_id=two.id, page_token=page.next_page_token), metadata=alice.md
        )
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT


@pytest.mark.parametrize(
    ("request_", "field"),
    [
        (pb.ListSessionsRequest(page_size=101), "page_size"),
        (pb.ListSessionsRequest(page_size=-1), "page_size"),
        (pb.ListSessionsRequest(order_by="title"), "order_by"),
        (pb.ListSessionsRequest(status=9), "status"),  # type: ignore[arg-type]
        (pb.ListSessionsRequest(metadata_value="x"), "metadata_value"),
        (pb.ListSessionsRequest(metadata_key="k" * 65), "metadata_key"),
        (pb.ListSessionsRequest(metadata_key="k\x00"), "metadata_key"),
    ],
)
async def test_bad_list_arguments_are_invalid_argument_naming_the_field(alice, request_, field) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await alice.stub.ListSessions(request_, metadata=alice.md)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field in error_from_rpc(caught.value).violations


async def test_create_time_range_filter_uses_utc_instants(alice) -> None:
    session = await alice.create()
    created = session.create_time.ToDatetime(tzinfo=dt.UTC)
    before = timestamp_pb2.Timestamp()
    before.FromDatetime(created + dt.timedelta(microseconds=1))
    listed = await alice.stub.ListSessions(
        pb.ListSessionsRequest(create_time_before=before), metadata=alice.md
    )
    assert [s.id for s in listed.sessions] == [session.id]
