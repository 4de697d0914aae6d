"""The agent asks for what an e-invoice lacks (issue 15), over real gRPC servers (session on
PostgreSQL + Redis, document, builtin agent): the document service's missing terms become ONE
question, and the answers fill the buyer of the draft."""

from __future__ import annotations

import pytest
from google.protobuf import field_mask_pb2

from docmesh.session.v1 import customer_service_pb2 as cus_pb
from docmesh.session.v1 import customer_service_pb2_grpc as cus_grpc
from docmesh.session.v1 import profile_service_pb2 as prof_pb
from docmesh.session.v1 import profile_service_pb2_grpc as prof_grpc
from docmesh.type.v1 import invoice_pb2
from docmesh_agent.einvoice_chat import question_for, read_address, read_buyer_answer
from docmesh_common.errors import Precondition
from docmesh_common.model.invoice import Invoice, Party
from tests.agent.conftest import Caller, Mesh

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

ACME = "Invoice Acme Corp for 10 hours of consulting at 150 EUR, 19% VAT, due in 30 days"
SELLER = invoice_pb2.Party(
    name="Initech GmbH",
    address_lines=["Hauptstr. 1"],
    postal_code="10115",
    city="Berlin",
    country_code="DE",
    vat_id="DE123456789",
    email="billing@initech.test",
    phone="+49 30 123456",
)


async def with_seller(mesh: Mesh, seller: invoice_pb2.Party = SELLER) -> Caller:
    caller = mesh.builtin_caller()
    await prof_grpc.ProfileServiceStub(mesh.session_channel).UpdateProfile(
        prof_pb.UpdateProfileRequest(
            profile=prof_pb.Profile(seller=seller), update_mask=field_mask_pb2.FieldMask(paths=["seller"])
        ),
        metadata=caller.md,
    )
    return caller


async def test_asking_for_an_e_invoice_asks_for_the_buyers_missing_address(mesh: Mesh) -> None:
    caller = await with_seller(mesh)
    draft = await caller.chat(ACME)

    asked = await caller.chat("send it as an e-invoice", draft.session_id)

    assert asked.reply == "What is Acme Corp's postal address (street, postal code, city, country)?"
    assert asked.revision_number == 0


@pytest.mark.parametrize(
    ("request_text", "question"),
    [
        ("export UBL", "Acme Corp's postal address"),
        ("e-Rechnung bitte", "die Postanschrift von Acme Corp"),
        ("facture électronique", "l'adresse postale de Acme Corp"),
        ("factura electrónica", "la dirección postal de Acme Corp"),
    ],
)
async def test_every_language_asks_for_the_e_invoice_the_same_way_in_its_words(
    mesh: Mesh, request_text: str, question: str
) -> None:
    caller = await with_seller(mesh)
    draft = await caller.chat(ACME)

    asked = await caller.chat(request_text, draft.session_id)

    assert question in asked.reply


async def test_the_address_answer_fills_the_buyer_and_the_e_invoice_is_then_complete(mesh: Mesh) -> None:
    caller = await with_seller(mesh)
    draft = await caller.chat(ACME)
    await caller.chat("send it as an e-invoice", draft.session_id)

    answered = await caller.chat("address: 12 Elm Rd, 10115 Berlin, Germany", draft.session_id)
    again = await caller.chat("export UBL", draft.session_id)

    buyer = answered.invoice.buyer
    assert (list(buyer.address_lines), buyer.postal_code, buyer.city, buyer.country_code) == (
        ["12 Elm Rd"],
        "10115",
        "Berlin",
        "DE",
    )
    assert "everything an EN 16931 e-invoice needs" in answered.reply
    assert "Finalize it" in again.reply and "document.ubl.xml" in again.reply


async def test_a_vat_number_answer_fills_the_buyers_vat_id(mesh: Mesh) -> None:
    caller = await with_seller(mesh)
    draft = await caller.chat(ACME)

    answered = await caller.chat("Acme's VAT number is DE 987 654 321", draft.session_id)

    assert answered.invoice.buyer.vat_id == "DE987654321"
    assert answered.invoice.buyer.name == "Acme Corp"


