"""Finalizing credit notes (finalize.py) on in-memory ports: their own series, and only once
they name the invoice they correct (BG-3)."""

from __future__ import annotations

import datetime as dt

import pytest

from docmesh_agent import credit_notes
from docmesh_agent.domain import Document, NewSession, TurnCommit, Validation
from docmesh_agent.finalize import Finalizer
from docmesh_common.errors import Aborted, FailedPrecondition
from docmesh_common.model.invoice import DocumentKind, Invoice, PrecedingInvoice
from tests.agent.conftest import INVOICE
from tests.agent.memory import MemoryDocumentEngine, MemoryProfileBook, MemorySessionStore

CREDIT_NOTE = Invoice.model_validate(INVOICE).model_copy(
    update={
        "kind": DocumentKind.CREDIT_NOTE,
        "number": "",
        "preceding_invoice": PrecedingInvoice(number="INV-2026-0007", issue_date=dt.date(2026, 3, 1)),
    }
)


@pytest.fixture
def store() -> MemorySessionStore:
    return MemorySessionStore()


@pytest.fixture
def finalizer(store: MemorySessionStore) -> Finalizer:
    return Finalizer(store, MemoryDocumentEngine(), MemoryProfileBook())


async def drafted(store: MemorySessionStore, invoice: Invoice) -> str:
    view = await store.create(NewSession(title="t"))
    await store.commit_turn(
        TurnCommit(
            session_id=view.session.id,
            reply="ok",
            idempotency_key="k",
            document=Document(invoice=invoice, msc="sheet", validation=Validation(valid=True)),
        )
    )
    return view.session.id


async def test_a_credit_note_takes_the_default_credit_note_pattern(
    store: MemorySessionStore, finalizer: Finalizer
) -> None:
    finalized = await finalizer.finalize(await drafted(store, CREDIT_NOTE))

    assert finalized.revision is not None
    assert finalized.revision.invoice.number.startswith("CN-")
    assert finalized.revision.invoice.preceding_invoice == CREDIT_NOTE.preceding_invoice


async def test_a_credit_note_naming_no_invoice_is_not_finalized(
    store: MemorySessionStore, finalizer: Finalizer
) -> None:
    session_id = await drafted(store, CREDIT_NOTE.model_copy(update={"preceding_invoice": None}))

    with pytest.raises(FailedPrecondition) as refused:
        await finalizer.finalize(session_id)

    assert refused.value.reason == "NO_PRECEDING_INVOICE"
    assert store.stored(session_id).document_number == ""


async def finalized_invoice(store: MemorySessionStore, finalizer: Finalizer) -> str:
    """The session of a finalized invoice that the credit note CREDIT_NOTE corrects."""
    session_id = await drafted(store, Invoice.model_validate(INVOICE))
    number = (await finalizer.finalize(session_id)).session.document_number
    assert number
    return session_id


def correcting(number: str) -> Invoice:
    return CREDIT_NOTE.model_copy(update={"preceding_invoice": PrecedingInvoice(number=number)})


async def test_a_credit_note_waits_for_a_short_hold_on_its_invoice_and_is_then_numbered(
    store: MemorySessionStore, finalizer: Finalizer
) -> None:
    invoice_session = await finalized_invoice(store, finalizer)
    note = await drafted(store, correcting(store.stored(invoice_session).document_number))
    store.hold_lease(invoice_session, 0.3)

    finalized = await finalizer.finalize(note)

    assert finalized.session.document_number.startswith("CN-")
    assert store.stored(invoice_session).lease_holder == ""  # released again


async def test_a_credit_note_whose_invoice_stays_held_is_aborted_unnumbered(
    store: MemorySessionStore, finalizer: Finalizer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(credit_notes, "CREDIT_LOCK_WAIT_SECONDS", 0.3)
    invoice_session = await finalized_invoice(store, finalizer)
    number = store.stored(invoice_session).document_number
    note = await drafted(store, correcting(number))
    store.hold_lease(invoice_session, 60)

    with pytest.raises(Aborted) as busy:
        await finalizer.finalize(note)

    assert busy.value.reason == "CREDIT_IN_PROGRESS" and number in busy.value.message
    assert store.stored(note).document_number == ""
