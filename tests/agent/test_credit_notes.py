"""Credit notes in chat, end to end over real gRPC servers (session on PostgreSQL + Redis,
document, builtin agent): the credit note names the finalized invoice it corrects (BG-3),
copies it or part of one line, and is numbered in its own series."""

from __future__ import annotations

from decimal import Decimal

import pytest

from docmesh.agent.v1 import agent_service_pb2 as pb
from docmesh.type.v1 import invoice_pb2
from docmesh_agent.credit_notes import read_credit_request
from docmesh_common.model.invoice import from_proto
from tests.agent.conftest import Caller, Mesh

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

ACME = "Invoice Acme Corp for 10 hours of consulting at $150 and 2 x Widget @ 12.50, 8% tax"


async def finalized_invoice(caller: Caller, request: str = ACME) -> pb.ChatResponse:
    first = await caller.chat(request)
    return await caller.chat("finalize it", first.session_id)


async def test_a_credit_note_for_an_invoice_number_copies_the_invoice_and_refers_to_it(mesh: Mesh) -> None:
    caller = mesh.builtin_caller()
    invoice = await finalized_invoice(caller)

    credit = await caller.chat(f"credit note for {invoice.invoice.number}")

    assert credit.invoice.kind == invoice_pb2.DOCUMENT_KIND_CREDIT_NOTE
    assert credit.invoice.preceding_invoice.number == invoice.invoice.number
    assert credit.invoice.preceding_invoice.issue_date == invoice.invoice.issue_date
    copied, original = from_proto(credit.invoice), from_proto(invoice.invoice)
    assert copied.line_items == original.line_items
    assert (copied.buyer, copied.seller, copied.taxes) == (original.buyer, original.seller, original.taxes)
    assert copied.currency_code == original.currency_code and copied.language == original.language
    assert credit.invoice.number == ""
    assert credit.session_id != invoice.session_id


@pytest.mark.parametrize(
    "request_text",
    [
        "factura rectificativa de {number}",
        "abono de la factura {number}",
        "Gutschrift zu {number}",
        "Rechnungskorrektur für {number}",
        "avoir sur {number}",
    ],
)
async def test_a_credit_note_is_asked_for_in_spanish_german_and_french(mesh: Mesh, request_text: str) -> None:
    caller = mesh.builtin_caller()
    invoice = await finalized_invoice(caller)

    credit = await caller.chat(request_text.format(number=invoice.invoice.number))

    assert credit.invoice.kind == invoice_pb2.DOCUMENT_KIND_CREDIT_NOTE
    assert credit.invoice.preceding_invoice.number == invoice.invoice.number


async def test_refunding_hours_from_that_invoice_credits_that_quantity_of_that_line_only(mesh: Mesh) -> None:
    caller = mesh.builtin_caller()
    invoice = await finalized_invoice(caller)

    credit = await caller.chat("refund 2 hours from that invoice", invoice.session_id)

    [line] = from_proto(credit.invoice).line_items
    assert (line.description.lower(), line.quantity, line.unit_price) == (
        "consulting",
        Decimal(2),
        Decimal(150),
    )
    assert credit.invoice.preceding_invoice.number == invoice.invoice.number
    assert Decimal(credit.totals.total.amount) == Decimal("324.00")  # 2 x 150 + 8 % tax
    assert credit.session_id != invoice.session_id


async def test_crediting_named_hours_of_a_numbered_invoice_takes_that_line(mesh: Mesh) -> None:
    caller = mesh.builtin_caller()
    invoice = await finalized_invoice(caller)

    credit = await caller.chat(f"credit 1 widget from {invoice.invoice.number}")

    [line] = from_proto(credit.invoice).line_items
    assert (line.description.lower(), line.quantity) == ("widget", Decimal(1))


async def test_an_unknown_invoice_number_is_answered_with_a_question_and_no_document(mesh: Mesh) -> None:
    caller = mesh.builtin_caller()

    answer = await caller.chat("credit note for INV-1999-0042")

    assert "INV-1999-0042" in answer.reply and answer.reply.rstrip().endswith("?")
    assert not answer.HasField("invoice") or not answer.invoice.line_items
    assert answer.revision_number == 0


async def test_another_owners_invoice_number_is_unknown(mesh: Mesh) -> None:
    invoice = await finalized_invoice(mesh.builtin_caller())

    answer = await mesh.builtin_caller().chat(f"credit note for {invoice.invoice.number}")

    assert answer.revision_number == 0 and "found no finalized invoice" in answer.reply


async def test_a_credit_note_on_a_draft_invoice_says_it_is_not_finalized(mesh: Mesh) -> None:
    caller = mesh.builtin_caller()
    draft = await caller.chat(ACME)

    answer = await caller.chat("refund 2 hours from that invoice", draft.session_id)

    assert "not finalized" in answer.reply
    assert answer.revision_number == 0


async def test_more_hours_than_the_invoice_bills_are_asked_about(mesh: Mesh) -> None:
    caller = mesh.builtin_caller()
    invoice = await finalized_invoice(caller)

    answer = await caller.chat("refund 12 hours from that invoice", invoice.session_id)

    assert answer.revision_number == 0 and "bills 10" in answer.reply


async def test_finalizing_a_credit_note_draws_from_the_credit_note_series(mesh: Mesh) -> None:
    caller = mesh.builtin_caller()
    invoice = await finalized_invoice(caller)
    credit = await caller.chat(f"credit note for {invoice.invoice.number}")

    numbered = await caller.chat("finalize it", credit.session_id)
    second_invoice = await finalized_invoice(caller)

    assert numbered.invoice.number.startswith("CN-") and numbered.invoice.number.endswith("-0001")
    assert second_invoice.invoice.number.endswith("-0002")
    assert numbered.invoice.preceding_invoice.number == invoice.invoice.number


async def test_an_edit_of_a_credit_note_draft_keeps_the_invoice_it_corrects(mesh: Mesh) -> None:
    caller = mesh.builtin_caller()
    invoice = await finalized_invoice(caller)
    credit = await caller.chat(f"credit note for {invoice.invoice.number}")

    edited = await caller.chat("remove the widget", credit.session_id)

    assert edited.invoice.kind == invoice_pb2.DOCUMENT_KIND_CREDIT_NOTE
    assert edited.invoice.preceding_invoice.number == invoice.invoice.number
    assert [line.description.lower() for line in edited.invoice.line_items] == ["consulting"]


async def test_a_retried_credit_note_turn_makes_one_credit_note_session(mesh: Mesh) -> None:
    caller = mesh.builtin_caller()
    invoice = await finalized_invoice(caller)
    ask = f"refund 2 hours from {invoice.invoice.number}"

    first = await caller.chat(ask, invoice.session_id, idempotency_key="cn-retry-1")
    retry = await caller.chat(ask, invoice.session_id, idempotency_key="cn-retry-1")

    assert first.session_id != invoice.session_id
    assert retry.reply == first.reply


# ---- what counts as asking for a credit note ----------------------------------------------------


@pytest.mark.parametrize(
    ("message", "number", "quantity"),
    [
        ("credit note for INV-2026-0007", "INV-2026-0007", None),
        ("Refund 2 hours from that invoice", "", Decimal(2)),
        ("credit 2.5 hours of consulting from INV-2026-0007", "INV-2026-0007", Decimal("2.5")),
        ("factura rectificativa de FAC-2026-0003", "FAC-2026-0003", None),
        ("Rechnungskorrektur für RE/2026/12", "RE/2026/12", None),
        ("un avoir sur F-2026-0001 s'il vous plaît", "F-2026-0001", None),
    ],
)
def test_credit_note_requests_are_read_with_their_number_and_quantity(
    message: str, number: str, quantity: Decimal | None
) -> None:
    request = read_credit_request(message)

    assert request is not None
    assert (request.number, request.quantity) == (number, quantity)


@pytest.mark.parametrize(
    "message",
    [
        "Invoice Acme for 10 hours, paid by credit card",
        "pay by credit transfer",
        "add 2 hours of refund processing at $40",
        "añade reembolso de gastos 50 €",
        "je voudrais avoir une facture pour Acme",
        "Invoice Acme for 3 widgets, 30 days credit",
    ],
)
def test_ordinary_messages_mentioning_credit_or_refund_are_not_credit_note_requests(message: str) -> None:
    assert read_credit_request(message) is None


async def test_an_openai_agent_makes_the_credit_note_from_the_stored_invoice_without_asking_the_model(
    mesh: Mesh,
) -> None:
    builtin = mesh.builtin_caller()
    invoice = await finalized_invoice(builtin)
    with_llm = builtin.on(mesh.llm_caller())

    credit = await with_llm.chat(f"credit note for {invoice.invoice.number}")

    assert credit.invoice.kind == invoice_pb2.DOCUMENT_KIND_CREDIT_NOTE
    assert credit.invoice.preceding_invoice.number == invoice.invoice.number
    assert credit.usage.llm_calls == 0
