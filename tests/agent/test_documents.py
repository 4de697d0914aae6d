"""Export and revert of a session's revisions (documents.py) on in-memory ports."""

from __future__ import annotations

import pytest

from docmesh_agent.documents import SessionDocuments
from docmesh_agent.domain import Document, Logo, NewSession, Profile, TurnCommit, Validation
from docmesh_common.errors import FailedPrecondition, InvalidArgument, NotFound
from docmesh_common.model.invoice import Invoice
from tests.agent.conftest import INVOICE
from tests.agent.memory import MemoryDocumentEngine, MemoryProfileBook, MemorySessionStore

ACME = Invoice.model_validate({**INVOICE, "number": "INV/7"})


async def session_with(store: MemorySessionStore, *invoices: Invoice) -> str:
    view = await store.create(NewSession(title="t"))
    for number, invoice in enumerate(invoices):
        await store.commit_turn(
            TurnCommit(
                session_id=view.session.id,
                reply="ok",
                idempotency_key=f"k{number}",
                document=Document(
                    invoice=invoice, msc=f"sheet {number + 1}", validation=Validation(valid=True)
                ),
            )
        )
    return view.session.id


@pytest.fixture
def store() -> MemorySessionStore:
    return MemorySessionStore()


LOGO = Logo(content=b"<svg/>", content_type="image/svg+xml")
PROFILE = Profile(
    iban="DE89370400440532013000", bic="COBADEFFXXX", footer="Acme GmbH, Berlin", language="de", has_logo=True
)


@pytest.fixture
def engine() -> MemoryDocumentEngine:
    return MemoryDocumentEngine()


@pytest.fixture
def profiles() -> MemoryProfileBook:
    return MemoryProfileBook(PROFILE, LOGO)


@pytest.fixture
def documents(
    store: MemorySessionStore, engine: MemoryDocumentEngine, profiles: MemoryProfileBook
) -> SessionDocuments:
    return SessionDocuments(store, engine, profiles)


async def test_a_pdf_is_the_revisions_invoice_with_the_profiles_letterhead_and_language(
    store: MemorySessionStore, engine: MemoryDocumentEngine, documents: SessionDocuments
) -> None:
    session_id = await session_with(store, ACME)
    exported = await documents.export(session_id, "document.pdf", 0)
    assert exported.file_name == "invoice-INV-7-acme-corp.pdf"
    [(export_format, invoice, letterhead, language)] = engine.exports
    assert export_format == "pdf" and invoice is ACME
    assert letterhead is not None and letterhead.logo == LOGO
    assert (letterhead.iban, letterhead.bic, letterhead.footer) == (PROFILE.iban, PROFILE.bic, PROFILE.footer)
    assert language == "de"


async def test_a_pdf_without_a_profile_has_an_empty_letterhead_in_the_invoices_language(
    store: MemorySessionStore,
    engine: MemoryDocumentEngine,
    profiles: MemoryProfileBook,
    documents: SessionDocuments,
) -> None:
    profiles.profile, profiles.stored_logo = Profile(), None
    session_id = await session_with(store, ACME)
    await documents.export(session_id, "document.pdf", 0)
    [(_, _, letterhead, language)] = engine.exports
    assert letterhead is not None and letterhead.logo is None and not letterhead.footer
    assert language == ""


async def test_export_of_revision_zero_is_the_latest_named_by_kind_number_and_buyer(
    store: MemorySessionStore, documents: SessionDocuments
) -> None:
    session_id = await session_with(store, ACME, ACME)
    exported = await documents.export(session_id, "document.csv", 0)
    assert exported.content == b"sheet 2"
    assert exported.file_name == "invoice-INV-7-acme-corp.csv"


async def test_export_of_a_numbered_revision_is_that_revision(
    store: MemorySessionStore, documents: SessionDocuments
) -> None:
    session_id = await session_with(store, ACME, ACME)
    assert (await documents.export(session_id, "document.xlsx", 1)).content == b"sheet 1"


async def test_export_of_a_session_without_a_document_is_a_failed_precondition(
    store: MemorySessionStore, documents: SessionDocuments
) -> None:
    session_id = await session_with(store)
    with pytest.raises(FailedPrecondition) as caught:
        await documents.export(session_id, "document.html", 0)
    assert caught.value.reason == "NO_DOCUMENT"


@pytest.mark.parametrize(
    ("file_name", "revision", "field"),
    [("document.docx", 0, "file_name"), ("document.csv", -1, "revision_number")],
)
async def test_export_arguments_are_checked_naming_the_field(
    store: MemorySessionStore, documents: SessionDocuments, file_name: str, revision: int, field: str
) -> None:
    session_id = await session_with(store, ACME)
    with pytest.raises(InvalidArgument) as caught:
        await documents.export(session_id, file_name, revision)
    assert field in caught.value.violations


async def test_revert_saves_a_copy_of_the_revision_as_the_newest(
    store: MemorySessionStore, documents: SessionDocuments
) -> None:
    session_id = await session_with(store, ACME, ACME.model_copy(update={"number": "INV/8"}))
    reverted = await documents.revert(session_id, 1)
    assert (reverted.number, reverted.invoice, reverted.msc) == (3, ACME, "sheet 1")
    assert reverted.summary == "Reverted to revision 1"


async def test_revert_to_a_missing_or_impossible_revision_is_refused(
    store: MemorySessionStore, documents: SessionDocuments
) -> None:
    session_id = await session_with(store, ACME)
    with pytest.raises(InvalidArgument):
        await documents.revert(session_id, 0)
    with pytest.raises(NotFound):
        await documents.revert(session_id, 5)
