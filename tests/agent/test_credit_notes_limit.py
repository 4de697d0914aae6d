"""An invoice is credited at most once in full, end to end over real gRPC servers (session on
PostgreSQL + Redis, document, builtin agent): finalizing a credit note that, with the invoice's
finalized credit notes, credits more than the invoice's total is FAILED_PRECONDITION naming the
invoice and the amounts; chat answers a fully credited invoice instead of making a credit note
and asks when a part is more than is left; two credit notes finalized at once cannot together
pass the invoice."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import grpc
import pytest

from docmesh.agent.v1 import agent_service_pb2 as pb
from docmesh.session.v1 import session_service_pb2 as ses_pb
from docmesh_agent.credit_notes import Credited
from tests.agent.conftest import Caller, Mesh

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

# USD 270.00: three hours at 90, no tax.
HOURS = "Invoice Acme Corp for 3 hours of design at $90"


async def finalized_invoice(caller: Caller) -> str:
    """The number of a finalized USD 270.00 invoice."""
    draft = await caller.chat(HOURS)
    finalized = await caller.chat("finalize it", draft.session_id)
    assert finalized.invoice.number, finalized.reply
    return finalized.invoice.number


async def finalize(caller: Caller, session_id: str) -> pb.FinalizeDocumentResponse:
    response: pb.FinalizeDocumentResponse = await caller.agent.FinalizeDocument(
        pb.FinalizeDocumentRequest(session_id=session_id), metadata=caller.md, timeout=30
    )
    return response


async def refusal(caller: Caller, session_id: str) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await finalize(caller, session_id)
    return raised.value


async def session(mesh: Mesh, caller: Caller, session_id: str) -> Any:
    got = await mesh.sessions().GetSession(
        ses_pb.GetSessionRequest(session_id=session_id), metadata=caller.md
    )
    return got.session


async def test_a_second_full_credit_note_of_the_same_invoice_is_refused_naming_the_amounts(
    mesh: Mesh,
) -> None:
    caller = mesh.builtin_caller()
    number = await finalized_invoice(caller)
    first = await caller.chat(f"credit note for {number}")
    second = await caller.chat(f"credit note for {number}")  # made before the first was finalized
    credit_number = (await finalize(caller, first.session_id)).session.document_number

    error = await refusal(caller, second.session_id)

    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert error.details() == (
        f"invoice {number} totals USD 270.00, USD 270.00 of it is already credited (credit note "
        f"{credit_number}) and USD 0.00 is left: a credit note of USD 270.00 would credit more than was invoiced"
    )
    refused = await session(mesh, caller, second.session_id)
    assert refused.document_number == "" and refused.status != ses_pb.SESSION_STATUS_COMPLETED


async def test_parts_of_an_invoice_are_finalized_until_it_is_fully_credited(mesh: Mesh) -> None:
    caller = mesh.builtin_caller()
    number = await finalized_invoice(caller)
    numbers = []
    for _ in range(3):
        part = await caller.chat(f"refund 1 hour from {number}")
        numbers.append((await finalize(caller, part.session_id)).session.document_number)

    assert all(numbers) and len(set(numbers)) == 3


async def test_a_part_more_than_what_is_left_is_refused_when_finalized(mesh: Mesh) -> None:
    caller = mesh.builtin_caller()
    number = await finalized_invoice(caller)
    first = await caller.chat(f"refund 2 hours from {number}")
    second = await caller.chat(f"refund 2 hours from {number}")
    await finalize(caller, first.session_id)

    error = await refusal(caller, second.session_id)

    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "USD 180.00 of it is already credited" in error.details()
    assert "USD 90.00 is left: a credit note of USD 180.00" in error.details()


async def test_chat_answers_that_a_fully_credited_invoice_has_nothing_left_and_makes_no_credit_note(
    mesh: Mesh,
) -> None:
    caller = mesh.builtin_caller()
    number = await finalized_invoice(caller)
    first = await caller.chat(f"credit note for {number}")
    credit_number = (await finalize(caller, first.session_id)).session.document_number

    again = await caller.chat(f"credit note for {number}")

    assert again.reply == (
        f"Invoice {number} (USD 270.00) is already fully credited (credit note {credit_number}): "
        "there is nothing left to refund."
    )
    assert again.revision_number == 0 and not again.HasField("invoice")


async def test_chat_asks_which_part_when_the_whole_invoice_is_more_than_is_left(mesh: Mesh) -> None:
    caller = mesh.builtin_caller()
    number = await finalized_invoice(caller)
    part = await caller.chat(f"refund 1 hour from {number}")
    await finalize(caller, part.session_id)

    whole = await caller.chat(f"credit note for {number}")

    assert whole.revision_number == 0 and not whole.HasField("invoice")
    assert "USD 90.00 of it is already credited" in whole.reply and "USD 180.00 is left" in whole.reply
    assert whole.reply.endswith("?")


async def test_chat_asks_how_much_when_a_part_is_more_than_is_left(mesh: Mesh) -> None:
    caller = mesh.builtin_caller()
    number = await finalized_invoice(caller)
    part = await caller.chat(f"refund 2 hours from {number}")
    await finalize(caller, part.session_id)

    more = await caller.chat(f"refund 2 hours from {number}")

    assert more.revision_number == 0 and not more.HasField("invoice")
    assert more.reply.endswith("This one would refund USD 180.00. How much should it refund?")
    assert "USD 90.00 is left" in more.reply


async def test_chat_makes_a_part_that_fits_in_what_is_left(mesh: Mesh) -> None:
    caller = mesh.builtin_caller()
    number = await finalized_invoice(caller)
    part = await caller.chat(f"refund 2 hours from {number}")
    await finalize(caller, part.session_id)

    rest = await caller.chat(f"refund 1 hour from {number}")

    assert rest.invoice.preceding_invoice.number == number
    assert rest.totals.total.amount == "90.00"


async def test_finalizing_in_chat_more_than_is_left_is_answered_not_numbered(mesh: Mesh) -> None:
    caller = mesh.builtin_caller()
    number = await finalized_invoice(caller)
    first = await caller.chat(f"credit note for {number}")
    second = await caller.chat(f"credit note for {number}")
    await finalize(caller, first.session_id)

    answer = await caller.chat("finalize it", second.session_id)

    assert answer.reply.startswith(
        f"Invoice {number} totals USD 270.00, USD 270.00 of it is already credited"
    )
    assert (await session(mesh, caller, second.session_id)).document_number == ""


async def test_two_full_credit_notes_finalized_at_once_number_only_one(mesh: Mesh) -> None:
    caller = mesh.builtin_caller()
    number = await finalized_invoice(caller)
    drafts = [await caller.chat(f"credit note for {number}") for _ in range(2)]
    # Each on its own agent replica, so no process-local lock could be what serializes them.
    callers = [caller, caller.on(mesh.builtin_caller(1))] if len(mesh.builtin) > 1 else [caller, caller]

    outcomes = await asyncio.gather(
        *(finalize(c, d.session_id) for c, d in zip(callers, drafts, strict=True)), return_exceptions=True
    )

    numbered = [o for o in outcomes if isinstance(o, pb.FinalizeDocumentResponse)]
    refused = [o for o in outcomes if isinstance(o, grpc.aio.AioRpcError)]
    assert len(numbered) == 1 and len(refused) == 1, outcomes
    assert refused[0].code() == grpc.StatusCode.FAILED_PRECONDITION
    assert f"invoice {number} totals USD 270.00" in refused[0].details()


def test_rounding_of_each_part_is_not_over_crediting_but_more_than_a_cent_each_is() -> None:
    # Each credit note rounds its own tax: with two finalized and a third, up to three cents.
    credited = Credited(
        "INV-1", "USD", invoiced=Decimal("100.00"), credited=Decimal("66.68"), notes=("CN-1", "CN-2")
    )

    assert credited.allows(Decimal("33.35"))
    assert not credited.allows(Decimal("33.36"))
