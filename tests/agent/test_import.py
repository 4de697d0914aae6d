"""ImportDocument end to end over gRPC: real session (PostgreSQL + Redis) and document services,
a builtin agent. A received e-invoice becomes a session whose revision 1 is the document; chat
edits and exports work on it; unreadable or hostile files write nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import grpc
import pytest
from google.api import httpbody_pb2

from docmesh.agent.v1 import agent_service_pb2 as pb
from docmesh.session.v1 import session_service_pb2 as ses_pb
from docmesh_common.errors import error_from_rpc
from docmesh_common.model.invoice import DocumentKind, Invoice, PrecedingInvoice, from_proto
from docmesh_document.einvoice.cii import to_cii
from docmesh_document.einvoice.ubl import to_ubl
from tests.agent.conftest import Caller, Mesh
from tests.document.einvoice_cases import CASES
from tests.document.einvoice_inputs import HOSTILE, business_content, facturx_pdf

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

STANDARD = CASES[0]  # INV-2026-0001, EUR, S at 19 % and 7 %, from Acme GmbH
# One invoice per VAT category set (EUR, with a discount and shipping), and credit notes.
ROUND_TRIPS = [c for c in CASES if c.currency_code == "EUR" and c.discounts][:9]
CREDIT_NOTE = STANDARD.model_copy(
    update={
        "kind": DocumentKind.CREDIT_NOTE,
        "number": "CN-2026-0001",
        "preceding_invoice": PrecedingInvoice(number="INV-2026-0001", issue_date=dt.date(2026, 2, 1)),
    }
)


async def _import(
    caller: Caller, content: bytes, content_type: str = "application/xml", **fields: Any
) -> Any:
    return await caller.agent.ImportDocument(
        pb.ImportDocumentRequest(
            body=httpbody_pb2.HttpBody(content_type=content_type, data=content), **fields
        ),
        metadata=caller.md,
        timeout=30,
    )


async def _session_count(mesh: Mesh, caller: Caller) -> int:
    listed = await mesh.sessions().ListSessions(
        ses_pb.ListSessionsRequest(page_size=100, show_deleted=True), metadata=caller.md
    )
    return len(listed.sessions)


async def _revision(mesh: Mesh, caller: Caller, session_id: str, number: int) -> ses_pb.Revision:
    got = await mesh.sessions().GetRevision(
        ses_pb.GetRevisionRequest(session_id=session_id, revision_number=number), metadata=caller.md
    )
    return got.revision


@pytest.mark.parametrize(
    ("write", "content_type", "syntax"),
    [
        (to_ubl, "application/xml", "ubl"),
        (to_cii, "text/xml", "cii"),
        (lambda i: facturx_pdf(to_cii(i)), "application/pdf", "factur-x"),
    ],
    ids=["ubl", "cii", "factur-x"],
)
async def test_an_import_starts_a_session_with_the_document_as_revision_1(
    mesh: Mesh, write: Any, content_type: str, syntax: str
) -> None:
    caller = mesh.builtin_caller()
    imported = await _import(caller, write(STANDARD), content_type)
    assert imported.syntax == syntax
    assert imported.session.title == "Invoice INV-2026-0001 from Acme GmbH"
    assert imported.session.latest_revision_number == 1
    assert imported.invoice.number == "INV-2026-0001"
    revision = await _revision(mesh, caller, imported.session.id, 1)
    assert revision.invoice.seller.name == "Acme GmbH"
    assert "socialcalc" in revision.msc.lower()


async def test_the_import_says_so_in_the_conversation(mesh: Mesh) -> None:
    caller = mesh.builtin_caller()
    imported = await _import(caller, to_ubl(STANDARD))
    view = await mesh.sessions().GetSession(
        ses_pb.GetSessionRequest(session_id=imported.session.id, view=ses_pb.SESSION_VIEW_FULL),
        metadata=caller.md,
    )
    assert [m.content for m in view.messages] == [
        "Imported Invoice INV-2026-0001 from Acme GmbH from a UBL 2.1 file as revision 1."
    ]


@pytest.mark.parametrize("invoice", [*ROUND_TRIPS, CREDIT_NOTE], ids=lambda i: f"{i.number}-{i.kind.value}")
async def test_export_import_export_gives_the_same_business_content(mesh: Mesh, invoice: Invoice) -> None:
    caller = mesh.builtin_caller()
    imported = await _import(caller, to_ubl(invoice))
    stored = from_proto((await _revision(mesh, caller, imported.session.id, 1)).invoice)
    assert business_content(to_ubl(stored)) == business_content(to_ubl(invoice))


@pytest.mark.parametrize(("file_name", "write"), [("document.ubl.xml", to_ubl), ("document.cii.xml", to_cii)])
@pytest.mark.parametrize("invoice", [ROUND_TRIPS[0], ROUND_TRIPS[3], CREDIT_NOTE], ids=lambda i: i.number)
async def test_the_session_exports_the_imported_file_again(
    mesh: Mesh, invoice: Invoice, file_name: str, write: Any
) -> None:
    caller = mesh.builtin_caller()
    imported = await _import(caller, write(invoice))
    exported = await caller.agent.ExportSessionDocument(
        pb.ExportSessionDocumentRequest(session_id=imported.session.id, file_name=file_name),
        metadata=caller.md,
        timeout=30,
    )
    assert business_content(exported.body.data) == business_content(write(invoice))


async def test_the_sessions_factur_x_pdf_imports_as_the_same_invoice(mesh: Mesh) -> None:
    caller = mesh.builtin_caller()
    first = await _import(caller, to_ubl(STANDARD))
    pdf = await caller.agent.ExportSessionDocument(
        pb.ExportSessionDocumentRequest(session_id=first.session.id, file_name="document.pdf"),
        metadata=caller.md,
        timeout=60,
    )
    again = await _import(caller, pdf.body.data, "application/pdf")
    assert again.syntax == "factur-x"
    stored = from_proto((await _revision(mesh, caller, again.session.id, 1)).invoice)
    assert business_content(to_ubl(stored)) == business_content(to_ubl(STANDARD))


async def test_an_imported_credit_note_is_a_credit_note_session(mesh: Mesh) -> None:
    caller = mesh.builtin_caller()
    imported = await _import(caller, to_cii(CREDIT_NOTE))
    assert imported.session.title == "Credit note CN-2026-0001 from Acme GmbH"
    assert imported.invoice.preceding_invoice.number == "INV-2026-0001"


async def test_the_same_idempotency_key_returns_the_same_session(mesh: Mesh) -> None:
    caller = mesh.builtin_caller()
    first = await _import(caller, to_ubl(STANDARD), idempotency_key="import-once")
    again = await _import(caller, to_ubl(STANDARD), idempotency_key="import-once")
    assert again.session.id == first.session.id
    assert again.session.latest_revision_number == 1
    assert await _session_count(mesh, caller) == 1


async def test_a_chat_edit_works_on_an_imported_document(mesh: Mesh) -> None:
    caller = mesh.builtin_caller()
    imported = await _import(caller, to_ubl(STANDARD))
    edited = await caller.chat("add a 5% discount", imported.session.id)
    assert edited.revision_number == 2
    assert [d.percent for d in edited.invoice.discounts] == ["5"]
    assert Decimal(edited.totals.discount_total.amount) > 0


async def test_an_imported_document_exports_as_xlsx(mesh: Mesh) -> None:
    caller = mesh.builtin_caller()
    imported = await _import(caller, to_ubl(STANDARD))
    exported = await caller.agent.ExportSessionDocument(
        pb.ExportSessionDocumentRequest(session_id=imported.session.id, file_name="document.xlsx"),
        metadata=caller.md,
        timeout=30,
    )
    assert exported.body.data.startswith(b"PK")


@pytest.mark.parametrize("name", sorted(HOSTILE))
async def test_a_hostile_or_malformed_file_is_invalid_argument_and_writes_nothing(
    mesh: Mesh, name: str
) -> None:
    caller = mesh.builtin_caller()
    content, content_type = HOSTILE[name]
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await _import(caller, content, content_type)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    error = error_from_rpc(caught.value)
    assert list(error.violations) == ["body"]
    assert error.message.startswith("body: ")
    assert await _session_count(mesh, caller) == 0


async def test_totals_that_do_not_add_up_write_nothing(mesh: Mesh) -> None:
    caller = mesh.builtin_caller()
    content = to_ubl(STANDARD).replace(
        b'PayableAmount currencyID="EUR">', b'PayableAmount currencyID="EUR">1'
    )
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await _import(caller, content)
    assert "totals do not add up" in (caught.value.details() or "")
    assert await _session_count(mesh, caller) == 0


async def test_an_empty_body_is_required(mesh: Mesh) -> None:
    caller = mesh.builtin_caller()
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await _import(caller, b"")
    assert list(error_from_rpc(caught.value).violations) == ["body"]


async def test_an_import_without_an_owner_is_unauthenticated(mesh: Mesh) -> None:
    caller = mesh.builtin_caller()
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await caller.agent.ImportDocument(
            pb.ImportDocumentRequest(
                body=httpbody_pb2.HttpBody(content_type="application/xml", data=to_ubl(STANDARD))
            ),
            timeout=30,
        )
    assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED
