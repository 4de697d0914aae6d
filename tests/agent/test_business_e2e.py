"""The agent's business features end to end over real gRPC servers (session on PostgreSQL +
Redis, document, builtin agent): the profile's seller, customers, finalizing and the PDF."""

from __future__ import annotations

import re

import grpc
import pytest
from google.api import httpbody_pb2
from google.protobuf import field_mask_pb2

from docmesh.agent.v1 import agent_service_pb2 as pb
from docmesh.session.v1 import customer_service_pb2 as cus_pb
from docmesh.session.v1 import customer_service_pb2_grpc as cus_grpc
from docmesh.session.v1 import profile_service_pb2 as prof_pb
from docmesh.session.v1 import profile_service_pb2_grpc as prof_grpc
from docmesh.session.v1 import session_service_pb2 as ses_pb
from docmesh.type.v1 import invoice_pb2
from tests.agent.conftest import Caller, Mesh

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

GLOBEX = "Invoice Globex for 3 x Widget @ 12.50"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'


async def set_profile(mesh: Mesh, caller: Caller, profile: prof_pb.Profile, *paths: str) -> None:
    await prof_grpc.ProfileServiceStub(mesh.session_channel).UpdateProfile(
        prof_pb.UpdateProfileRequest(
            profile=profile, update_mask=field_mask_pb2.FieldMask(paths=list(paths))
        ),
        metadata=caller.md,
    )


async def finalize(caller: Caller, session_id: str) -> pb.FinalizeDocumentResponse:
    return await caller.agent.FinalizeDocument(
        pb.FinalizeDocumentRequest(session_id=session_id), metadata=caller.md, timeout=30
    )


async def test_a_new_document_has_the_profiles_seller(mesh: Mesh) -> None:
    caller = mesh.builtin_caller()
    seller = invoice_pb2.Party(name="Initech GmbH", city="Berlin", country_code="DE")
    await set_profile(mesh, caller, prof_pb.Profile(seller=seller), "seller")
    response = await caller.chat(GLOBEX)
    assert response.invoice.seller.name == "Initech GmbH"
    assert response.invoice.seller.country_code == "DE"


async def test_a_buyer_saved_as_a_customer_is_filled_in_on_the_next_document(mesh: Mesh) -> None:
    caller = mesh.builtin_caller()
    first = await caller.chat(GLOBEX)
    saved = await caller.chat("save Globex as a customer", first.session_id)
    assert saved.reply == "Saved Globex as a customer."
    customers = cus_grpc.CustomerServiceStub(mesh.session_channel)
    found = await customers.ListCustomers(cus_pb.ListCustomersRequest(query="Globex"), metadata=caller.md)
    [customer] = found.customers
    customer.party.email = "ap@globex.test"
    await customers.UpdateCustomer(
        cus_pb.UpdateCustomerRequest(
            customer=customer, update_mask=field_mask_pb2.FieldMask(paths=["party"])
        ),
        metadata=caller.md,
    )
    second = await caller.chat("Invoice Globex for 1 x Gadget @ 40")
    assert second.invoice.buyer.email == "ap@globex.test"


async def test_finalize_document_numbers_renders_saves_and_completes(mesh: Mesh) -> None:
    caller = mesh.builtin_caller()
    first = await caller.chat(GLOBEX)
    finalized = await finalize(caller, first.session_id)
    number = finalized.session.document_number
    assert re.fullmatch(r"INV-\d{4}-\d{4}", number)
    assert finalized.revision.number == 2 and finalized.revision.invoice.number == number
    assert finalized.session.status == ses_pb.SESSION_STATUS_COMPLETED


async def test_finalizing_again_keeps_the_number_and_the_revision(mesh: Mesh) -> None:
    caller = mesh.builtin_caller()
    first = await caller.chat(GLOBEX)
    once = await finalize(caller, first.session_id)
    again = await finalize(caller, first.session_id)
    assert again.session.document_number == once.session.document_number
    assert again.revision.number == once.revision.number == 2


async def test_numbers_of_one_owner_follow_each_other(mesh: Mesh) -> None:
    caller = mesh.builtin_caller()
    numbers = []
    for _ in range(2):
        session_id = (await caller.chat(GLOBEX)).session_id
        numbers.append((await finalize(caller, session_id)).session.document_number)
    assert int(numbers[1][-4:]) == int(numbers[0][-4:]) + 1


async def test_another_owners_session_is_not_found(mesh: Mesh) -> None:
    first = await mesh.builtin_caller().chat(GLOBEX)
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await finalize(mesh.builtin_caller(), first.session_id)
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND


async def test_finalize_in_chat_then_an_edit_asks_and_yes_starts_a_new_version(mesh: Mesh) -> None:
    caller = mesh.builtin_caller()
    first = await caller.chat(GLOBEX)
    done = await caller.chat("finalize it", first.session_id)
    assert done.invoice.number.startswith("INV-")
    asked = await caller.chat("add 2 x Gadget @ 5", first.session_id)
    assert "new version" in asked.reply
    version = await caller.chat("yes", first.session_id)
    assert version.session_id != first.session_id
    assert version.invoice.number == "" and version.invoice.buyer.name == "Globex"


async def test_a_new_request_after_finalizing_starts_a_new_session(mesh: Mesh) -> None:
    caller = mesh.builtin_caller()
    first = await caller.chat(GLOBEX)
    await finalize(caller, first.session_id)
    second = await caller.chat("Invoice Acme for 2 x Chair @ 80", first.session_id)
    assert second.session_id != first.session_id and second.invoice.buyer.name == "Acme"
    assert second.revision_number == 1


async def test_the_pdf_download_is_named_and_carries_the_number(mesh: Mesh) -> None:
    caller = mesh.builtin_caller()
    await prof_grpc.ProfileServiceStub(mesh.session_channel).SetLogo(
        prof_pb.SetLogoRequest(image=httpbody_pb2.HttpBody(content_type="image/svg+xml", data=SVG)),
        metadata=caller.md,
    )
    first = await caller.chat(GLOBEX)
    number = (await finalize(caller, first.session_id)).session.document_number
    exported = await caller.agent.ExportSessionDocument(
        pb.ExportSessionDocumentRequest(session_id=first.session_id, file_name="document.pdf"),
        metadata=caller.md,
        timeout=60,
    )
    assert exported.file_name == f"invoice-{number}-globex.pdf"
    assert exported.body.content_type == "application/pdf"
    assert exported.body.data.startswith(b"%PDF")
