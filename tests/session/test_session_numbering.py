"""FinalizeSession: a finalized document gets the next number of its owner's series, gap-free
and unique across replicas, once."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.protobuf import field_mask_pb2

from docmesh.session.v1 import profile_service_pb2 as profile_pb
from docmesh.session.v1 import profile_service_pb2_grpc
from docmesh.session.v1 import session_service_pb2 as pb
from docmesh.type.v1 import invoice_pb2
from docmesh_common.errors import error_from_rpc
from docmesh_session.domain import SessionRecord, Stage, Status
from docmesh_session.mapping import session_from_cache, session_to_cache
from tests.session.conftest import Instance, Owner, invoice

PATTERN = "INV-{YYYY}-{seq:04}"


async def finalize(
    owner: Owner, session_id: str, pattern: str = PATTERN, issue_date: str = "2026-03-01"
) -> pb.FinalizeSessionResponse:
    return await owner.stub.FinalizeSession(
        pb.FinalizeSessionRequest(session_id=session_id, numbering_pattern=pattern, issue_date=issue_date),
        metadata=owner.md,
    )


async def drafted(owner: Owner) -> str:
    session = await owner.create()
    await owner.save_revision(session.id)
    return session.id


async def test_the_first_document_of_a_series_is_number_one(alice: Owner) -> None:
    response = await finalize(alice, await drafted(alice))

    assert response.newly_numbered is True
    assert response.session.document_number == "INV-2026-0001"
    assert response.session.stage == pb.SESSION_STAGE_FINALIZED
    assert response.session.HasField("finalize_time")


async def test_numbers_follow_each_other_within_a_series(alice: Owner) -> None:
    first = await finalize(alice, await drafted(alice))
    second = await finalize(alice, await drafted(alice))

    assert [first.session.document_number, second.session.document_number] == [
        "INV-2026-0001",
        "INV-2026-0002",
    ]


async def test_a_new_year_starts_a_new_series_at_one(alice: Owner) -> None:
    await finalize(alice, await drafted(alice), issue_date="2026-12-31")
    response = await finalize(alice, await drafted(alice), issue_date="2027-01-02")

    assert response.session.document_number == "INV-2027-0001"


async def test_each_owner_has_series_of_their_own(alice: Owner, bob: Owner) -> None:
    await finalize(alice, await drafted(alice))
    response = await finalize(bob, await drafted(bob))

    assert response.session.document_number == "INV-2026-0001"


async def test_a_retry_returns_the_number_given_and_takes_no_other(alice: Owner) -> None:
    session_id = await drafted(alice)
    first = await finalize(alice, session_id)
    retry = await finalize(alice, session_id)
    following = await finalize(alice, await drafted(alice))

    assert retry.newly_numbered is False
    assert retry.session.document_number == first.session.document_number == "INV-2026-0001"
    assert following.session.document_number == "INV-2026-0002"


async def test_the_number_is_in_every_read_of_the_session(alice: Owner) -> None:
    session_id = await drafted(alice)
    await finalize(alice, session_id)

    basic = await alice.get(session_id)
    full = await alice.get(session_id, view=pb.SESSION_VIEW_FULL)

    assert basic.session.document_number == full.session.document_number == "INV-2026-0001"
    assert basic.session.finalize_time == full.session.finalize_time


async def test_a_session_without_a_revision_cannot_be_finalized(alice: Owner) -> None:
    session = await alice.create()

    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await finalize(alice, session.id)

    assert raised.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert (await alice.get(session.id)).session.document_number == ""


async def test_another_owners_session_is_not_found(alice: Owner, bob: Owner) -> None:
    session_id = await drafted(alice)

    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await finalize(bob, session_id)

    assert raised.value.code() == grpc.StatusCode.NOT_FOUND


@pytest.mark.parametrize(
    "pattern",
    ["INV-{YYYY}", "INV-{seq}-{seq}", "INV-{DD}-{seq}", "INV-{seq:99}", "INV-{seq", "", "X" * 65 + "{seq}"],
)
async def test_a_pattern_without_one_seq_or_with_unknown_tokens_is_refused(
    alice: Owner, pattern: str
) -> None:
    session_id = await drafted(alice)

    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await finalize(alice, session_id, pattern=pattern)

    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "numbering_pattern" in raised.value.details()
    assert (await alice.get(session_id)).session.document_number == ""


async def test_an_issue_date_that_is_no_date_is_refused(alice: Owner) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await finalize(alice, await drafted(alice), issue_date="March 1st")

    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "issue_date" in raised.value.details()


async def test_no_issue_date_numbers_in_todays_year(alice: Owner) -> None:
    response = await finalize(alice, await drafted(alice), pattern="Q{YY}{MM}-{seq}", issue_date="")

    today = dt.datetime.now(dt.UTC)
    assert response.session.document_number == f"Q{today.year % 100:02d}{today.month:02d}-1"


async def _fifty_across_two_replicas(replicas: list[Instance]) -> list[str]:
    owner_id = replicas[0].owner().owner_id
    owners = [replica.owner(owner_id) for replica in replicas]
    session_ids = [await drafted(owners[0]) for _ in range(50)]
    responses = await asyncio.gather(
        *(finalize(owners[i % 2], session_id) for i, session_id in enumerate(session_ids))
    )
    return sorted(r.session.document_number for r in responses)


EXPECTED_FIFTY = [f"INV-2026-{n:04d}" for n in range(1, 51)]


async def test_fifty_concurrent_finalizations_on_two_postgresql_replicas_are_gap_free(
    migrated_pg_url: str, start_instance: Callable[..., Any]
) -> None:
    replicas = [await start_instance(migrated_pg_url), await start_instance(migrated_pg_url)]

    assert await _fifty_across_two_replicas(replicas) == EXPECTED_FIFTY


async def test_fifty_concurrent_finalizations_on_two_sqlite_servers_are_gap_free(
    tmp_path: Path, start_instance: Callable[..., Any]
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'numbers.db'}"
    replicas = [await start_instance(url), await start_instance(url)]

    assert await _fifty_across_two_replicas(replicas) == EXPECTED_FIFTY


# ---- a finalized document is not edited -------------------------------------------------


def numbered_invoice(number: str) -> invoice_pb2.Invoice:
    numbered = invoice("12")
    numbered.number = number
    return numbered


async def save(owner: Owner, session_id: str, document: invoice_pb2.Invoice) -> pb.Revision:
    response = await owner.stub.SaveRevision(
        pb.SaveRevisionRequest(session_id=session_id, invoice=document, msc="version:1.5\n"),
        metadata=owner.md,
    )
    return response.revision


async def commit(owner: Owner, session_id: str, document: invoice_pb2.Invoice) -> pb.CommitTurnResponse:
    return await owner.stub.CommitTurn(
        pb.CommitTurnRequest(
            session_id=session_id,
            messages=[pb.NewMessage(role=pb.MESSAGE_ROLE_ASSISTANT, content="Changed.")],
            revision=pb.NewRevision(invoice=document, msc="version:1.5\n"),
        ),
        metadata=owner.md,
    )


async def test_the_revision_carrying_the_document_number_is_accepted_after_finalizing(alice: Owner) -> None:
    session_id = await drafted(alice)
    await finalize(alice, session_id)

    revision = await save(alice, session_id, numbered_invoice("INV-2026-0001"))

    assert revision.number == 2
    assert (await alice.get(session_id)).session.stage == pb.SESSION_STAGE_FINALIZED


async def test_a_revision_with_another_number_of_a_finalized_document_is_refused(alice: Owner) -> None:
    session_id = await drafted(alice)
    await finalize(alice, session_id)

    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await save(alice, session_id, numbered_invoice(""))

    assert raised.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "start a new version" in raised.value.details()
    assert (await alice.get(session_id)).session.latest_revision_number == 1


async def test_a_turn_changing_a_finalized_document_is_refused_and_writes_nothing(alice: Owner) -> None:
    session_id = await drafted(alice)
    await finalize(alice, session_id)

    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await commit(alice, session_id, numbered_invoice("INV-2026-0099"))

    assert raised.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    after = (await alice.get(session_id)).session
    assert (after.latest_revision_number, after.message_count) == (1, 0)


async def test_a_draft_takes_revisions_whatever_their_number(alice: Owner) -> None:
    session_id = await drafted(alice)

    await save(alice, session_id, numbered_invoice("MY-OWN-7"))
    response = await commit(alice, session_id, numbered_invoice(""))

    assert response.revision.number == 3


def test_a_cache_entry_of_the_previous_release_reads_as_a_draft() -> None:
    now = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)
    record = SessionRecord(
        uuid.uuid4(), "o", "t", Status.ACTIVE, Stage.DRAFTED, "invoice", {}, 0, 0, 1, 2, now, now, now, now
    )
    entry = session_to_cache(record)
    del entry["document_number"], entry["finalize_time"]

    assert session_from_cache(entry) == record


# ---- credit notes: a series of their own ----------------------------------------------------

CREDIT_NOTE_PATTERN = "CN-{YYYY}-{seq:04}"


async def test_credit_notes_are_numbered_in_their_own_series_beside_the_invoices(alice: Owner) -> None:
    numbers = [
        (await finalize(alice, await drafted(alice), pattern)).session.document_number
        for pattern in (PATTERN, CREDIT_NOTE_PATTERN, PATTERN, CREDIT_NOTE_PATTERN, CREDIT_NOTE_PATTERN)
    ]

    assert numbers == ["INV-2026-0001", "CN-2026-0001", "INV-2026-0002", "CN-2026-0002", "CN-2026-0003"]


async def test_concurrent_credit_notes_and_invoices_on_two_postgresql_replicas_are_gap_free_per_series(
    migrated_pg_url: str, start_instance: Callable[..., Any]
) -> None:
    replicas = [await start_instance(migrated_pg_url), await start_instance(migrated_pg_url)]

    assert await _interleaved_series_across_two_replicas(replicas) == EXPECTED_INTERLEAVED


async def test_concurrent_credit_notes_and_invoices_on_two_sqlite_servers_are_gap_free_per_series(
    tmp_path: Path, start_instance: Callable[..., Any]
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'credit-notes.db'}"
    replicas = [await start_instance(url), await start_instance(url)]

    assert await _interleaved_series_across_two_replicas(replicas) == EXPECTED_INTERLEAVED


EXPECTED_INTERLEAVED = sorted(
    [f"INV-2026-{n:04d}" for n in range(1, 11)] + [f"CN-2026-{n:04d}" for n in range(1, 11)]
)


async def _interleaved_series_across_two_replicas(replicas: list[Instance]) -> list[str]:
    """Ten invoices and ten credit notes of one owner finalized at once, alternating replicas."""
    owner_id = f"owner-{uuid.uuid4()}"
    owners = [replica.owner(owner_id) for replica in replicas]
    session_ids = [await drafted(owners[0]) for _ in range(20)]
    patterns = [PATTERN if i % 2 else CREDIT_NOTE_PATTERN for i in range(20)]
    responses = await asyncio.gather(
        *(finalize(owners[i % 2], session_id, patterns[i]) for i, session_id in enumerate(session_ids))
    )
    return sorted(r.session.document_number for r in responses)


async def test_the_profile_gives_credit_notes_a_default_pattern_and_checks_a_set_one(
    instance: Instance, alice: Owner
) -> None:
    profiles = profile_service_pb2_grpc.ProfileServiceStub(instance.channel)
    before = await profiles.GetProfile(profile_pb.GetProfileRequest(), metadata=alice.md)
    bad = profile_pb.UpdateProfileRequest(
        profile=profile_pb.Profile(numbering=profile_pb.NumberingPatterns(credit_note="CN-{YYYY}")),
        update_mask=field_mask_pb2.FieldMask(paths=["numbering"]),
    )

    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await profiles.UpdateProfile(bad, metadata=alice.md)

    assert before.profile.numbering.credit_note == CREDIT_NOTE_PATTERN
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert list(error_from_rpc(raised.value).violations) == ["profile.numbering.credit_note"]
