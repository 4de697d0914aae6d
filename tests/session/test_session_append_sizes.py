"""Appends of every size store the same rows: on PostgreSQL a usual append is one statement and
an unusually large one a transaction of one statement per kind of row (repository/messages.py);
both give consecutive sequences in request order and replay alike (issue 16)."""

from __future__ import annotations

import pytest

from docmesh.session.v1 import session_service_pb2 as pb


@pytest.mark.parametrize("count", [1, 16, 17, 100])
async def test_an_append_of_any_size_stores_its_messages_in_order_after_the_earlier_ones(
    alice, count
) -> None:
    session = await alice.create()
    await alice.append(session.id, "first")
    contents = [f"message {i}" for i in range(count)]

    response = await alice.append(session.id, *contents, idempotency_key=f"append-{count}")
    again = await alice.append(session.id, *contents, idempotency_key=f"append-{count}")

    assert [(m.sequence, m.content) for m in response.messages] == [
        (2 + i, c) for i, c in enumerate(contents)
    ]
    assert again.replayed and [m.id for m in again.messages] == [m.id for m in response.messages]
    stored = await alice.stub.GetSession(
        pb.GetSessionRequest(session_id=session.id, view=pb.SESSION_VIEW_FULL), metadata=alice.md
    )
    assert stored.session.message_count == 1 + count
    assert [m.content for m in stored.messages] == ["first", *contents]
