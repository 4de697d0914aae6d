"""Finalizing a session's document: it gets its number, is rendered with it and saved, and the
session is completed.

The steps are FinalizeSession (the session service gives the next number of the owner's series
for the kind's pattern, or the number it gave before) → render the invoice with that number
and its issue date → save it as a new revision → CompleteSession. Each step can be repeated:
a retry after a crash between any two of them ends with one number and one numbered revision,
because the number never changes once given and a latest revision that already carries it is
not saved again.

A received document (ImportDocument) is never numbered: it keeps its seller's number, and
numbering it would put someone else's invoice into the owner's series. Finalizing it is
FAILED_PRECONDITION (RECEIVED_DOCUMENT) and changes nothing; the session is not completed
either, since ":complete" and ":finalize" are the one FinalizeDocument. A credit note is
numbered only while what it credits fits in what is left of its invoice (credit_notes.py).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from docmesh_agent.credit_notes import finalize_credit_note
from docmesh_agent.domain import Document, Finalized, SessionView
from docmesh_agent.ports import DocumentEngine, ProfileBook, SessionStore
from docmesh_agent.rules import numbering_pattern, parse_session_id
from docmesh_common.errors import FailedPrecondition
from docmesh_common.model.invoice import DocumentKind

# The refusals "finalize it" in chat answers as a reply instead of an error.
SAID_IN_CHAT = frozenset({"RECEIVED_DOCUMENT", "OVER_CREDIT"})


def finalized_summary(number: str) -> str:
    return f"Finalized as {number}"


def check_issued(view: SessionView) -> None:
    """FailedPrecondition (RECEIVED_DOCUMENT) when the session's document was received from
    its seller rather than issued by the owner: only documents the owner issues are numbered."""
    seller = view.session.received_from
    if seller is None:
        return
    latest = view.latest_revision
    kind = latest.invoice.kind.value.replace("_", " ") if latest is not None else "document"
    raise FailedPrecondition(
        f"this {kind} was received from {seller or 'its seller'}; only documents you issue are numbered",
        reason="RECEIVED_DOCUMENT",
    )


class Finalizer:
    def __init__(self, sessions: SessionStore, documents: DocumentEngine, profiles: ProfileBook) -> None:
        self.sessions = sessions
        self.documents = documents
        self.profiles = profiles

    async def finalize(self, session_id: str) -> Finalized:
        """FinalizeDocument: number the document, then complete the session."""
        view = await self.sessions.get(parse_session_id(session_id), full=False)
        numbered = await self.number(view)
        return dataclasses.replace(numbered, session=await self.sessions.complete(view.session.id))

    async def number(self, view: SessionView) -> Finalized:
        """The steps before completing: the number, and the revision carrying it."""
        session_id = view.session.id
        latest = view.latest_revision
        if latest is None:
            # Nothing to number.
            return Finalized(session=view.session, revision=None)
        check_issued(view)
        invoice = latest.invoice
        if (
            invoice.kind is DocumentKind.CREDIT_NOTE
            and invoice.preceding_invoice is None
            and not invoice.number
        ):
            # EN 16931 BG-3: a credit note is numbered only once it names the invoice it corrects.
            raise FailedPrecondition(
                "a credit note must name the invoice it corrects (preceding_invoice) before it is finalized",
                reason="NO_PRECEDING_INVOICE",
            )
        profile = await self.profiles.get()
        issue_date = invoice.issue_date or dt.datetime.now(dt.UTC).date()
        pattern = numbering_pattern(invoice.kind, profile.numbering)
        if invoice.kind is DocumentKind.CREDIT_NOTE:
            numbered = await finalize_credit_note(self.sessions, view, pattern, issue_date)
        else:
            numbered = await self.sessions.finalize(session_id, pattern, issue_date)
        number = numbered.document_number
        if invoice.number == number:
            # Saved by an earlier try.
            document = Document(
                invoice=invoice, msc=latest.msc, validation=await self.documents.validate(latest.msc)
            )
            return Finalized(session=numbered, revision=latest, document=document)
        document = await self.documents.render(
            invoice.model_copy(update={"number": number, "issue_date": issue_date})
        )
        revision = await self.sessions.save_revision(session_id, document, finalized_summary(number))
        return Finalized(session=numbered, revision=revision, document=document)
