"""The two interfaces through which the agent reaches the other services.

They take and return the agent's own types (domain.py) and the invoice model; the gRPC
adapters behind them (adapters/) are the only code that knows the session and document
messages. Errors are docmesh_common.errors domain errors (NotFound, Aborted, ...).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Protocol

from docmesh_agent.domain import (
    Appended,
    Begun,
    Committed,
    Customer,
    Document,
    ExportedFile,
    ExportFormat,
    Letterhead,
    Logo,
    NewSession,
    Profile,
    Revision,
    Session,
    SessionView,
    TurnCommit,
    TurnOpening,
    Validation,
)
from docmesh_agent.usage import CallUsage
from docmesh_common.model.invoice import DocumentKind, Invoice, Party


class SessionStore(Protocol):
    """Sessions, their messages and revisions (the session service)."""

    async def get(self, session_id: str, *, full: bool = True) -> SessionView:
        """The session; `full` adds its messages."""
        ...

    async def resume(self, session_id: str) -> None:
        """Brings an abandoned session back to active."""
        ...

    async def find_by_turn_key(self, turn_key: str) -> str | None:
        """The id of the session a keyed first turn created, if any."""
        ...

    async def find_finalized(self, number: str) -> SessionView | None:
        """The owner's live session whose finalized document is numbered `number` (compared
        case-insensitively), with its latest revision; None when there is none."""
        ...

    async def find_credit_notes(self, invoice_number: str) -> list[SessionView]:
        """The owner's live sessions whose credit note, marked by `mark_credit_note` as
        correcting `invoice_number`, is finalized, with their latest revisions."""
        ...

    async def mark_credit_note(self, session_id: str, invoice_number: str) -> None:
        """Records (in the session's metadata) that its credit note corrects `invoice_number`."""
        ...

    async def create(self, new: NewSession) -> SessionView: ...

    async def append_user_message(
        self, session_id: str, content: str, idempotency_key: str, *, expected_version: int
    ) -> Appended:
        """Appends the turn's message if the session is still at `expected_version` (else Aborted)."""
        ...

    async def begin_turn(self, opening: TurnOpening) -> Begun:
        """Opens a turn at once: creates the session (a first turn; one a keyed first try
        created is continued) or finds it, takes its turn lease for `opening.holder` (Aborted,
        TURN_IN_PROGRESS with the time left, while another holder's runs), and appends the
        message with its key (a retry appends nothing: `replayed`). The view is read after the
        append. A session that is not active is FailedPrecondition SESSION_NOT_ACTIVE (with
        `refuse_finalized`, a finalized one DOCUMENT_FINALIZED), and a refused begin holds no
        lease."""
        ...

    async def commit_turn(self, commit: TurnCommit) -> Committed: ...

    async def acquire_turn_lease(self, session_id: str, holder: str, seconds: float) -> None:
        """`holder` holds the session for `seconds` (Aborted, TURN_IN_PROGRESS with the time
        left, while another holder's lease runs)."""
        ...

    async def renew_turn_lease(self, session_id: str, holder: str, seconds: float) -> None:
        """`holder`'s lease lasts `seconds` from now (Aborted, TURN_LEASE_LOST, if another took it)."""
        ...

    async def release_turn_lease(self, session_id: str, holder: str) -> None:
        """Frees the session if `holder` holds it."""
        ...

    async def record_usage(self, session_id: str, calls: Sequence[CallUsage]) -> None: ...

    async def revision_for_message(self, view: SessionView, message_id: str) -> Revision | None:
        """The revision saved by the turn of user message `message_id`, if any."""
        ...

    async def get_revision(self, session_id: str, number: int) -> Revision: ...

    async def copy_revision(self, session_id: str, number: int, summary: str) -> Revision:
        """Saves revision `number` again as the newest one."""
        ...

    async def set_document_kind(self, session_id: str, kind: DocumentKind) -> None:
        """The kind of document the session makes (its lists filter by it)."""
        ...

    async def save_revision(self, session_id: str, document: Document, summary: str) -> Revision:
        """Saves `document` as the newest revision, outside a turn."""
        ...

    async def finalize(self, session_id: str, numbering_pattern: str, issue_date: dt.date | None) -> Session:
        """Gives the session's document its number (the same one on every call), stage finalized."""
        ...

    async def complete(self, session_id: str) -> Session:
        """Marks the session completed (again: no change)."""
        ...

    async def delete(self, session_id: str) -> int:
        """Soft-deletes the session; returns its token count."""
        ...


class DocumentEngine(Protocol):
    """Renders, checks, corrects and exports documents (the document service)."""

    async def render(self, invoice: Invoice) -> Document:
        """The invoice's sheet, checked; InvalidArgument names the fields the service refused."""
        ...

    async def correct(self, document: Document) -> Document:
        """The same document with its sheet's mechanical errors fixed and checked again."""
        ...

    async def validate(self, msc: str) -> Validation:
        """The sheet checked, invoice checks included."""
        ...

    async def read_einvoice(self, content: bytes, content_type: str) -> tuple[Invoice, str]:
        """A received e-invoice (UBL, CII or Factur-X PDF) as the invoice model, and its syntax
        ("ubl", "cii" or "factur-x"); InvalidArgument on field `content` says why it cannot be read."""
        ...

    async def export(
        self,
        msc: str,
        export_format: ExportFormat,
        base_name: str,
        *,
        invoice: Invoice | None = None,
        letterhead: Letterhead | None = None,
        language: str = "",
        profile: str = "",
    ) -> ExportedFile:
        """The sheet as a file; a PDF is laid out from `invoice` with the letterhead, in `language`
        (empty: the invoice's); a UBL or CII e-invoice is written from `invoice` under `profile`
        ("en16931", "peppol", "xrechnung"; empty: en16931), FailedPrecondition listing every
        business term it lacks."""
        ...


class ProfileBook(Protocol):
    """The owner's business profile and logo (the session process's ProfileService)."""

    async def get(self) -> Profile:
        """The profile; an owner who never saved one gets the empty profile."""
        ...

    async def logo(self) -> Logo | None:
        """The logo, or None when there is none."""
        ...


class CustomerBook(Protocol):
    """The owner's customers (the session process's CustomerService)."""

    async def match(self, name: str) -> Customer | None:
        """The customer a buyer's name means (fuzzily), or None."""
        ...

    async def get(self, customer_id: str) -> Customer:
        """The customer of that id (one a match found among the names a turn began with)."""
        ...

    async def create(self, customer: Customer) -> Customer: ...

    async def update_party(self, customer_id: str, party: Party) -> Customer:
        """The customer with `party` as its details (the rest unchanged)."""
        ...
