"""BeginTurn: a chat turn opened in one call (the session created or read with the owner check,
the turn lease taken, the person's message appended with its key, the owner's profile for a
first document), on SQLite and on PostgreSQL + Redis (issue 16: the calls per turn)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import grpc
import pytest
from google.protobuf import duration_pb2, field_mask_pb2

from docmesh.session.v1 import customer_service_pb2_grpc, profile_service_pb2_grpc
from docmesh.session.v1 import profile_service_pb2 as profile_pb
from docmesh.session.v1 import session_service_pb2 as pb
from docmesh.type.v1 import invoice_pb2
from docmesh_common.errors import error_from_rpc
from docmesh_session.service import turns as session_turns
from tests.session.conftest import statements_naming
from tests.session.test_session_customers import create as create_customer
from tests.session.test_session_turn_leases import acquire

TURN_KEY = "docmesh.agent.turn_key"


def _seconds(value: float) -> duration_pb2.Duration:
    duration = duration_pb2.Duration()
    duration.FromTimedelta(dt.timedelta(seconds=value))
    return duration


async def begin(
    owner,
    content: str = "Invoice Acme for 10 hours at 150",
    *,
    holder: str = "turn-a",
    seconds: float = 30,
    **fields: Any,
) -> pb.BeginTurnResponse:
    return await owner.stub.BeginTurn(
        pb.BeginTurnRequest(content=content, holder=holder, lease_duration=_seconds(seconds), **fields),
        metadata=owner.md,
    )


async def first(owner, content: str = "Invoice Acme", **fields: Any) -> pb.BeginTurnResponse:
    fields.setdefault("new_session", pb.Session(title="Invoice for Acme"))
    return await begin(owner, content, **fields)


async def refused(call: Any) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as error:
        await call
    return error.value


async def test_a_first_turn_creates_the_session_with_the_message_and_holds_its_lease(alice) -> None:
    begun = await first(
        alice,
        "Invoice Acme",
        new_session=pb.Session(title="Acme", document_kind=invoice_pb2.DOCUMENT_KIND_QUOTE),
    )

    assert begun.session.title == "Acme" and begun.session.document_kind == invoice_pb2.DOCUMENT_KIND_QUOTE
    assert [m.content for m in begun.messages] == ["Invoice Acme"] and begun.message == begun.messages[0]
    assert begun.message.role == pb.MESSAGE_ROLE_USER and not begun.replayed
    assert begun.session.message_count == 1 and begun.session.token_count == begun.message.token_count
    assert begun.lease.holder == "turn-a"
    stored = await alice.get(begun.session.id, pb.SESSION_VIEW_FULL)
    assert [m.id for m in stored.messages] == [begun.message.id]
    held = await refused(acquire(alice, begun.session.id, "turn-b"))
    assert held.code() == grpc.StatusCode.ABORTED


async def test_a_first_turn_returns_the_owners_profile_when_asked(alice, instance) -> None:
    profiles = profile_service_pb2_grpc.ProfileServiceStub(instance.channel)
    await profiles.UpdateProfile(
        profile_pb.UpdateProfileRequest(
            profile=profile_pb.Profile(seller=invoice_pb2.Party(name="Northwind")),
            update_mask=field_mask_pb2.FieldMask(paths=["seller"]),
        ),
        metadata=alice.md,
    )

    asked = await first(alice, include_profile=True)
    not_asked = await first(alice, holder="turn-b")

    expected = (await profiles.GetProfile(profile_pb.GetProfileRequest(), metadata=alice.md)).profile
    assert asked.profile == expected and asked.profile.seller.name == "Northwind"
    assert not not_asked.HasField("profile")


async def test_an_edit_reads_the_session_after_its_message_with_the_latest_revision(alice) -> None:
    session = await alice.create()
    await alice.append(session.id, "Invoice Acme")
    revision = await alice.save_revision(session.id, summary="New document")

    begun = await begin(alice, "add 2 hours", session_id=session.id, include_profile=True)

    assert [m.content for m in begun.messages] == ["Invoice Acme", "add 2 hours"]
    assert begun.message.content == "add 2 hours" and begun.message.sequence == 2
    assert begun.latest_revision.number == revision.number == begun.session.latest_revision_number
    # The session has a document: its profile is not needed again.
    assert not begun.HasField("profile")


async def test_an_edit_while_another_holds_the_lease_is_aborted_with_the_time_left_and_appends_nothing(
    alice,
) -> None:
    session = await alice.create()
    await acquire(alice, session.id, "turn-a", seconds=30)

    error = await refused(begin(alice, "add 2 hours", session_id=session.id, holder="turn-b"))

    assert error.code() == grpc.StatusCode.ABORTED
    domain = error_from_rpc(error)
    assert domain.reason == "TURN_IN_PROGRESS"
    assert domain.retry_after_seconds is not None and 20 < domain.retry_after_seconds <= 30
    assert (await alice.get(session.id)).session.message_count == 0


async def test_another_owners_session_is_not_found_and_keeps_its_lease_free(alice, bob) -> None:
    session = await alice.create()

    error = await refused(begin(bob, "add 2 hours", session_id=session.id))

    assert error.code() == grpc.StatusCode.NOT_FOUND
    assert (await acquire(alice, session.id, "turn-b")).holder == "turn-b"
    assert (await alice.get(session.id)).session.message_count == 0


async def test_a_retry_with_the_same_key_appends_nothing_and_answers_the_first_message(alice) -> None:
    session = await alice.create()
    once = await begin(alice, "add 2 hours", session_id=session.id, idempotency_key="k:user")
    await alice.stub.ReleaseTurnLease(
        pb.ReleaseTurnLeaseRequest(session_id=session.id, holder="turn-a"), metadata=alice.md
    )

    again = await begin(
        alice, "add 2 hours", session_id=session.id, idempotency_key="k:user", holder="turn-b"
    )

    assert again.replayed and again.message.id == once.message.id
    assert [m.id for m in again.messages] == [once.message.id]
    assert again.session.message_count == 1 and again.lease.holder == "turn-b"


async def test_a_retried_first_turn_continues_the_session_its_first_try_created(alice) -> None:
    new = pb.Session(title="Acme", metadata={TURN_KEY: "k"})
    once = await begin(
        alice, "Invoice Acme", new_session=new, reuse_metadata_key=TURN_KEY, idempotency_key="k:user"
    )
    await alice.stub.ReleaseTurnLease(
        pb.ReleaseTurnLeaseRequest(session_id=once.session.id, holder="turn-a"), metadata=alice.md
    )

    again = await begin(
        alice,
        "Invoice Acme",
        new_session=new,
        reuse_metadata_key=TURN_KEY,
        idempotency_key="k:user",
        holder="turn-b",
    )

    assert again.session.id == once.session.id and again.replayed and again.message.id == once.message.id


async def test_a_keyed_first_turn_never_continues_another_owners_or_a_deleted_session(alice, bob) -> None:
    new = pb.Session(title="Acme", metadata={TURN_KEY: "k"})
    bobs = await begin(bob, "Invoice Acme", new_session=new, reuse_metadata_key=TURN_KEY)
    deleted = await begin(alice, "Invoice Acme", new_session=new, reuse_metadata_key=TURN_KEY)
    await alice.stub.DeleteSession(pb.DeleteSessionRequest(session_id=deleted.session.id), metadata=alice.md)

    again = await begin(alice, "Invoice Acme", new_session=new, reuse_metadata_key=TURN_KEY, holder="turn-b")

    assert again.session.id not in (bobs.session.id, deleted.session.id) and not again.replayed
    assert again.session.owner_id == alice.owner_id and again.session.message_count == 1


async def test_a_completed_session_is_failed_precondition_and_its_lease_stays_free(alice) -> None:
    session = await alice.create()
    await alice.stub.CompleteSession(pb.CompleteSessionRequest(session_id=session.id), metadata=alice.md)

    error = await refused(begin(alice, "add 2 hours", session_id=session.id))

    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert error_from_rpc(error).reason == "SESSION_NOT_ACTIVE"
    assert (await acquire(alice, session.id, "turn-b")).holder == "turn-b"


async def test_an_empty_message_is_invalid_naming_content_and_creates_nothing(alice) -> None:
    error = await refused(first(alice, "  "))

    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "content" in error_from_rpc(error).violations
    listed = await alice.stub.ListSessions(pb.ListSessionsRequest(), metadata=alice.md)
    assert not listed.sessions


async def test_refuse_finalized_refuses_a_finalized_document_before_writing_and_without_it_the_turn_begins(
    alice,
) -> None:
    session = await alice.create()
    await alice.save_revision(session.id)
    await alice.stub.FinalizeSession(
        pb.FinalizeSessionRequest(session_id=session.id, numbering_pattern="INV-{seq:04}"), metadata=alice.md
    )

    error = await refused(begin(alice, "invoice Bob", session_id=session.id, refuse_finalized=True))
    begun = await begin(alice, "invoice Bob", session_id=session.id, holder="turn-b")

    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert error_from_rpc(error).reason == "DOCUMENT_FINALIZED"
    assert [m.content for m in begun.messages] == ["invoice Bob"] and begun.lease.holder == "turn-b"


@pytest.mark.session_settings(DOCMESH_MAX_SESSION_TOKENS=10)
async def test_an_edit_over_the_token_limit_is_refused_and_leaves_the_lease_free(alice) -> None:
    session = await alice.create()

    error = await refused(begin(alice, "word " * 40, session_id=session.id))

    assert error.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert (await acquire(alice, session.id, "turn-b")).holder == "turn-b"
    assert (await alice.get(session.id)).session.message_count == 0


@pytest.mark.parametrize("backend", ["postgres+redis"], indirect=True)
async def test_an_edit_takes_its_lease_appends_and_reads_its_history_in_one_statement(
    alice, instance
) -> None:
    session = await alice.create()
    await alice.append(session.id, "Invoice Acme")
    await alice.save_revision(session.id, summary="New document")
    with statements_naming(instance, uuid.UUID(session.id)) as statements:
        begun = await begin(alice, "add 2 hours", session_id=session.id, idempotency_key="k:user")

    assert begun.message.sequence == 2 and begun.latest_revision.number == 1
    writes = [s for s in statements if not s.startswith("SELECT")]
    assert len(writes) == 1 and "turn_leases" in writes[0] and "UPDATE sessions" in writes[0]
    assert len(statements) == 1 and "document_revisions" in writes[0]  # the history in the same
    assert [m.content for m in begun.messages] == ["Invoice Acme", "add 2 hours"]


async def test_a_first_turn_returns_every_customers_name_when_asked_and_an_edit_of_a_document_none(
    alice, bob, instance
) -> None:
    customers = customer_service_pb2_grpc.CustomerServiceStub(instance.channel)
    acme = await create_customer(customers, alice, "Acme Corp")
    await create_customer(customers, bob, "Bob's own customer")

    begun = await first(alice, include_customer_names=True)
    await alice.save_revision(begun.session.id)
    edit = await begin(alice, "add 2 hours", session_id=begun.session.id, include_customer_names=True)

    assert begun.customer_names_complete
    assert [(c.id, c.name) for c in begun.customer_names] == [(acme.id, "acme corp")]
    assert not edit.customer_names_complete and not edit.customer_names


async def test_an_owner_with_more_customers_than_a_turn_carries_gets_none_and_not_complete(
    alice, instance, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(session_turns, "MAX_CUSTOMER_NAMES", 1)
    customers = customer_service_pb2_grpc.CustomerServiceStub(instance.channel)
    await create_customer(customers, alice, "Acme Corp")
    await create_customer(customers, alice, "Globex")

    begun = await first(alice, include_customer_names=True)

    assert not begun.customer_names_complete and not begun.customer_names


@pytest.mark.parametrize("backend", ["postgres+redis"], indirect=True)
async def test_a_first_turn_writes_and_reads_the_profile_and_customers_in_one_statement(
    alice, instance
) -> None:
    customers = customer_service_pb2_grpc.CustomerServiceStub(instance.channel)
    await create_customer(customers, alice, "Acme Corp")
    with statements_naming(instance, alice.owner_id) as statements:
        begun = await first(
            alice, include_profile=True, include_customer_names=True, idempotency_key="k:user"
        )

    assert begun.HasField("profile") and begun.customer_names_complete
    assert [c.name for c in begun.customer_names] == ["acme corp"]
    assert len(statements) == 1 and "INSERT INTO sessions" in statements[0]


async def test_an_edit_after_two_revisions_reads_the_second_with_every_message(alice) -> None:
    session = await alice.create()
    await alice.append(session.id, "Invoice Acme", "Here it is")
    await alice.save_revision(session.id, summary="New document")
    await alice.append(session.id, "add a line")
    second = await alice.save_revision(session.id, summary="Edited")

    begun = await begin(alice, "add 2 hours", session_id=session.id)

    assert [m.content for m in begun.messages] == ["Invoice Acme", "Here it is", "add a line", "add 2 hours"]
    assert begun.latest_revision.number == second.number == 2
    assert begun.latest_revision.summary == "Edited"
