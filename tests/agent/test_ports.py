"""The contract of the agent's ports, checked against both implementations: the in-memory ones
the turn specs run on (tests/agent/memory.py) and the gRPC adapters over the real session and
document services. The same assertions hold for both, so the fast specs stay honest."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from docmesh_agent.adapters.document_grpc import GrpcDocumentEngine
from docmesh_agent.adapters.session_grpc import GrpcSessionStore
from docmesh_agent.domain import Document, NewSession, TurnCommit, TurnOpening, Validation
from docmesh_agent.ports import DocumentEngine, SessionStore
from docmesh_agent.settings import AgentSettings
from docmesh_common import context
from docmesh_common.errors import Aborted, FailedPrecondition, InvalidArgument, NotFound
from docmesh_common.model.invoice import DocumentKind, Invoice
from tests.agent.conftest import INVOICE, Mesh
from tests.agent.memory import MemoryDocumentEngine, MemorySessionStore

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

ACME = Invoice.model_validate({**INVOICE, "number": "INV-7"})


@pytest.fixture(params=["memory", "grpc"])
async def ports(
    request: pytest.FixtureRequest, mesh: Mesh
) -> AsyncIterator[tuple[SessionStore, DocumentEngine]]:
    context.bind(owner_id=f"owner-{uuid.uuid4().hex[:12]}")
    if request.param == "memory":
        yield MemorySessionStore(), MemoryDocumentEngine()
        return
    settings = AgentSettings(
        port=0,
        metrics_port=0,
        session_target=f"127.0.0.1:{mesh.session_port}",
        document_target=f"127.0.0.1:{mesh.document_port}",
    )
    sessions, documents = GrpcSessionStore.connect(settings), GrpcDocumentEngine.connect(settings)
    yield sessions, documents
    await sessions.close()
    await documents.close()


@pytest.fixture
def sessions(ports: tuple[SessionStore, DocumentEngine]) -> SessionStore:
    return ports[0]


@pytest.fixture
def documents(ports: tuple[SessionStore, DocumentEngine]) -> DocumentEngine:
    return ports[1]


async def new_session(sessions: SessionStore, **fields: Any) -> str:
    return (await sessions.create(NewSession(title="t", **fields))).session.id


async def rendered(documents: DocumentEngine, invoice: Invoice = ACME) -> Document:
    return await documents.render(invoice)


# ---- SessionStore ---------------------------------------------------------------------------


async def test_a_new_session_has_no_messages_and_no_revision(sessions: SessionStore) -> None:
    session_id = await new_session(sessions, document_kind=DocumentKind.QUOTE)
    view = await sessions.get(session_id)
    assert view.messages == () and view.latest_revision is None
    assert view.session.document_kind == DocumentKind.QUOTE
    assert view.session.latest_revision_number == 0
    assert not (view.session.abandoned or view.session.deleted)


async def test_an_unknown_session_is_not_found(sessions: SessionStore) -> None:
    with pytest.raises(NotFound):
        await sessions.get(str(uuid.uuid4()))


async def test_a_message_appended_at_the_read_version_moves_the_version(sessions: SessionStore) -> None:
    session_id = await new_session(sessions)
    before = (await sessions.get(session_id)).session.version
    appended = await sessions.append_user_message(session_id, "hello", "k:user", expected_version=before)
    assert not appended.replayed and appended.message.role == "user"
    view = await sessions.get(session_id)
    assert view.session.version == before + 1
    assert [m.id for m in view.messages] == [appended.message.id]


async def test_a_message_appended_at_a_stale_version_is_aborted(sessions: SessionStore) -> None:
    session_id = await new_session(sessions)
    version = (await sessions.get(session_id)).session.version
    await sessions.append_user_message(session_id, "one", "one:user", expected_version=version)
    with pytest.raises(Aborted):
        await sessions.append_user_message(session_id, "two", "two:user", expected_version=version)


async def test_a_retried_append_replays_the_stored_message(sessions: SessionStore) -> None:
    session_id = await new_session(sessions)
    version = (await sessions.get(session_id)).session.version
    first = await sessions.append_user_message(session_id, "hello", "k:user", expected_version=version)
    again = await sessions.append_user_message(session_id, "hello", "k:user", expected_version=version + 1)
    assert again.replayed and again.message.id == first.message.id
    assert len((await sessions.get(session_id)).messages) == 1


async def test_a_commit_saves_the_reply_and_the_revision_once(
    sessions: SessionStore, documents: DocumentEngine
) -> None:
    session_id = await new_session(sessions)
    version = (await sessions.get(session_id)).session.version
    user = (await sessions.append_user_message(session_id, "hi", "k:user", expected_version=version)).message
    commit = TurnCommit(
        session_id=session_id,
        reply="Here it is.",
        idempotency_key="k:reply",
        document=await rendered(documents),
        message_id=user.id,
        summary="New document",
        title="Invoice for Acme Corp",
    )
    committed = await sessions.commit_turn(commit)
    assert committed.revision_number == 1 and committed.session_token_count > 0
    again = await sessions.commit_turn(commit)
    assert again.assistant_message_id == committed.assistant_message_id
    view = await sessions.get(session_id)
    assert [m.role for m in view.messages] == ["user", "assistant"]
    assert view.latest_revision is not None
    assert (view.latest_revision.number, view.latest_revision.invoice) == (1, ACME)
    assert (view.latest_revision.message_id, view.latest_revision.summary) == (user.id, "New document")
    assert await sessions.revision_for_message(view, user.id) is not None
    assert await sessions.revision_for_message(view, str(uuid.uuid4())) is None


async def test_a_revision_is_copied_as_the_newest(sessions: SessionStore, documents: DocumentEngine) -> None:
    session_id = await new_session(sessions)
    for number in (1, 2):
        invoice = ACME.model_copy(update={"number": f"INV-{number}"})
        await sessions.commit_turn(
            TurnCommit(
                session_id=session_id,
                reply="ok",
                idempotency_key=f"k{number}",
                document=await rendered(documents, invoice),
            )
        )
    copy = await sessions.copy_revision(session_id, 1, "Reverted to revision 1")
    assert (copy.number, copy.invoice.number, copy.summary) == (3, "INV-1", "Reverted to revision 1")
    assert (await sessions.get_revision(session_id, 3)).invoice == copy.invoice
    with pytest.raises(NotFound):
        await sessions.get_revision(session_id, 9)


async def test_a_document_is_saved_as_the_newest_revision(
    sessions: SessionStore, documents: DocumentEngine
) -> None:
    session_id = await new_session(sessions)
    saved = await sessions.save_revision(session_id, await rendered(documents), "Finalized as INV-7")
    assert (saved.number, saved.invoice.number, saved.summary) == (1, "INV-7", "Finalized as INV-7")
    assert (await sessions.get(session_id, full=False)).session.latest_revision_number == 1


async def test_a_session_is_numbered_once_for_its_pattern(
    sessions: SessionStore, documents: DocumentEngine
) -> None:
    session_id = await new_session(sessions)
    await sessions.save_revision(session_id, await rendered(documents), "Drafted")
    pattern = f"T{uuid.uuid4().hex[:6]}-{{YYYY}}-{{seq:04}}"
    numbered = await sessions.finalize(session_id, pattern, dt.date(2026, 3, 1))
    assert numbered.document_number.endswith("-2026-0001") and numbered.finalized
    again = await sessions.finalize(session_id, pattern, dt.date(2026, 3, 1))
    assert again.document_number == numbered.document_number


async def test_a_session_without_a_document_is_not_numbered(sessions: SessionStore) -> None:
    session_id = await new_session(sessions)
    with pytest.raises(FailedPrecondition):
        await sessions.finalize(session_id, "INV-{YYYY}-{seq:04}", None)


async def test_a_completed_session_reads_as_completed(sessions: SessionStore) -> None:
    session_id = await new_session(sessions)
    assert (await sessions.complete(session_id)).completed
    assert (await sessions.complete(session_id)).completed


async def test_a_session_made_by_a_keyed_turn_is_found_by_its_key(sessions: SessionStore) -> None:
    key = uuid.uuid4().hex
    session_id = await new_session(sessions, turn_key=key)
    assert await sessions.find_by_turn_key(key) == session_id
    assert await sessions.find_by_turn_key(uuid.uuid4().hex) is None


async def test_a_held_turn_lease_refuses_another_holder_with_the_time_left(sessions: SessionStore) -> None:
    session_id = await new_session(sessions)
    await sessions.acquire_turn_lease(session_id, "turn-a", 10)
    with pytest.raises(Aborted) as refused:
        await sessions.acquire_turn_lease(session_id, "turn-b", 10)
    assert refused.value.reason == "TURN_IN_PROGRESS"
    assert 8 < (refused.value.retry_after_seconds or 0) <= 10


async def test_a_renewed_turn_lease_keeps_the_session_held(sessions: SessionStore) -> None:
    session_id = await new_session(sessions)
    await sessions.acquire_turn_lease(session_id, "turn-a", 0.3)
    await sessions.renew_turn_lease(session_id, "turn-a", 10)
    await asyncio.sleep(0.4)
    with pytest.raises(Aborted):
        await sessions.acquire_turn_lease(session_id, "turn-b", 10)


async def test_a_released_turn_lease_frees_the_session_and_keeps_the_turn_key(sessions: SessionStore) -> None:
    key = uuid.uuid4().hex
    session_id = await new_session(sessions, turn_key=key)
    await sessions.acquire_turn_lease(session_id, "turn-a", 10)
    await sessions.release_turn_lease(session_id, "turn-a")
    await sessions.acquire_turn_lease(session_id, "turn-b", 10)
    assert await sessions.find_by_turn_key(key) == session_id


async def test_a_lease_another_holder_took_is_not_renewed(sessions: SessionStore) -> None:
    session_id = await new_session(sessions)
    await sessions.acquire_turn_lease(session_id, "dead-turn", 0.2)
    await asyncio.sleep(0.3)
    await sessions.acquire_turn_lease(session_id, "turn-b", 10)
    with pytest.raises(Aborted) as lost:
        await sessions.renew_turn_lease(session_id, "dead-turn", 10)
    assert lost.value.reason == "TURN_LEASE_LOST"


async def test_a_deleted_session_reads_as_deleted(sessions: SessionStore) -> None:
    session_id = await new_session(sessions)
    assert await sessions.delete(session_id) == 0
    assert (await sessions.get(session_id)).session.deleted


# ---- DocumentEngine -------------------------------------------------------------------------


async def test_a_complete_invoice_renders_to_a_valid_sheet(documents: DocumentEngine) -> None:
    document = await rendered(documents)
    assert document.invoice == ACME and document.msc
    assert document.validation.valid
    assert (await documents.validate(document.msc)).valid


async def test_an_export_is_named_by_its_base_name_and_format(documents: DocumentEngine) -> None:
    document = await rendered(documents)
    exported = await documents.export(document.msc, "csv", "invoice-INV-7")
    assert exported.file_name == "invoice-INV-7.csv"
    assert exported.content


async def test_an_invoice_the_service_cannot_render_is_invalid_naming_the_field(
    documents: DocumentEngine,
) -> None:
    if isinstance(documents, MemoryDocumentEngine):
        documents.refuse = {"invoice.line_items[0].quantity": "too large"}
    huge = ACME.model_copy(
        update={"line_items": [ACME.line_items[0].model_copy(update={"quantity": 10**30})]}
    )
    with pytest.raises(InvalidArgument) as caught:
        await documents.render(huge)
    assert any("line_items" in name for name in caught.value.violations)


def test_the_validation_of_a_document_made_in_the_agent_needs_no_service() -> None:
    assert Validation(valid=True).errors() == []


# ---- SessionStore.begin_turn: a turn opened in one call -----------------------------------------


def opening(content: str = "Invoice Acme", holder: str = "turn-a", **fields: Any) -> TurnOpening:
    return TurnOpening(
        content=content, idempotency_key=f"{holder}:user", holder=holder, lease_seconds=10, **fields
    )


async def test_a_first_turn_creates_the_session_with_its_message_and_holds_the_lease(
    sessions: SessionStore,
) -> None:
    begun = await sessions.begin_turn(
        opening(new_session=NewSession(title="Acme", document_kind=DocumentKind.QUOTE), include_profile=True)
    )
    view = begun.view
    assert not begun.appended.replayed and begun.appended.message.content == "Invoice Acme"
    assert [m.id for m in view.messages] == [begun.appended.message.id]
    assert view.session.document_kind == DocumentKind.QUOTE and view.latest_revision is None
    assert begun.profile is not None  # the owner's (empty) profile, for the first document
    with pytest.raises(Aborted) as held:
        await sessions.acquire_turn_lease(view.session.id, "turn-b", 10)
    assert held.value.reason == "TURN_IN_PROGRESS"


async def test_an_edit_reads_the_session_after_its_message_and_needs_no_profile_once_drafted(
    sessions: SessionStore, documents: DocumentEngine
) -> None:
    session_id = await new_session(sessions)
    await sessions.commit_turn(
        TurnCommit(
            session_id=session_id, reply="Here.", idempotency_key="k", document=await rendered(documents)
        )
    )

    begun = await sessions.begin_turn(opening("add QA", session_id=session_id, include_profile=True))

    assert [m.content for m in begun.view.messages] == ["Here.", "add QA"]
    assert begun.view.latest_revision is not None and begun.view.latest_revision.number == 1
    assert begun.profile is None


async def test_a_begin_while_another_holds_the_lease_is_aborted_with_the_time_left_and_appends_nothing(
    sessions: SessionStore,
) -> None:
    session_id = await new_session(sessions)
    await sessions.acquire_turn_lease(session_id, "turn-a", 10)
    with pytest.raises(Aborted) as held:
        await sessions.begin_turn(opening("add QA", holder="turn-b", session_id=session_id))
    assert held.value.reason == "TURN_IN_PROGRESS"
    assert held.value.retry_after_seconds is not None and 0 < held.value.retry_after_seconds <= 10
    assert (await sessions.get(session_id)).messages == ()


async def test_a_begin_retried_with_its_key_replays_the_stored_message(sessions: SessionStore) -> None:
    session_id = await new_session(sessions)
    first = await sessions.begin_turn(opening("add QA", session_id=session_id))
    await sessions.release_turn_lease(session_id, "turn-a")
    again = await sessions.begin_turn(
        dataclasses.replace(
            opening("add QA", holder="turn-b", session_id=session_id), idempotency_key="turn-a:user"
        )
    )
    assert again.appended.replayed and again.appended.message.id == first.appended.message.id
    assert len(again.view.messages) == 1


async def test_a_keyed_first_turn_retried_continues_its_session(sessions: SessionStore) -> None:
    key = uuid.uuid4().hex
    new = NewSession(title="Acme", turn_key=key)
    first = await sessions.begin_turn(opening(new_session=new))
    await sessions.release_turn_lease(first.view.session.id, "turn-a")
    again = await sessions.begin_turn(
        dataclasses.replace(opening(holder="turn-b", new_session=new), idempotency_key="turn-a:user")
    )
    assert again.view.session.id == first.view.session.id and again.appended.replayed


async def test_a_completed_or_finalized_session_is_refused_before_anything_is_written(
    sessions: SessionStore, documents: DocumentEngine
) -> None:
    completed = await new_session(sessions)
    await sessions.complete(completed)
    finalized = await new_session(sessions)
    await sessions.save_revision(finalized, await rendered(documents), "Drafted")
    await sessions.finalize(finalized, f"T{uuid.uuid4().hex[:6]}-{{seq:04}}", None)

    with pytest.raises(FailedPrecondition) as inactive:
        await sessions.begin_turn(opening(session_id=completed))
    with pytest.raises(FailedPrecondition) as numbered:
        await sessions.begin_turn(opening(session_id=finalized, refuse_finalized=True))

    assert (inactive.value.reason, numbered.value.reason) == ("SESSION_NOT_ACTIVE", "DOCUMENT_FINALIZED")
    for session_id in (completed, finalized):
        assert (await sessions.get(session_id)).messages == ()
        await sessions.acquire_turn_lease(session_id, "turn-b", 10)  # left free


async def test_a_begin_of_an_unknown_session_is_not_found(sessions: SessionStore) -> None:
    with pytest.raises(NotFound):
        await sessions.begin_turn(opening(session_id=str(uuid.uuid4())))
