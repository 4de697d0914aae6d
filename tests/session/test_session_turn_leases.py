"""Turn leases: one chat turn at a time per session, a compare-and-set on the holder and the
expiry in the session service, apart from the session's metadata (issue 14)."""

from __future__ import annotations

import asyncio
import datetime as dt

import grpc
import pytest
from google.protobuf import duration_pb2

from docmesh.session.v1 import session_service_pb2 as pb
from docmesh_common.errors import error_from_rpc

LEASE = 5.0


def _seconds(value: float) -> duration_pb2.Duration:
    duration = duration_pb2.Duration()
    duration.FromTimedelta(dt.timedelta(seconds=value))
    return duration


async def acquire(owner, session_id: str, holder: str, seconds: float = LEASE) -> pb.TurnLease:
    response = await owner.stub.AcquireTurnLease(
        pb.AcquireTurnLeaseRequest(session_id=session_id, holder=holder, lease_duration=_seconds(seconds)),
        metadata=owner.md,
    )
    return response.lease


async def renew(owner, session_id: str, holder: str, seconds: float = LEASE) -> pb.TurnLease:
    response = await owner.stub.RenewTurnLease(
        pb.RenewTurnLeaseRequest(session_id=session_id, holder=holder, lease_duration=_seconds(seconds)),
        metadata=owner.md,
    )
    return response.lease


async def release(owner, session_id: str, holder: str) -> bool:
    response = await owner.stub.ReleaseTurnLease(
        pb.ReleaseTurnLeaseRequest(session_id=session_id, holder=holder), metadata=owner.md
    )
    return response.released


async def test_a_free_session_is_leased_to_its_first_holder(alice) -> None:
    session = await alice.create()
    lease = await acquire(alice, session.id, "turn-a")
    assert lease.holder == "turn-a"
    left = lease.expire_time.ToDatetime(dt.UTC) - dt.datetime.now(dt.UTC)
    assert dt.timedelta(seconds=LEASE - 2) < left <= dt.timedelta(seconds=LEASE)


async def test_a_held_session_refuses_another_holder_with_the_time_left(alice) -> None:
    session = await alice.create()
    await acquire(alice, session.id, "turn-a", seconds=30)
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await acquire(alice, session.id, "turn-b")
    assert refused.value.code() == grpc.StatusCode.ABORTED
    error = error_from_rpc(refused.value)
    assert error.reason == "TURN_IN_PROGRESS"
    assert error.retry_after_seconds is not None and 25 < error.retry_after_seconds <= 30


async def test_of_many_holders_racing_for_a_session_exactly_one_wins(alice) -> None:
    session = await alice.create()
    outcomes = await asyncio.gather(
        *(acquire(alice, session.id, f"turn-{i}") for i in range(20)), return_exceptions=True
    )
    won = [o for o in outcomes if isinstance(o, pb.TurnLease)]
    assert len(won) == 1
    assert all(
        isinstance(o, grpc.aio.AioRpcError) and o.code() == grpc.StatusCode.ABORTED
        for o in outcomes
        if not isinstance(o, pb.TurnLease)
    )


async def test_a_lease_that_ran_out_goes_to_the_next_holder(alice) -> None:
    session = await alice.create()
    await acquire(alice, session.id, "dead-turn", seconds=0.3)
    await asyncio.sleep(0.4)
    assert (await acquire(alice, session.id, "turn-b")).holder == "turn-b"


async def test_its_holder_acquiring_again_extends_it(alice) -> None:
    session = await alice.create()
    first = await acquire(alice, session.id, "turn-a", seconds=1)
    again = await acquire(alice, session.id, "turn-a", seconds=30)
    assert again.expire_time.ToDatetime() > first.expire_time.ToDatetime()


async def test_renewing_moves_the_expiry_and_keeps_others_out(alice) -> None:
    session = await alice.create()
    await acquire(alice, session.id, "turn-a", seconds=0.5)
    await renew(alice, session.id, "turn-a", seconds=30)
    await asyncio.sleep(0.6)
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await acquire(alice, session.id, "turn-b")
    assert refused.value.code() == grpc.StatusCode.ABORTED


async def test_a_lease_taken_over_is_not_renewed_for_its_old_holder(alice) -> None:
    session = await alice.create()
    await acquire(alice, session.id, "dead-turn", seconds=0.2)
    await asyncio.sleep(0.3)
    await acquire(alice, session.id, "turn-b")
    with pytest.raises(grpc.aio.AioRpcError) as lost:
        await renew(alice, session.id, "dead-turn")
    assert lost.value.code() == grpc.StatusCode.ABORTED
    assert error_from_rpc(lost.value).reason == "TURN_LEASE_LOST"


async def test_release_frees_the_session_for_the_next_turn(alice) -> None:
    session = await alice.create()
    await acquire(alice, session.id, "turn-a", seconds=30)
    assert await release(alice, session.id, "turn-a") is True
    assert (await acquire(alice, session.id, "turn-b")).holder == "turn-b"


async def test_a_release_by_another_holder_leaves_the_lease_alone(alice) -> None:
    session = await alice.create()
    await acquire(alice, session.id, "turn-a", seconds=30)
    assert await release(alice, session.id, "turn-b") is False
    with pytest.raises(grpc.aio.AioRpcError):
        await acquire(alice, session.id, "turn-c")


async def test_metadata_edits_leave_the_lease_alone_and_the_lease_leaves_the_metadata(alice) -> None:
    session = await alice.create(metadata={"channel": "web"})
    await acquire(alice, session.id, "turn-a", seconds=30)
    edited = pb.Session(id=session.id, metadata={"channel": "email", "ref": "PO-7"})
    await alice.stub.UpdateSession(
        pb.UpdateSessionRequest(session=edited, update_mask={"paths": ["metadata"]}), metadata=alice.md
    )
    await renew(alice, session.id, "turn-a", seconds=30)
    got = (await alice.get(session.id)).session
    assert dict(got.metadata) == {"channel": "email", "ref": "PO-7"}
    with pytest.raises(grpc.aio.AioRpcError):
        await acquire(alice, session.id, "turn-b")


async def test_another_owners_session_is_not_found(alice, bob) -> None:
    session = await alice.create()
    with pytest.raises(grpc.aio.AioRpcError) as hidden:
        await acquire(bob, session.id, "turn-a")
    assert hidden.value.code() == grpc.StatusCode.NOT_FOUND


@pytest.mark.parametrize(
    ("holder", "seconds", "field"),
    [
        ("", LEASE, "holder"),
        ("h" * 65, LEASE, "holder"),
        ("turn", 0, "lease_duration"),
        ("turn", 301, "lease_duration"),
    ],
)
async def test_bad_input_names_the_field(alice, holder: str, seconds: float, field: str) -> None:
    session = await alice.create()
    with pytest.raises(grpc.aio.AioRpcError) as bad:
        await acquire(alice, session.id, holder, seconds)
    assert bad.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field in error_from_rpc(bad.value).violations
