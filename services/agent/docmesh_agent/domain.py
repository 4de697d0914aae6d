"""The agent's own types: what the turn reads from and writes to its ports.

They hold domain values only (the invoice model, the Decimal totals, plain strings and
datetimes); the gRPC adapters convert them from and to the session and document messages.
Documents, revisions and sessions compare by identity (eq=False): the adapters remember the wire form
each one came from or was sent as, so that it is converted once (see adapters/wire.py).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from typing import Literal

from docmesh_agent.usage import CallUsage
from docmesh_common.model.invoice import DocumentKind, Invoice, Party
from docmesh_common.model.totals import InvoiceTotals, compute_totals

Role = Literal["user", "assistant", "system"]
Severity = Literal["unspecified", "error", "warning", "info"]
ExportFormat = Literal["xlsx", "csv", "html", "msc", "pdf", "ubl", "cii"]


@dataclass(frozen=True)
class Message:
    """One stored message of a session."""

    id: str
    role: Role
    content: str
    token_count: int
    create_time: dt.datetime


@dataclass(frozen=True, eq=False)
class Revision:
    """One saved version of a session's document."""

    session_id: str
    number: int
    invoice: Invoice
    msc: str
    message_id: str
    summary: str
    create_time: dt.datetime | None = None


@dataclass(frozen=True, eq=False)
class Session:
    """A session's header, as a turn needs it."""

    id: str
    version: int
    abandoned: bool
    deleted: bool
    document_kind: DocumentKind | None
    latest_revision_number: int
    token_count: int
    last_activity: dt.datetime
    # Set once the document is finalized (FinalizeSession); a finalized document is not edited.
    document_number: str = ""
    completed: bool = False
    # The session's own document language (metadata "language"); it overrides the request's
    # and the profile's.
    language: str = ""
    # The seller of a received (imported) document, from the session's metadata; None for a
    # document the owner issues. A received document keeps its own number: it is never numbered.
    received_from: str | None = None

    @property
    def finalized(self) -> bool:
        return bool(self.document_number)


@dataclass(frozen=True)
class SessionView:
    """A session with its messages (oldest first) and its latest revision."""

    session: Session
    messages: tuple[Message, ...] = ()
    latest_revision: Revision | None = None


@dataclass(frozen=True)
class NewSession:
    """A session to create for a turn without a session id."""

    title: str
    document_kind: DocumentKind | None = None
    # The turn's idempotency key, so that a retried first turn finds the session.
    turn_key: str = ""
    # The seller of a received document (ImportDocument); None for one the owner issues.
    received_from: str | None = None


@dataclass(frozen=True)
class Appended:
    """The stored user message of a turn; `replayed` when it was stored by an earlier try."""

    message: Message
    replayed: bool


@dataclass(frozen=True)
class TurnOpening:
    """What opens a turn (SessionStore.begin_turn): the session (`session_id`, or `new_session`
    for a first turn), the person's message with its key, the lease's holder and duration."""

    content: str
    idempotency_key: str
    holder: str
    lease_seconds: float
    session_id: str = ""
    new_session: NewSession | None = None
    # The owner's profile too, while the session has no document (a first one takes its seller).
    include_profile: bool = False
    # A session whose document is finalized is refused (FailedPrecondition DOCUMENT_FINALIZED)
    # before anything is written.
    refuse_finalized: bool = False
    # The owner's customers' names too, while the session has no document (a first one's buyer
    # is matched against them without asking the customer book).
    include_customer_names: bool = False


@dataclass(frozen=True)
class Begun:
    """An opened turn: the session read after its message (every message, the latest revision),
    the message as stored, and, when asked for and the session has no document, the profile
    and the id and name of every customer of the owner (None: not all of them came)."""

    view: SessionView
    appended: Appended
    profile: Profile | None = None
    customer_names: tuple[tuple[str, str], ...] | None = None


@dataclass(frozen=True)
class Finding:
    """One problem the document service found in a sheet."""

    severity: Severity
    message: str
    cell: str = ""
    code: str = ""
    line: int = 0
    level: int = 0  # the validation level that made the finding (syntax 1, semantic 2, logic 3)


@dataclass(frozen=True, eq=False)
class Validation:
    """The document service's verdict on a sheet."""

    valid: bool
    error_count: int = 0
    warning_count: int = 0
    findings: tuple[Finding, ...] = ()

    def errors(self) -> list[str]:
        """The errors, one line each, for the provider to fix."""
        return [f"{f.cell or 'sheet'}: {f.message}" for f in self.findings if f.severity == "error"]


@dataclass(frozen=True, eq=False)
class Document:
    """A typed document with its rendered sheet and the verdict on it."""

    invoice: Invoice
    msc: str
    validation: Validation

    @functools.cached_property
    def totals(self) -> InvoiceTotals:
        # The one arithmetic; the sheet's formulas compute the same figures.
        return compute_totals(self.invoice)


@dataclass(frozen=True)
class TurnCommit:
    """A turn's whole outcome, written at once: the reply, the revision, the usage and the title."""

    session_id: str
    reply: str
    idempotency_key: str
    usage: tuple[CallUsage, ...] = ()
    document: Document | None = None
    # The user message the revision answers, and the revision's summary.
    message_id: str = ""
    summary: str = ""
    title: str | None = None
    # The holder whose turn lease the commit also frees ("": the lease is left as it is).
    release_lease: str = ""


@dataclass(frozen=True)
class Committed:
    """What CommitTurn stored."""

    assistant_message_id: str
    session_token_count: int
    revision_number: int = 0


@dataclass(frozen=True)
class ExportedFile:
    content: bytes
    content_type: str
    file_name: str


@dataclass(frozen=True)
class AppSession:
    """A session as the original app's routes show it."""

    session_id: str
    last_reply: str
    msc: str
    token_count: int
    last_activity: dt.datetime
    messages: tuple[tuple[str, str, dt.datetime], ...] = field(default=())


@dataclass(frozen=True)
class Logo:
    """The business's logo image."""

    content: bytes
    content_type: str


@dataclass(frozen=True)
class Letterhead:
    """What a printed document shows of the business besides the seller: logo, bank, footer."""

    logo: Logo | None = None
    iban: str = ""
    bic: str = ""
    bank_text: str = ""
    footer: str = ""


@dataclass(frozen=True)
class Profile:
    """The owner's business profile: the seller of every new document and its defaults."""

    seller: Party = field(default_factory=Party)
    iban: str = ""
    bic: str = ""
    bank_text: str = ""
    footer: str = ""
    default_currency_code: str = ""
    default_payment_terms: str = ""
    default_payment_days: int = 0
    default_notes: str = ""
    language: str = ""
    has_logo: bool = False
    # The number pattern per kind, e.g. {INVOICE: "INV-{YYYY}-{seq:04}"}; a missing kind has the default.
    numbering: dict[DocumentKind, str] = field(default_factory=dict)

    def letterhead(self, logo: Logo | None) -> Letterhead:
        return Letterhead(
            logo=logo, iban=self.iban, bic=self.bic, bank_text=self.bank_text, footer=self.footer
        )


@dataclass(frozen=True)
class Finalized:
    """A finalized session and its numbered revision (None when it has no document)."""

    session: Session
    revision: Revision | None
    # The numbered revision's document with its verdict.
    document: Document | None = None


@dataclass(frozen=True)
class Customer:
    """One of the owner's customers: the buyer's details and the defaults of their documents."""

    party: Party
    id: str = ""
    default_currency_code: str = ""
    default_payment_terms: str = ""
    default_payment_days: int = 0
