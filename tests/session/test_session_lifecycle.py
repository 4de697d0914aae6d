"""Create, get, update, delete, restore, complete and resume; validation of their input."""

from __future__ import annotations

import asyncio
import datetime as dt

import grpc
import pytest
from google.protobuf import field_mask_pb2
from sqlalchemy import func, select

from docmesh.session.v1 import session_service_pb2 as pb
from docmesh.type.v1 import invoice_pb2
from docmesh_common.errors import error_from_rpc
from docmesh_session.models import IdempotencyKeyRow, MessageRow, RevisionRow, SessionRow, UsageRow


def _mask(*paths: str) -> field_mask_pb2.FieldMask:
    return field_mask_pb2.FieldMask(paths=list(paths))


async def test_created_session_is_active_collecting_with_utc_times_and_expiry_after_ttl(
    alice, instance
) -> None:
    before = dt.datetime.now(dt.UTC)
    session = await alice.create(
        title="Invoice Acme", metadata={"channel": "web"}, document_kind=invoice_pb2.DOCUMENT_KIND_QUOTE
    )
    assert session.owner_id == alice.owner_id
    assert session.status == pb.SESSION_STATUS_ACTIVE
    assert session.stage == pb.SESSION_STAGE_COLLECTING
    assert session.document_kind == invoice_pb2.DOCUMENT_KIND_QUOTE
    assert dict(session.metadata) == {"channel": "web"}
    assert session.version == 1
    created = session.create_time.ToDatetime(tzinfo=dt.UTC)
    assert before - dt.timedelta(seconds=1) <= created <= dt.datetime.now(dt.UTC)
    ttl = session.expire_time.ToDatetime(tzinfo=dt.UTC) - created
    assert ttl == dt.timedelta(seconds=instance.settings.session_ttl_seconds)
    assert (await alice.get(session.id)).session == session


async def test_unspecified_document_kind_is_stored_as_invoice(alice) -> None:
    session = await alice.create()
    assert session.document_kind == invoice_pb2.DOCUMENT_KIND_INVOICE


async def test_full_view_returns_every_message_in_order(alice) -> None:
    session = await alice.create()
    await alice.append(session.id, "one", "two")
    await alice.append(session.id, "three")
    basic = await alice.get(session.id)
    full = await alice.get(session.id, pb.SESSION_VIEW_FULL)
    assert list(basic.messages) == []
    assert [m.content for m in full.messages] == ["one", "two", "three"]


async def test_update_changes_only_the_masked_fields_and_bumps_version(alice) -> None:
    session = await alice.create(title="old", metadata={"a": "1"})
    updated = await alice.stub.UpdateSession(
        pb.UpdateSessionRequest(
            session=pb.Session(id=session.id, title="new", metadata={"b": "2"}), update_mask=_mask("title")
        ),
        metadata=alice.md,
    )
    assert updated.session.title == "new"
    assert dict(updated.session.metadata) == {"a": "1"}
    assert updated.session.version == session.version + 1
    again = await alice.stub.UpdateSession(
        pb.UpdateSessionRequest(
            session=pb.Session(id=session.id, metadata={"b": "2"}, stage=pb.SESSION_STAGE_FINALIZED),
            update_mask=_mask("metadata", "stage"),
        ),
        metadata=alice.md,
    )
    assert dict(again.session.metadata) == {"b": "2"}
    assert again.session.stage == pb.SESSION_STAGE_FINALIZED
    assert again.session.title == "new"


async def test_update_status_to_completed_sets_complete_time(alice) -> None:
    session = await alice.create()
    updated = await alice.stub.UpdateSession(
        pb.UpdateSessionRequest(
            session=pb.Session(id=session.id, status=pb.SESSION_STATUS_COMPLETED), update_mask=_mask("status")
        ),
        metadata=alice.md,
    )
    assert updated.session.status == pb.SESSION_STATUS_COMPLETED
    assert updated.session.HasField("complete_time")


@pytest.mark.parametrize(
    ("session", "paths", "field"),
    [
        (pb.Session(title="x"), ["owner_id"], "update_mask.paths"),
        (pb.Session(title="x"), [], "update_mask.paths"),
        (pb.Session(title="x" * 201), ["title"], "session.title"),
        (pb.Session(status=7), ["status"], "session.status"),  # type: ignore[arg-type]
        (pb.Session(status=pb.SESSION_STATUS_UNSPECIFIED), ["status"], "session.status"),
        (pb.Session(stage=9), ["stage"], "session.stage"),  # type: ignore[arg-type]
        (pb.Session(document_kind=12), ["document_kind"], "session.document_kind"),  # type: ignore[arg-type]
        (pb.Session(metadata={f"k{i}": "v" for i in range(17)}), ["metadata"], "session.metadata"),
    ],
)
async def test_bad_update_is_invalid_argument_naming_the_field_and_writes_nothing(
    alice, session, paths, field
) -> None:
    created = await alice.create(title="kept")
    session.id = created.id
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await alice.stub.UpdateSession(
            pb.UpdateSessionRequest(session=session, update_mask=_mask(*paths)), metadata=alice.md
        )
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field in error_from_rpc(caught.value).violations
    assert (await alice.get(created.id)).session == created