async def test_xrechnung_asks_for_the_buyer_reference_and_the_answer_sets_it(mesh: Mesh) -> None:
    caller = await with_seller(mesh)
    draft = await caller.chat(ACME)
    await caller.chat("address: 12 Elm Rd, 10115 Berlin, Germany", draft.session_id)

    asked = await caller.chat("as XRechnung please", draft.session_id)
    answered = await caller.chat("Leitweg-ID is 04011000-12345-67", draft.session_id)

    assert asked.reply == "What buyer reference (e.g. the Leitweg-ID) did Acme Corp give you?"
    assert answered.invoice.buyer_reference == "04011000-12345-67"


async def test_missing_seller_data_is_sent_to_the_business_profile_naming_the_fields(mesh: Mesh) -> None:
    caller = await with_seller(mesh, invoice_pb2.Party(name="Initech GmbH"))
    draft = await caller.chat(ACME)
    await caller.chat("address: 12 Elm Rd, 10115 Berlin, Germany", draft.session_id)

    asked = await caller.chat("send it as an e-invoice", draft.session_id)

    assert "PATCH /api/v1/profile" in asked.reply
    assert "seller.vat_id" in asked.reply and "seller.country_code" in asked.reply


# ---- the question and the answers themselves ---------------------------------------------------

ACME_DRAFT = Invoice(buyer=Party(name="Acme Corp"))


def test_a_missing_buyer_vat_id_is_asked_by_the_buyers_name() -> None:
    missing = [
        Precondition("EN16931", "BT-1", "Invoice number"),
        Precondition("EN16931", "BT-48", "Buyer VAT identifier"),
    ]

    assert question_for(ACME_DRAFT, missing) == "What is Acme Corp's VAT number?"


def test_the_buyers_question_comes_before_the_profiles_fields() -> None:
    missing = [
        Precondition("EN16931", "BT-31", "Seller VAT identifier"),
        Precondition("EN16931", "BT-55", "Buyer country code"),
    ]

    assert question_for(ACME_DRAFT, missing).startswith("What is Acme Corp's postal address")


def test_the_number_and_issue_date_of_a_draft_are_not_asked_for() -> None:
    missing = [
        Precondition("EN16931", "BT-1", "Invoice number"),
        Precondition("EN16931", "BT-2", "Invoice issue date"),
    ]

    assert question_for(ACME_DRAFT, missing) == ""


@pytest.mark.parametrize(
    ("message", "vat_id"),
    [
        ("Acme's VAT number is DE123456789", "DE123456789"),
        ("their VAT id is FR40303265045", "FR40303265045"),
        ("the buyer's VAT ID: de 123 456 789", "DE123456789"),
    ],
)
def test_vat_number_answers_are_read(message: str, vat_id: str) -> None:
    assert read_buyer_answer(message) == {"vat_id": vat_id}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12 Elm Rd, 10115 Berlin, Germany", (["12 Elm Rd"], "10115", "Berlin", "DE")),
        ("1 Main St, London SW1A 1AA, United Kingdom", (["1 Main St"], "SW1A 1AA", "London", "GB")),
        ("Calle Mayor 5, 28013 Madrid, España", (["Calle Mayor 5"], "28013", "Madrid", "ES")),
        ("3 rue de Rivoli, 75001 Paris, FR", (["3 rue de Rivoli"], "75001", "Paris", "FR")),
    ],
)
def test_postal_addresses_are_read_into_street_postal_code_city_and_country(
    text: str, expected: tuple[list[str], str, str, str]
) -> None:
    found = read_address(text)

    assert found is not None
    assert (found["address_lines"], found["postal_code"], found["city"], found["country_code"]) == expected


@pytest.mark.parametrize("message", ["add 2 hours of QA at $80", "address it to Globex", "the VAT is 19%"])
def test_ordinary_edits_are_not_answers(message: str) -> None:
    assert read_buyer_answer(message) is None


# ---- finalizing as a business with a VAT id ----------------------------------------------------


