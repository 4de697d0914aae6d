"""A session's documents outside the chat turn: exporting a revision, reverting to one."""

from __future__ import annotations

from docmesh_agent.domain import ExportedFile, ExportFormat, Revision
from docmesh_agent.ports import DocumentEngine, ProfileBook, SessionStore
from docmesh_agent.rules import base_name, parse_session_id
from docmesh_common.errors import FailedPrecondition, InvalidArgument

EXPORT_FORMATS: dict[str, ExportFormat] = {
    "document.xlsx": "xlsx",
    "document.csv": "csv",
    "document.html": "html",
    "document.msc": "msc",
    "document.pdf": "pdf",
    "document.ubl.xml": "ubl",
    "document.cii.xml": "cii",
}
# The e-invoice profiles (the `profile` query parameter of document.ubl.xml and document.cii.xml).
E_INVOICE_PROFILES = ("en16931", "peppol", "xrechnung")


class SessionDocuments:
    def __init__(self, sessions: SessionStore, documents: DocumentEngine, profiles: ProfileBook) -> None:
        self.sessions = sessions
        self.documents = documents
        self.profiles = profiles

    async def export(
        self, session_id: str, file_name: str, revision_number: int, *, profile: str = ""
    ) -> ExportedFile:
        """Revision `revision_number` (0: the latest) as the file `file_name` names; an e-invoice
        (UBL, CII) follows `profile` (empty: en16931)."""
        session_id = parse_session_id(session_id)
        export_format = EXPORT_FORMATS.get(file_name)
        if export_format is None:
            raise InvalidArgument(
                f"file_name must be one of {', '.join(sorted(EXPORT_FORMATS))}", field="file_name"
            )
        e_invoice_profile = profile.strip().lower()
        if e_invoice_profile and e_invoice_profile not in E_INVOICE_PROFILES:
            raise InvalidArgument(f"profile must be one of {', '.join(E_INVOICE_PROFILES)}", field="profile")
        if revision_number < 0:
            raise InvalidArgument(
                "revision_number must be 0 (latest) or a revision number", field="revision_number"
            )
        revision: Revision | None
        if revision_number:
            revision = await self.sessions.get_revision(session_id, revision_number)
        else:
            revision = (await self.sessions.get(session_id, full=False)).latest_revision
            if revision is None:
                raise FailedPrecondition("the session has no document yet", reason="NO_DOCUMENT")
        name = base_name(revision.invoice)
        if export_format not in ("pdf", "ubl", "cii"):
            # The invoice names the XLSX sheet and sets its properties (title, author).
            invoice = revision.invoice if export_format == "xlsx" else None
            return await self.documents.export(revision.msc, export_format, name, invoice=invoice)
        # A PDF is laid out from the invoice with the business's letterhead; the profile's
        # language setting overrides the invoice's (empty: the invoice's). An e-invoice (UBL,
        # CII) is written from the invoice by the document service, which lists what is missing;
        # the letterhead's bank account is its payment instructions when the invoice has none.
        business = await self.profiles.get()
        logo = await self.profiles.logo() if business.has_logo and export_format == "pdf" else None
        return await self.documents.export(
            revision.msc,
            export_format,
            name,
            invoice=revision.invoice,
            letterhead=business.letterhead(logo),
            language=business.language,
            profile=e_invoice_profile,
        )

    async def revert(self, session_id: str, revision_number: int) -> Revision:
        """A new revision copying revision `revision_number`."""
        session_id = parse_session_id(session_id)
        if revision_number < 1:
            raise InvalidArgument("revision_number must be at least 1", field="revision_number")
        return await self.sessions.copy_revision(
            session_id, revision_number, f"Reverted to revision {revision_number}"
        )
