"""Small rules of the agent that need no store: what counts as an undo, when a document is
complete, how sessions and downloaded files are named."""

from __future__ import annotations

import re
import unicodedata
import uuid

from docmesh_common.errors import InvalidArgument
from docmesh_common.model.invoice import LANGUAGES, DocumentKind, Invoice
from docmesh_common.model.totals import compute_totals

TITLE_CHARS = 80
# A download's name stays short enough for every file system and browser.
FILE_NAME_CHARS = 100
BUYER_NAME_CHARS = 40
_UNDO = re.compile(
    r"^\s*(?:please\s+)?(?:undo|revert|go\s+back|undo\s+(?:that|it|the\s+last\s+(?:change|edit)))"
    r"(?:\s+(?:that|it|the\s+last\s+(?:change|edit)))?\s*(?:please)?\s*[.!]*\s*$",
    re.IGNORECASE,
)
# The number pattern of each kind when the profile names none.
DEFAULT_NUMBERING: dict[DocumentKind, str] = {
    DocumentKind.INVOICE: "INV-{YYYY}-{seq:04}",
    DocumentKind.QUOTE: "QUO-{YYYY}-{seq:04}",
    DocumentKind.RECEIPT: "REC-{YYYY}-{seq:04}",
    DocumentKind.PURCHASE_ORDER: "PO-{YYYY}-{seq:04}",
    DocumentKind.CREDIT_NOTE: "CN-{YYYY}-{seq:04}",
}
# An undo's revision summary names the revision it went back to, so that undoing twice goes
# back two steps.
_UNDO_SUMMARY = re.compile(r"^Undo: back to revision (\d+)")


def parse_session_id(value: str, field_name: str = "session_id") -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise InvalidArgument(f"{field_name} must be a UUID, got {value[:64]!r}", field=field_name) from None


def is_undo(message: str) -> bool:
    return _UNDO.match(message) is not None


def undo_summary(target: int) -> str:
    return f"Undo: back to revision {target}"


def undone_revision(summary: str) -> int | None:
    """The revision an undo revision went back to; None for any other revision."""
    chained = _UNDO_SUMMARY.match(summary)
    return int(chained.group(1)) if chained else None


def first_document_kind(requested: DocumentKind | None, stored: DocumentKind | None) -> DocumentKind | None:
    """The kind a session's first document must have, or None to let the message decide.

    The request's kind is an explicit choice. The session's stored kind is one only when it is
    not the default: the session service stores an unset kind as an invoice, so a stored invoice
    cannot be told from "nothing chosen" and must not override "Quote for Globex: ...".
    """
    if requested is not None:
        return requested
    if stored is None or stored == DocumentKind.INVOICE:
        return None
    return stored


def numbering_pattern(kind: DocumentKind, patterns: dict[DocumentKind, str]) -> str:
    """The profile's number pattern for `kind`, else the default one."""
    return patterns.get(kind) or DEFAULT_NUMBERING[kind]


def settled(invoice: Invoice, previous: Invoice | None = None) -> Invoice:
    """A receipt that names no amount paid is paid in full: its total, from the one arithmetic.
    One that was paid in full stays so through an edit that leaves the amount paid alone."""
    if invoice.kind != DocumentKind.RECEIPT or not invoice.line_items:
        return invoice
    was_paid_in_full = (
        previous is not None
        and previous.amount_paid is not None
        and previous.amount_paid == invoice.amount_paid
        and previous.line_items
        and previous.amount_paid == compute_totals(previous).total
    )
    if invoice.amount_paid is not None and not was_paid_in_full:
        return invoice
    return invoice.model_copy(update={"amount_paid": compute_totals(invoice).total})


def in_language(invoice: Invoice, language: str) -> Invoice:
    """The document in the session's language, when the session sets a known one."""
    if language not in LANGUAGES or invoice.language == language:
        return invoice
    return invoice.model_copy(update={"language": language})


def incomplete(invoice: Invoice) -> list[str]:
    """What a finished document still lacks (the schema allows drafts without them)."""
    problems = []
    if not invoice.line_items:
        problems.append("invoice.line_items: at least one line item (description and unit price) is required")
    if invoice.kind != DocumentKind.RECEIPT and not invoice.buyer.name:
        problems.append("invoice.buyer.name: the buyer is required; ask the person if it is unknown")
    return problems


def question_for(invoice: Invoice, problems: list[str]) -> str:
    """One specific question instead of a guess."""
    if not invoice.buyer.name and invoice.kind != DocumentKind.RECEIPT:
        return "Who is the document for? Please tell me the buyer's name."
    if not invoice.line_items:
        return "What should the document list? Please give at least one item with its price."
    return (
        "I could not build that document: " + "; ".join(problems[:5]) + ". Could you rephrase or correct it?"
    )


def draft_title(invoice: Invoice) -> str:
    """The session's title once its first document exists, e.g. "Invoice for Acme Corp"."""
    title = invoice.title or invoice.kind.value.replace("_", " ").capitalize()
    if invoice.buyer.name:
        title = f"{title} for {invoice.buyer.name}"
    return title[:TITLE_CHARS]


def session_title(message: str) -> str:
    """A new session's title: its first message on one line, shortened."""
    first = " ".join(message.split())
    return first if len(first) <= TITLE_CHARS else first[: TITLE_CHARS - 1] + "…"


def base_name(invoice: Invoice) -> str:
    """Every download's name without extension: `{kind}-{number or draft}-{buyer}`, in safe
    characters only, e.g. "invoice-INV-2026-0007-acme-corp" or "quote-draft-globex"."""
    kind = invoice.kind.value.replace("_", "-")
    number = _safe(invoice.number) or "draft"
    buyer = _safe(invoice.buyer.name).lower()[:BUYER_NAME_CHARS].strip("-")
    name = f"{kind}-{number}-{buyer}" if buyer else f"{kind}-{number}"
    return name[:FILE_NAME_CHARS].strip("-")


def _safe(text: str) -> str:
    """Letters and digits only (accents folded to ASCII), every other run one hyphen."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^A-Za-z0-9]+", "-", folded).strip("-")
