"""Finalizing a session's document (finalize.py) on in-memory ports."""

from __future__ import annotations

import datetime as dt

import pytest

from docmesh_agent.domain import Document, NewSession, Profile, TurnCommit, Validation
from docmesh_agent.finalize import Finalizer
from docmesh_common.errors import Unavailable
from docmesh_common.model.invoice import DocumentKind, Invoice
from tests.agent.conftest import INVOICE
from tests.agent.memory import MemoryDocumentEngine, MemoryProfileBook, MemorySessionStore

ACME = Invoice.model_validate(INVOICE)


@pytest.fixture
def store() -> MemorySessionStore:
    return MemorySessionStore()


@pytest.fixture
def profiles() -> MemoryProfileBook:
    return MemoryProfileBook()


@pytest.fixture
def finalizer(store: MemorySessionStore, profiles: MemoryProfileBook) -> Finalizer:
    return Finalizer(store, MemoryDocumentEngine(), profiles)


async def drafted(store: MemorySessionStore, invoice: Invoice = ACME) -> str:
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


async def test_finalizing_numbers_the_document_in_a_new_revision_and_completes_the_session(
    store: MemorySessionStore, finalizer: Finalizer
) -> None:
    session_id = await drafted(store, ACME.model_copy(update={"number": ""}))
    finalized = await finalizer.finalize(session_id)
    assert finalized.revision is not None and finalized.revision.number == 2
    number = finalized.revision.invoice.number
    assert number.startswith("INV-") and number.endswith("-0001")
    assert finalized.revision.invoice.issue_date is not None
    assert finalized.session.document_number == number and finalized.session.completed
    assert [c for c in store.calls if c in ("finalize", "complete")] == ["finalize", "complete"]


async def test_the_profiles_pattern_for_the_kind_names_the_number(
    store: MemorySessionStore, profiles: MemoryProfileBook, finalizer: Finalizer
) -> None:
    profiles.profile = Profile(numbering={DocumentKind.QUOTE: "Q{YYYY}/{seq:04}"})
    session_id = await drafted(store, ACME.model_copy(update={"kind": DocumentKind.QUOTE}))
    finalized = await finalizer.finalize(session_id)
    year = dt.datetime.now(dt.UTC).year  # no issue date: issued today
    assert finalized.session.document_number == f"Q{year}/0001"


async def test_a_kind_without_a_profile_pattern_has_the_default_one(
    store: MemorySessionStore, finalizer: Finalizer
) -> None:
    session_id = await drafted(store, ACME.model_copy(update={"kind": DocumentKind.RECEIPT}))
    assert (await finalizer.finalize(session_id)).session.document_number.startswith("REC-")


async def test_finalizing_again_keeps_the_number_and_saves_no_revision(
    store: MemorySessionStore, finalizer: Finalizer
) -> None:
    session_id = await drafted(store)
    first = await finalizer.finalize(session_id)
    again = await finalizer.finalize(session_id)
    assert again.session.document_number == first.session.document_number
    assert again.revision is not None and again.revision.number == 2
    assert len(store.stored(session_id).revisions) == 2


async def test_a_retry_after_a_crash_between_the_steps_ends_with_one_number_and_one_numbered_revision(
    store: MemorySessionStore, finalizer: Finalizer
) -> None:
    session_id = await drafted(store)
    store.fail_next_save = True
    with pytest.raises(Unavailable):
        await finalizer.finalize(session_id)
    assert not store.stored(session_id).completed
    finalized = await finalizer.finalize(session_id)
    assert finalized.session.document_number.endswith("-0001") and finalized.session.completed
    assert [r.invoice.number for r in store.stored(session_id).revisions][1:] == [
        finalized.session.document_number
    ]


async def test_numbers_of_one_series_follow_each_other_without_gaps(
    store: MemorySessionStore, finalizer: Finalizer
) -> None:
    numbers = [(await finalizer.finalize(await drafted(store))).session.document_number for _ in range(3)]
    assert [n[-4:] for n in numbers] == ["0001", "0002", "0003"]


async def test_a_session_without_a_document_is_only_completed(
    store: MemorySessionStore, finalizer: Finalizer
) -> None:
    view = await store.create(NewSession(title="t"))
    finalized = await finalizer.finalize(view.session.id)
    assert finalized.revision is None and finalized.session.completed
    assert not finalized.session.document_number
