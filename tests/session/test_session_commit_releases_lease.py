"""CommitTurn with release_turn_lease: a turn's last write also frees its session's turn lease,
as ReleaseTurnLease would, so a chat turn needs no call of its own for that (issue 16)."""

from __future__ import annotations

import grpc
import pytest

from docmesh_common.errors import error_from_rpc
from tests.session.test_session_commit_turn import UNKNOWN_ID, commit, new_revision
from tests.session.test_session_turn_leases import acquire


async def test_a_commit_naming_the_lease_holder_frees_the_session_for_the_next_turn(alice) -> None:
    session = await alice.create()
    await acquire(alice, session.id, "turn-a", seconds=30)

    await commit(alice, session.id, "Done.", release_turn_lease="turn-a")

    assert (await acquire(alice, session.id, "turn-b")).holder == "turn-b"


async def test_a_commit_naming_another_holder_leaves_the_lease_as_it_is(alice) -> None:
    session = await alice.create()
    await acquire(alice, session.id, "turn-a", seconds=30)

    await commit(alice, session.id, "Done.", release_turn_lease="turn-b")

    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await acquire(alice, session.id, "turn-c")
    assert refused.value.code() == grpc.StatusCode.ABORTED


async def test_a_refused_commit_frees_nothing(alice) -> None:
    session = await alice.create()
    await acquire(alice, session.id, "turn-a", seconds=30)

    with pytest.raises(grpc.aio.AioRpcError):
        await commit(
            alice,
            session.id,
            "Done.",
            revision=new_revision(message_id=UNKNOWN_ID),
            release_turn_lease="turn-a",
        )

    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await acquire(alice, session.id, "turn-b")
    assert refused.value.code() == grpc.StatusCode.ABORTED


async def test_a_retried_commit_frees_the_lease_its_holder_took_again(alice) -> None:
    session = await alice.create()
    await acquire(alice, session.id, "turn-a", seconds=30)
    await commit(alice, session.id, "Done.", idempotency_key="k:reply", release_turn_lease="turn-a")
    await acquire(alice, session.id, "turn-a", seconds=30)

    retried = await commit(alice, session.id, "Done.", idempotency_key="k:reply", release_turn_lease="turn-a")

    assert retried.replayed
    assert (await acquire(alice, session.id, "turn-b")).holder == "turn-b"


async def test_a_release_holder_longer_than_a_holder_may_be_is_invalid_argument(alice) -> None:
    session = await alice.create()

    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await commit(alice, session.id, "Done.", release_turn_lease="x" * 65)

    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "release_turn_lease" in error_from_rpc(refused.value).violations
