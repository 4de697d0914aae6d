"""Finalizing credit notes (finalize.py) on in-memory ports: their own series, and only once
they name the invoice they correct (BG-3)."""

from __future__ import annotations

import datetime as dt

import pytest

from docmesh_agent.domain import Document, NewSession, TurnCommit, Validation
from docmesh_agent.finalize import Finalizer
from docmesh_common.errors import FailedPrecondition
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
