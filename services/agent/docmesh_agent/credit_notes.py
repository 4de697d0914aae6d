"""Credit notes asked for in chat, whatever the provider: "credit note for INV-2026-0007",
"refund 2 hours from that invoice", "credit 2 hours of consulting from INV-2026-0007", and in
Spanish ("factura rectificativa de …", "abono"), German ("Gutschrift zu …",
"Rechnungskorrektur") and French ("avoir sur …").

The invoice is found by its number among the owner's finalized documents (or is the session's
own finalized invoice for "that invoice"); the credit note copies its parties, lines, taxes,
currency and language and refers to it (EN 16931 BG-3: its number and issue date). A quantity
names part of one line: the credit note then lists that quantity of that line only. Whatever
cannot be resolved for sure (no such number, a draft, a quote, a line that is not clear) is
answered with a question, never with a guessed document.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from docmesh_agent.builtin.money import format_money
from docmesh_agent.domain import Document, NewSession, SessionView
from docmesh_agent.ports import DocumentEngine, SessionStore
from docmesh_agent.rules import draft_title
from docmesh_common.model.invoice import DocumentKind, Invoice, LineItem, PrecedingInvoice
from docmesh_common.model.totals import compute_totals

# Words that ask for a credit note, on folded text (lower case, no accents, apostrophes as
# spaces). The nouns count anywhere; the verbs ("refund 2 hours …", "credit 2 hours …",
# "reembolsa …", "erstatte …", "rembourse …") only as the message's first word, because they
# also name ordinary things a line may sell ("refund processing", "reembolso de gastos",
# "30 days credit"). French "avoir" is also the verb "to have": only "un avoir", "l'avoir", or
# "avoir" first or followed by "sur"/"pour" counts. Spanish "abonar" (to pay) never does.
_ASKS = re.compile(
    r"\bcredit\s+(?:note|memo)\b|\bfactura\s+rectificativa\b|\bnota\s+de\s+credito\b|\babono\s+(?:de|para|sobre)\b"
    r"|\bgutschrift\b|\brechnungskorrektur\b|\bstornorechnung\b|\bnote\s+de\s+credit\b"
    r"|\b(?:un|l|d)\s+avoir\b|\bavoir\s+(?:sur|pour)\b"
    r"|^(?:please\s+|por\s+favor\s+|bitte\s+)?(?:refund|credit(?!\s+(?:cards?|transfer)\b)|reembolsa(?:r|le)?|abono"
    r"|erstatte|rembourse(?:r|z)?|avoir)\b"
)
# A document number: letters first, then digits, joined by hyphens, slashes, dots or
# underscores ("INV-2026-0007", "CN/26/3"); checked on the original text, case kept.
_NUMBER = re.compile(r"(?<![\w-])([A-Za-z][A-Za-z0-9]*(?:[-/_.][A-Za-z0-9]+)+)(?![\w-])")
_QUANTITY = re.compile(r"(?<![\w.,])(\d+(?:[.,]\d+)?)(?![\w%])")
# Words that say which invoice or how, never which line.
_NOT_A_LINE = frozenset(
    """a an the that this those these from of for on in to me please invoice credit note memo refund
    de del la el esa esta ese este factura rectificativa abono nota credito reembolsa reembolsar abona
    zu von aus der die das dieser diese diesem rechnung gutschrift rechnungskorrektur erstatte bitte
    sur du le les cette ce facture avoir un une note rembourse rembourser svp""".split()
)
# Units people write for the same thing, as one word.
_UNIT_WORDS = {
    "h": "hour",
    "hr": "hour",
    "hrs": "hour",
    "hour": "hour",
    "hora": "hour",
    "stunde": "hour",
    "stunden": "hour",
    "std": "hour",
    "heure": "hour",
    "day": "day",
    "dia": "day",
    "tag": "day",
    "tage": "day",
    "jour": "day",
}
REFERS_BACK = "that invoice"


@dataclass(frozen=True)
class CreditRequest:
    """What a message asks: the invoice's number ("" for the session's own invoice), and the
    quantity and words naming one line when only part of it is refunded."""

    number: str
    quantity: Decimal | None = None
    line_words: frozenset[str] = frozenset()


@dataclass(frozen=True)
class CreditOutcome:
    """The reply, and the credit note when there is one: saved in `session_id` (the turn's own
    session when it had no document yet) as revision `revision_number` (0: the turn saves it)."""

    reply: str
    document: Document | None = None
    session_id: str = ""
    revision_number: int = 0
    summary: str = ""


def read_credit_request(message: str) -> CreditRequest | None:
    """The credit note `message` asks for, or None when it asks for none."""
    folded = _fold(message)
    if not _ASKS.search(folded):
        return None
    numbers = [n for n in _NUMBER.findall(message) if any(c.isdigit() for c in n)]
    number = numbers[0] if numbers else ""
    rest = _fold(message.replace(number, " ")) if number else folded
    found = _QUANTITY.search(rest)
    if found is None:
        return CreditRequest(number=number)
    try:
        quantity = Decimal(found.group(1).replace(",", "."))
    except InvalidOperation:
        return CreditRequest(number=number)
    words = frozenset(_word(w) for w in re.findall(r"[a-z]+", rest[found.end() :]) if w not in _NOT_A_LINE)
    return CreditRequest(number=number, quantity=quantity, line_words=words)


class CreditNotes:
    """Makes the credit note a request asks for, from the invoice it names."""

    def __init__(self, sessions: SessionStore, documents: DocumentEngine) -> None:
        self.sessions = sessions
        self.documents = documents

    async def answer(self, view: SessionView, request: CreditRequest, key: str) -> CreditOutcome:
        found = await self._invoice(view, request)
        if isinstance(found, str):
            return CreditOutcome(reply=found)
        invoice = found
        lines = _credited_lines(invoice, request)
        if isinstance(lines, str):
            return CreditOutcome(reply=lines)
        credit = credit_note_for(invoice, lines)
        document = await self.documents.render(credit)
        reference = _reference(invoice)
        summary = f"Credit note for {invoice.number}"
        reply = (
            f"Here is a credit note for invoice {reference} to {invoice.buyer.name or 'the buyer'}: "
            f"{_count(lines)}, total {format_money(compute_totals(credit).total, credit.currency_code)}. "
            'Say "finalize it" to give it its number.'
        )
        if view.latest_revision is None:
            # The session has no document yet: the credit note is its first, saved by the turn.
            return CreditOutcome(reply=reply, document=document, session_id=view.session.id, summary=summary)
        # The session already holds a document: the credit note starts a session of its own,
        # keyed by the turn so that a retry finds the session (and the revision) made before.
        turn_key = f"{key}:credit"
        existing = await self.sessions.find_by_turn_key(turn_key)
        created = (
            await self.sessions.get(existing, full=False)
            if existing is not None
            else await self.sessions.create(
                NewSession(
                    title=draft_title(credit), document_kind=DocumentKind.CREDIT_NOTE, turn_key=turn_key
                )
            )
        )
        revision = created.latest_revision or await self.sessions.save_revision(
            created.session.id, document, summary
        )
        return CreditOutcome(
            reply=reply + " It is in a new session.",
            document=document,
            session_id=created.session.id,
            revision_number=revision.number,
            summary=summary,
        )

    async def _invoice(self, view: SessionView, request: CreditRequest) -> Invoice | str:
        """The finalized invoice the request names, or the question to ask instead."""
        if request.number:
            found = await self.sessions.find_finalized(request.number)
            if found is None or found.latest_revision is None:
                return (
                    f"I found no finalized invoice numbered {request.number} among your documents. "
                    "Which invoice should the credit note correct (its number as printed on it)?"
                )
            return _creditable(found.latest_revision.invoice, found.session.document_number)
        latest = view.latest_revision
        if latest is None:
            return (
                "Which invoice should the credit note correct? Please give its number, "
                'e.g. "credit note for INV-2026-0007".'
            )
        if latest.invoice.kind is DocumentKind.CREDIT_NOTE:
            return "This session's document is a credit note already. Which invoice should a new one correct?"
        if not view.session.finalized:
            return (
                "This invoice is a draft and is not finalized yet, so there is nothing to credit: "
                'finalize it first ("finalize it"), or simply change the draft.'
            )
        return _creditable(latest.invoice, view.session.document_number)


def credit_note_for(invoice: Invoice, lines: list[LineItem]) -> Invoice:
    """The credit note of `lines` of `invoice`: its parties, taxes, currency and language,
    referring to it (BG-3). Document-level amounts (shipping, discounts of an amount) are
    credited only with the whole invoice; percentages apply to any part."""
    whole = lines == invoice.line_items
    return invoice.model_copy(
        update={
            "kind": DocumentKind.CREDIT_NOTE,
            "number": "",
            "title": "",
            "issue_date": None,
            "due_date": None,
            "valid_until": None,
            "amount_paid": None,
            "line_items": lines,
            "shipping": invoice.shipping if whole else None,
            "shipping_vat_category": invoice.shipping_vat_category if whole else None,
            "discounts": invoice.discounts
            if whole
            else [d for d in invoice.discounts if d.percent is not None],
            "preceding_invoice": PrecedingInvoice(number=invoice.number, issue_date=invoice.issue_date),
        },
        deep=True,
    )


def _creditable(invoice: Invoice, number: str) -> Invoice | str:
    if invoice.kind is not DocumentKind.INVOICE:
        kind = invoice.kind.value.replace("_", " ")
        return f"{number} is a {kind}, not an invoice: only an invoice can be credited. Which invoice did you mean?"
    # The number the session gave is the one printed (older revisions may lack it).
    return invoice if invoice.number == number else invoice.model_copy(update={"number": number})


def _credited_lines(invoice: Invoice, request: CreditRequest) -> list[LineItem] | str:
    """Every line, or the one line (with the quantity) the request names; else the question."""
    if request.quantity is None:
        return list(invoice.line_items)
    candidates = invoice.line_items
    if request.line_words:
        scored = [(len(request.line_words & _line_words(item)), item) for item in invoice.line_items]
        best = max((score for score, _ in scored), default=0)
        candidates = [item for score, item in scored if score == best and score > 0]
    if len(candidates) != 1:
        listed = "; ".join(
            f"{_format_quantity(i.quantity)} {i.unit} {i.description}".replace("  ", " ")
            for i in invoice.line_items
        )
        return (
            f"Which line of {invoice.number} should the credit note refund "
            f"{_format_quantity(request.quantity)} of? It lists: {listed}."
        )
    line = candidates[0]
    if request.quantity <= 0 or request.quantity > line.quantity:
        return (
            f"{invoice.number} bills {_format_quantity(line.quantity)} of {line.description}: a credit note "
            f"can refund between 0 and that much, not {_format_quantity(request.quantity)}. How much should it refund?"
        )
    return [_part_of(line, request.quantity)]


def _part_of(line: LineItem, quantity: Decimal) -> LineItem:
    """`quantity` of `line`; a discount of an amount shrinks with the quantity."""
    discount = line.discount
    if discount is not None and discount.amount is not None:
        share = (discount.amount * quantity / line.quantity).quantize(Decimal("0.0001"))
        discount = discount.model_copy(update={"amount": share})
    return line.model_copy(update={"quantity": quantity, "discount": discount})


def _line_words(item: LineItem) -> frozenset[str]:
    return frozenset(_word(w) for w in re.findall(r"[a-z]+", _fold(f"{item.description} {item.unit}")))


def _word(word: str) -> str:
    """One form of a word: units by meaning, plurals without their s."""
    if word in _UNIT_WORDS:
        return _UNIT_WORDS[word]
    singular = word[:-1] if len(word) > 3 and word.endswith("s") else word
    return _UNIT_WORDS.get(singular, singular)


def _reference(invoice: Invoice) -> str:
    return f"{invoice.number} of {invoice.issue_date.isoformat()}" if invoice.issue_date else invoice.number


def _count(lines: list[LineItem]) -> str:
    return "1 line" if len(lines) == 1 else f"{len(lines)} lines"


def _format_quantity(quantity: Decimal) -> str:
    return f"{quantity.normalize():f}"


def _fold(text: str) -> str:
    """Lower case, accents folded, every run of other characters one space."""
    folded = unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode("ascii")
    return " ".join(re.sub(r"[^a-z0-9.,%]+", " ", folded).split())