async def test_finalizing_with_a_seller_vat_id_asks_for_what_the_e_invoice_lacks_first(mesh: Mesh) -> None:
    caller = await with_seller(mesh)
    draft = await caller.chat(ACME)

    asked = await caller.chat("finalize it", draft.session_id)

    assert asked.reply.startswith("What is Acme Corp's postal address")
    assert "finalize it anyway" in asked.reply
    assert asked.invoice.number == ""


async def test_finalizing_anyway_numbers_the_invoice_without_the_missing_data(mesh: Mesh) -> None:
    caller = await with_seller(mesh)
    draft = await caller.chat(ACME)
    await caller.chat("finalize it", draft.session_id)

    done = await caller.chat("finalize it anyway", draft.session_id)

    assert done.invoice.number.startswith("INV-")


async def test_finalizing_a_complete_e_invoice_numbers_it_at_once(mesh: Mesh) -> None:
    caller = await with_seller(mesh)
    draft = await caller.chat(ACME)
    await caller.chat("address: 12 Elm Rd, 10115 Berlin, Germany", draft.session_id)

    done = await caller.chat("finalize it", draft.session_id)

    assert done.invoice.number.startswith("INV-")


async def test_a_seller_without_a_vat_id_finalizes_without_e_invoice_questions(mesh: Mesh) -> None:
    caller = await with_seller(mesh, invoice_pb2.Party(name="Jane Doe Design", country_code="US"))
    draft = await caller.chat(ACME)

    done = await caller.chat("finalize it", draft.session_id)

    assert done.invoice.number.startswith("INV-")


async def test_an_answer_about_a_saved_customer_updates_the_customer_too(mesh: Mesh) -> None:
    caller = await with_seller(mesh)
    customers = cus_grpc.CustomerServiceStub(mesh.session_channel)
    await customers.CreateCustomer(
        cus_pb.CreateCustomerRequest(customer=cus_pb.Customer(party=invoice_pb2.Party(name="Acme Corp"))),
        metadata=caller.md,
    )
    draft = await caller.chat(ACME)

    answered = await caller.chat("their VAT id is FR40303265045", draft.session_id)

    [customer] = (
        await customers.ListCustomers(cus_pb.ListCustomersRequest(query="Acme"), metadata=caller.md)
    ).customers
    assert customer.party.vat_id == "FR40303265045"
    assert "Saved on the customer too" in answered.reply


async def test_an_xrechnung_conversation_walks_through_every_missing_term_one_by_one(mesh: Mesh) -> None:
    seller = invoice_pb2.Party()
    seller.CopyFrom(SELLER)
    seller.endpoint_id, seller.endpoint_scheme = "DE123456789", "9930"
    caller = await with_seller(mesh, seller)
    draft = await caller.chat(ACME)
    await caller.chat("address: 12 Elm Rd, 10115 Berlin, Germany", draft.session_id)

    replies = [
        (await caller.chat(message, draft.session_id)).reply
        for message in (
            "send it as XRechnung",
            "Leitweg-ID is 04011000-12345-67",
            "electronic address: ap@acme.test",
        )
    ]

    assert replies[0] == "What buyer reference (e.g. the Leitweg-ID) did Acme Corp give you?"
    assert replies[1].startswith(
        "Done: Acme Corp's buyer reference is on the document. What is Acme Corp's electronic"
    )
    assert "Done: Acme Corp's electronic address is on the document." in replies[2]
    assert "bank.iban" in replies[2] and "PATCH /api/v1/profile" in replies[2]


def test_an_electronic_address_answer_needs_its_scheme_unless_it_is_an_e_mail() -> None:
    assert read_buyer_answer("their Peppol ID is 0088:4012345000009") == {
        "endpoint_id": "4012345000009",
        "endpoint_scheme": "0088",
    }
    assert read_buyer_answer("electronic address: ap@acme.test") == {
        "endpoint_id": "ap@acme.test",
        "endpoint_scheme": "EM",
    }
    assert read_buyer_answer("Acme's electronic address is 12345") is None
