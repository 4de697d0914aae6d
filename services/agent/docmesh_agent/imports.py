"""ImportDocument: a received e-invoice becomes a new session with the document as revision 1.

Reading comes first (the document service's ReadEInvoice): a file that cannot be read, is
hostile, or whose totals do not add up is refused before anything is written. The document is
then rendered and checked as a chat turn's is, and one CommitTurn writes its revision with a
reply saying it was imported, so the session looks like any other: chat edits and exports work
on it. The session remembers that it was received, and from which seller (its metadata,
NewSession.received_from): it is never finalized into the owner's series (finalize.py).

Idempotency works as for a first chat turn without a session id: the new session carries the
import's key (the session store's turn key), so a retry with the same key finds that session,
and the commit is keyed too, so a retry after a lost answer writes nothing twice.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from docmesh_agent.domain import Document, NewSession, Session, TurnCommit
from docmesh_agent.ports import DocumentEngine, SessionStore
from docmesh_agent.rules import TITLE_CHARS
from docmesh_agent.turn import MAX_IDEMPOTENCY_KEY
from docmesh_common import context
from docmesh_common.errors import InvalidArgument
from docmesh_common.model.invoice import Invoice

# The syntax names ReadEInvoice answers, as a person reads them.
SYNTAX_NAMES = {"ubl": "UBL 2.1", "cii": "UN/CEFACT CII", "factur-x": "Factur-X PDF"}


@dataclass(frozen=True)
class Imported:
    """The new session, its revision 1 and what was read."""

    session: Session
    document: Document
    revision_number: int
    syntax: str


def import_title(invoice: Invoice) -> str:
    """The session's title, e.g. "Invoice INV-2026-0007 from Acme GmbH"."""
    kind = invoice.kind.value.replace("_", " ").capitalize()
    title = f"{kind} {invoice.number}" if invoice.number else kind
    if invoice.seller.name:
        title = f"{title} from {invoice.seller.name}"
    return title if len(title) <= TITLE_CHARS else title[: TITLE_CHARS - 1] + "…"


def import_reply(invoice: Invoice, syntax: str) -> str:
    return f"Imported {import_title(invoice)} from a {SYNTAX_NAMES.get(syntax, syntax)} file as revision 1."


class DocumentImports:
    """Starts sessions from received e-invoices."""

    def __init__(self, sessions: SessionStore, documents: DocumentEngine) -> None:
        self.sessions = sessions
        self.documents = documents

    async def import_document(self, content: bytes, content_type: str, idempotency_key: str = "") -> Imported:
        if len(idempotency_key) > MAX_IDEMPOTENCY_KEY:
            raise InvalidArgument(
                f"idempotency_key is longer than {MAX_IDEMPOTENCY_KEY} characters", field="idempotency_key"
            )
        if not content:
            raise InvalidArgument(
                "body is required: a UBL or CII invoice (XML) or a Factur-X PDF", field="body"
            )
        context.owner_id()  # UNAUTHENTICATED before anything is read or written
        invoice, syntax = await self._read(content, content_type)
        document = await self.documents.render(invoice)
        if not document.validation.valid:
            document = await self.documents.correct(document)
        title = import_title(invoice)
        if idempotency_key:
            found = await self.sessions.find_by_turn_key(idempotency_key)
            if found is not None:
                view = await self.sessions.get(found, full=False)
                if view.latest_revision is not None:
                    # An earlier try finished: its session and revision are the answer.
                    stored = view.latest_revision
                    validation = await self.documents.validate(stored.msc)
                    kept = Document(invoice=stored.invoice, msc=stored.msc, validation=validation)
                    return Imported(view.session, kept, stored.number, syntax)
                session_id = view.session.id
            else:
                session_id = await self._create(title, invoice, idempotency_key)
        else:
            session_id = await self._create(title, invoice, "")
        commit_key = f"{idempotency_key or uuid.uuid4().hex}:import"
        committed = await self.sessions.commit_turn(
            TurnCommit(
                session_id=session_id,
                reply=import_reply(invoice, syntax),
                idempotency_key=commit_key,
                document=document,
                summary=f"Imported from {SYNTAX_NAMES.get(syntax, syntax)}",
                title=title,
            )
        )
        session = (await self.sessions.get(session_id, full=False)).session
        return Imported(session, document, committed.revision_number, syntax)

    async def _read(self, content: bytes, content_type: str) -> tuple[Invoice, str]:
        """The document service's reading; its refusal is about this call's body field."""
        try:
            return await self.documents.read_einvoice(content, content_type)
        except InvalidArgument as error:
            reason = error.message.removeprefix("content: ").replace("content is", "the body is", 1)
            raise InvalidArgument(f"body: {reason}", field="body", reason=error.reason) from None

    async def _create(self, title: str, invoice: Invoice, key: str) -> str:
        created = await self.sessions.create(
            NewSession(
                title=title, document_kind=invoice.kind, turn_key=key, received_from=invoice.seller.name
            )
        )
        return created.session.id
