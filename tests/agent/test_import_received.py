"""A received (imported) document keeps its seller's number, end to end over real gRPC servers
(session on PostgreSQL + Redis, document, builtin agent): FinalizeDocument is FAILED_PRECONDITION
naming the seller and changes nothing, "finalize it" / "send it" in chat answer so, and the
owner's own series is untouched."""

from __future__ import annotations

import grpc
import pytest

from docmesh.agent.v1 import agent_service_pb2 as pb
from docmesh.session.v1 import session_service_pb2 as ses_pb
from docmesh_common.errors import error_from_rpc
from docmesh_document.einvoice.cii import to_cii
from docmesh_document.einvoice.ubl import to_ubl
from tests.agent.conftest import Caller, Mesh
from tests.agent.test_import import CREDIT_NOTE, STANDARD, _import

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


async def received(caller: Caller, content: bytes | None = None) -> str:
    """The session of a received invoice from Acme GmbH numbered INV-2026-0001."""
    imported = await _import(caller, content if content is not None else to_ubl(STANDARD))
    return str(imported.session.id)


async def finalize_refused(caller: Caller, session_id: str) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await caller.agent.FinalizeDocument(
            pb.FinalizeDocumentRequest(session_id=session_id), metadata=caller.md, timeout=30
        )
    return raised.value


async def session(mesh: Mesh, caller: Caller, session_id: str) -> ses_pb.Session:
    got = await mesh.sessions().GetSession(
        ses_pb.GetSessionRequest(session_id=session_id), metadata=caller.md
    )
    return got.session


async def test_finalizing_a_received_invoice_is_failed_precondition_naming_its_seller(mesh: Mesh) -> None:
    caller = mesh.builtin_caller()
    session_id = await received(caller)

    error = await finalize_refused(caller, session_id)

    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert (
        error.details() == "this invoice was received from Acme GmbH; only documents you issue are numbered"
    )
    assert error_from_rpc(error).reason == "RECEIVED_DOCUMENT"


async def test_a_refused_finalize_leaves_the_received_session_as_it_was(mesh: Mesh) -> None:
    caller = mesh.builtin_caller()
    session_id = await received(caller)

    await finalize_refused(caller, session_id)

    after = await session(mesh, caller, session_id)
    assert after.document_number == ""
    assert after.status == ses_pb.SESSION_STATUS_ACTIVE
    assert after.latest_revision_number == 1


async def test_the_owners_own_series_is_untouched_by_a_received_invoice(mesh: Mesh) -> None:
    caller = mesh.builtin_caller()
    await finalize_refused(caller, await received(caller))

    own = await caller.chat("Invoice Globex for 2 hours of design at $90")
    finalized = await caller.chat("finalize it", own.session_id)

    assert finalized.invoice.number.endswith("-0001")


@pytest.mark.parametrize("message", ["finalize it", "send it"])
async def test_finalizing_a_received_invoice_in_chat_answers_and_numbers_nothing(
    mesh: Mesh, message: str
) -> None:
    caller = mesh.builtin_caller()
    session_id = await received(caller)

    answer = await caller.chat(message, session_id)

    assert answer.reply == "This invoice was received from Acme GmbH; only documents you issue are numbered."
    assert answer.revision_number == 0
    assert (await session(mesh, caller, session_id)).document_number == ""


async def test_a_received_invoice_edited_by_chat_is_still_received(mesh: Mesh) -> None:
    caller = mesh.builtin_caller()
    session_id = await received(caller)
    await caller.chat("add a 5% discount", session_id)

    error = await finalize_refused(caller, session_id)

    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "received from Acme GmbH" in (error.details() or "")


async def test_a_received_credit_note_is_not_numbered_either(mesh: Mesh) -> None:
    caller = mesh.builtin_caller()
    session_id = await received(caller, to_cii(CREDIT_NOTE))

    error = await finalize_refused(caller, session_id)

    assert (
        error.details()
        == "this credit note was received from Acme GmbH; only documents you issue are numbered"
    )


async def test_a_credit_note_for_a_received_invoice_is_its_sellers_to_issue(mesh: Mesh) -> None:
    caller = mesh.builtin_caller()
    session_id = await received(caller)

    answer = await caller.chat("credit note for that invoice", session_id)

    assert answer.reply.startswith(
        "This invoice was received from Acme GmbH: a credit note for it is Acme GmbH's"
    )
    assert answer.revision_number == 0 and not answer.HasField("invoice")