@pytest.mark.parametrize(
    ("metadata", "field"),
    [
        ({f"k{i}": "v" for i in range(17)}, "session.metadata"),
        ({"k" * 65: "v"}, "session.metadata[kkkkkkkkkkkkkkkkkkkk]"),
        ({"key": "v" * 513}, "session.metadata[key]"),
    ],
)
async def test_metadata_over_its_limits_is_invalid_argument_and_creates_nothing(
    alice, metadata, field
) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await alice.create(metadata=metadata)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field in error_from_rpc(caught.value).violations
    listed = await alice.stub.ListSessions(pb.ListSessionsRequest(show_deleted=True), metadata=alice.md)
    assert list(listed.sessions) == []


async def test_metadata_at_its_limits_is_accepted(alice) -> None:
    metadata = {f"{i:02d}" + "k" * 62: "v" * 512 for i in range(16)}
    session = await alice.create(metadata=metadata)
    assert dict(session.metadata) == metadata


@pytest.mark.parametrize("session_id", ["", "not-a-uuid", "123", "5b0f64f4-5d0f-4b8b-9a53-0d1f3e0c9a1"])
async def test_session_id_that_is_not_a_uuid_is_invalid_argument_naming_session_id(alice, session_id) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await alice.stub.GetSession(pb.GetSessionRequest(session_id=session_id), metadata=alice.md)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "session_id" in error_from_rpc(caught.value).violations


async def test_unknown_session_is_not_found(alice) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await alice.get("5b0f64f4-5d0f-4b8b-9a53-0d1f3e0c9a11")
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND


async def test_unknown_view_is_invalid_argument(alice) -> None:
    session = await alice.create()
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await alice.get(session.id, view=5)
    assert "view" in error_from_rpc(caught.value).violations


async def test_soft_delete_keeps_the_session_readable_and_restore_brings_it_back(alice) -> None:
    session = await alice.create()
    await alice.append(session.id, "hello world")
    deleted = await alice.stub.DeleteSession(
        pb.DeleteSessionRequest(session_id=session.id), metadata=alice.md
    )
    assert deleted.session.HasField("delete_time")
    assert (await alice.get(session.id)).session.HasField("delete_time")
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await alice.append(session.id, "more")
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND

    restored = await alice.stub.RestoreSession(
        pb.RestoreSessionRequest(session_id=session.id), metadata=alice.md
    )
    assert not restored.session.HasField("delete_time")
    assert (await alice.append(session.id, "more")).session.message_count == 2


async def test_restoring_a_session_that_is_not_deleted_is_failed_precondition(alice) -> None:
    session = await alice.create()
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await alice.stub.RestoreSession(pb.RestoreSessionRequest(session_id=session.id), metadata=alice.md)
    assert caught.value.code() == grpc.StatusCode.FAILED_PRECONDITION


async def test_hard_delete_removes_messages_revisions_usage_and_idempotency_keys(alice, instance) -> None:
    session = await alice.create()
    await alice.append(session.id, "hello world", idempotency_key="k")
    await alice.save_revision(session.id)
    await alice.stub.RecordUsage(
        pb.RecordUsageRequest(usage=pb.UsageRecord(session_id=session.id, model="m", cost_usd="1")),
        metadata=alice.md,
    )
    response = await alice.stub.DeleteSession(
        pb.DeleteSessionRequest(session_id=session.id, hard=True), metadata=alice.md
    )
    assert not response.HasField("session")
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await alice.get(session.id)
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND
    async with instance.app.repository.engine.connect() as conn:
        for model in (SessionRow, MessageRow, IdempotencyKeyRow, RevisionRow, UsageRow):
            column = model.id if model is SessionRow else model.session_id
            count = await conn.scalar(
                select(func.count()).select_from(model).where(column == _uuid(session.id))
            )
            assert count == 0, model.__tablename__
    usage = await alice.stub.GetUsage(pb.GetUsageRequest(), metadata=alice.md)
    assert usage.totals.call_count == 0


async def test_complete_then_resume_reactivates_with_a_fresh_expiry(alice) -> None:
    session = await alice.create()
    done = await alice.stub.CompleteSession(
        pb.CompleteSessionRequest(session_id=session.id), metadata=alice.md
    )
    assert done.session.status == pb.SESSION_STATUS_COMPLETED
    assert done.session.HasField("complete_time")
    resumed = await alice.stub.ResumeSession(
        pb.ResumeSessionRequest(session_id=session.id), metadata=alice.md
    )
    assert resumed.session.status == pb.SESSION_STATUS_ACTIVE
    assert not resumed.session.HasField("complete_time")
    assert resumed.session.expire_time.ToDatetime() > session.expire_time.ToDatetime()
    assert (await alice.get(session.id)).session == resumed.session


def _uuid(text: str):
    import uuid

    return uuid.UUID(text)


async def test_full_view_counters_agree_with_its_messages_while_appends_run(alice) -> None:
    session = await alice.create()
    views: list[pb.GetSessionResponse] = []

    async def appends() -> None:
        for i in range(15):
            await alice.append(session.id, f"message {i}", "hello world")

    async def reads() -> None:
        for _ in range(15):
            views.append(await alice.get(session.id, pb.SESSION_VIEW_FULL))

    await asyncio.gather(appends(), reads())
    for view in views:
        assert view.session.message_count == len(view.messages)
        assert view.session.token_count == sum(m.token_count for m in view.messages)


async def test_create_with_unknown_document_kind_is_invalid_argument_and_creates_nothing(alice) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await alice.create(document_kind=99)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "session.document_kind" in error_from_rpc(caught.value).violations
    listed = await alice.stub.ListSessions(pb.ListSessionsRequest(show_deleted=True), metadata=alice.md)
    assert list(listed.sessions) == []
