"""SessionStore.find_finalized, the lookup a credit note names its invoice by, checked against
both implementations (in memory, and gRPC over the real session service on PostgreSQL)."""

from __future__ import annotations

import pytest

from docmesh_agent.domain import NewSession
from docmesh_agent.ports import DocumentEngine, SessionStore
from docmesh_common.model.invoice import DocumentKind, PrecedingInvoice
from tests.agent.test_ports import ACME, documents, ports, rendered, sessions

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
__all__ = ["documents", "ports", "sessions"]  # the contract's fixtures, shared with test_ports


async def finalized(sessions: SessionStore, documents: DocumentEngine, pattern: str, title: str = "t") -> str:
    """A session whose document is finalized under `pattern`; its number."""
    session_id = (await sessions.create(NewSession(title=title))).session.id
    await sessions.save_revision(session_id, await rendered(documents, ACME), "first")
    return (await sessions.finalize(session_id, pattern, None)).document_number


async def test_a_finalized_document_is_found_by_its_number_whatever_its_case(
    sessions: SessionStore, documents: DocumentEngine
) -> None:
    number = await finalized(sessions, documents, "FND-{YYYY}-{seq:04}")

    found = await sessions.find_finalized(number.lower())

    assert found is not None and found.session.document_number == number
    assert found.latest_revision is not None and found.latest_revision.invoice.buyer.name == ACME.buyer.name


async def test_a_number_inside_another_number_or_a_title_is_not_a_match(
    sessions: SessionStore, documents: DocumentEngine
) -> None:
    longer = await finalized(sessions, documents, "PRT-{YYYY}-{seq:04}9", title="PRT-2026-0001 in a title")

    assert longer.endswith("9")
    assert await sessions.find_finalized(longer[:-1]) is None


async def test_a_draft_and_a_deleted_document_are_not_found(
    sessions: SessionStore, documents: DocumentEngine
) -> None:
    number = await finalized(sessions, documents, "DEL-{YYYY}-{seq:04}")
    found = await sessions.find_finalized(number)
    assert found is not None
    await sessions.delete(found.session.id)
    draft = (await sessions.create(NewSession(title="DRF-2026-0001"))).session.id
    await sessions.save_revision(draft, await rendered(documents, ACME), "first")

    assert await sessions.find_finalized(number) is None
    assert await sessions.find_finalized("DRF-2026-0001") is None


async def marked_credit_note(
    sessions: SessionStore, documents: DocumentEngine, invoice_number: str, *, finalize: bool = True
) -> str:
    """A credit note session marked as correcting `invoice_number`, finalized unless told not."""
    note = ACME.model_copy(
        update={
            "kind": DocumentKind.CREDIT_NOTE,
            "number": "",
            "preceding_invoice": PrecedingInvoice(number=invoice_number),
        }
    )
    session_id = (
        await sessions.create(NewSession(title="Credit note for Acme", turn_key="cn-key"))
    ).session.id
    await sessions.save_revision(session_id, await rendered(documents, note), "first")
    await sessions.mark_credit_note(session_id, invoice_number)
    if finalize:
        await sessions.finalize(session_id, "MCN-{YYYY}-{seq:04}", None)
    return session_id


async def test_finalized_credit_notes_are_found_by_the_invoice_they_were_marked_for(
    sessions: SessionStore, documents: DocumentEngine
) -> None:
    first = await marked_credit_note(sessions, documents, "MRK-2026-0001")
    second = await marked_credit_note(sessions, documents, "MRK-2026-0001")
    await marked_credit_note(sessions, documents, "MRK-2026-0002")

    found = await sessions.find_credit_notes("MRK-2026-0001")

    assert sorted(v.session.id for v in found) == sorted([first, second])
    assert all(
        v.latest_revision is not None and v.latest_revision.invoice.kind is DocumentKind.CREDIT_NOTE
        for v in found
    )


async def test_a_marked_credit_note_that_was_not_numbered_is_not_found(
    sessions: SessionStore, documents: DocumentEngine
) -> None:
    await marked_credit_note(sessions, documents, "MRK-2026-0003", finalize=False)

    assert await sessions.find_credit_notes("MRK-2026-0003") == []


async def test_marking_keeps_the_sessions_other_metadata(
    sessions: SessionStore, documents: DocumentEngine
) -> None:
    session_id = await marked_credit_note(sessions, documents, "MRK-2026-0004")

    assert await sessions.find_by_turn_key("cn-key") == session_id


async def test_a_received_session_says_from_whom(sessions: SessionStore) -> None:
    received = await sessions.create(NewSession(title="Invoice from Acme GmbH", received_from="Acme GmbH"))
    issued = await sessions.create(NewSession(title="Invoice for Acme"))

    assert (await sessions.get(received.session.id)).session.received_from == "Acme GmbH"
    assert (await sessions.get(issued.session.id)).session.received_from is None
