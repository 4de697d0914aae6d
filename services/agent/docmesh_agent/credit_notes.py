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

import asyncio
import datetime as dt
import re
import time
import unicodedata
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation

from docmesh_agent.builtin.money import format_money
from docmesh_agent.builtin.translate import detected_language, reply_in
from docmesh_agent.domain import Document, NewSession, Session, SessionView
from docmesh_agent.lease import hold
from docmesh_agent.ports import DocumentEngine, SessionStore
from docmesh_agent.rules import draft_title
from docmesh_common.errors import Aborted, FailedPrecondition
from docmesh_common.model.currency import minor_units
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
# How long finalizing a credit note holds its invoice (see finalize_credit_note), and how long
# it waits for another credit note of the same invoice being finalized at that moment.
CREDIT_LOCK_SECONDS = 30.0
CREDIT_LOCK_WAIT_SECONDS = 10.0
OVER_CREDIT = "OVER_CREDIT"


@dataclass(frozen=True)
class CreditRequest:
    """What a message asks: the invoice's number ("" for the session's own invoice), and the
    quantity and words naming one line when only part of it is refunded."""

    number: str
    quantity: Decimal | None = None
    line_words: frozenset[str] = frozenset()
    # The language the message is in ("" when its words do not say): the reply's language.
    language: str = ""


@dataclass(frozen=True)
class CreditOutcome:
    """The reply, and the credit note when there is one: saved in `session_id` (the turn's own
    session when it had no document yet) as revision `revision_number` (0: the turn saves it)."""

    reply: str
    document: Document | None = None
    session_id: str = ""
    revision_number: int = 0
    summary: str = ""


@dataclass(frozen=True)
class Credited:
    """What an invoice's finalized credit notes already credit, in its currency."""

    invoice_number: str
    currency_code: str
    invoiced: Decimal  # the invoice's total
    credited: Decimal  # the totals of its finalized credit notes
    notes: tuple[str, ...]  # their numbers

    @property
    def left(self) -> Decimal:
        return max(self.invoiced - self.credited, Decimal(0))

    @property
    def fully_credited(self) -> bool:
        return self.credited >= self.invoiced

    def allows(self, amount: Decimal) -> bool:
        """Whether a credit note of `amount` fits in what is left. Each credit note rounds its
        own tax, so parts of an invoice may together pass its total by a minor unit each (three
        credit notes of one hour each round three times what the invoice rounded once): up to
        that much is rounding, more is over-crediting."""
        rounding = Decimal(1).scaleb(-minor_units(self.currency_code)) * (len(self.notes) + 1)
        return not self.fully_credited and amount <= self.invoiced - self.credited + rounding

    def refusal(self, amount: Decimal) -> str:
        """Why a credit note of `amount` cannot be finalized (an error message, lower case)."""
        return (
            f"invoice {self.invoice_number} totals {self._money(self.invoiced)}, "
            f"{self._money(self.credited)} of it is already credited{self._by()} and "
            f"{self._money(self.left)} is left: a credit note of {self._money(amount)} would credit "
            "more than was invoiced"
        )

    def nothing_left(self) -> str:
        return (
            f"Invoice {self.invoice_number} ({self._money(self.invoiced)}) is already fully "
            f"credited{self._by()}: there is nothing left to refund."
        )

    def question(self, amount: Decimal, *, whole: bool) -> str:
        """What to ask when the credit note asked for is more than is left."""
        already = (
            f"Invoice {self.invoice_number} totals {self._money(self.invoiced)} and "
            f"{self._money(self.credited)} of it is already credited{self._by()}, so "
            f"{self._money(self.left)} is left."
        )
        if whole:
            return (
                f"{already} A credit note for the whole invoice ({self._money(amount)}) would credit "
                f'more. Which part should it refund, e.g. "refund 2 hours from {self.invoice_number}"?'
            )
        return f"{already} This one would refund {self._money(amount)}. How much should it refund?"

    def _by(self) -> str:
        """ " (credit note CN-2026-0001)", " (credit notes CN-…, CN-…)", or "" for none."""
        if not self.notes:
            return ""
        return f" (credit note{'s' if len(self.notes) > 1 else ''} {', '.join(self.notes)})"

    def _money(self, amount: Decimal) -> str:
        return format_money(amount, self.currency_code)


async def credited_so_far(sessions: SessionStore, invoice: Invoice, *, excluding: str = "") -> Credited:
    """What the owner's finalized credit notes of `invoice` (numbered: its number is the one
    its session gave) credit, leaving out session `excluding` (the credit note being finalized)."""
    notes: list[tuple[str, Decimal]] = []
    for view in await sessions.find_credit_notes(invoice.number):
        latest = view.latest_revision
        if view.session.id == excluding or latest is None or latest.invoice.preceding_invoice is None:
            continue
        if latest.invoice.preceding_invoice.number.casefold() != invoice.number.casefold():
            continue
        notes.append((view.session.document_number, compute_totals(latest.invoice).total))
    notes.sort()
    return Credited(
        invoice_number=invoice.number,
        currency_code=invoice.currency_code,
        invoiced=compute_totals(invoice).total,
        credited=sum((amount for _, amount in notes), Decimal(0)),
        notes=tuple(number for number, _ in notes),
    )


async def finalize_credit_note(
    sessions: SessionStore, view: SessionView, numbering_pattern: str, issue_date: dt.date | None
) -> Session:
    """FinalizeSession for the credit note in `view`, refused (FailedPrecondition, OVER_CREDIT,
    naming the invoice, what it invoiced, what is credited and what is left) when its total and
    those of the invoice's finalized credit notes would pass the invoice's total.

    Two credit notes of one invoice finalized at once cannot together pass it: the check and
    the numbering run while this holds the invoice's session (its turn lease in the session
    service: one compare-and-set across every agent replica), and every credit note is marked
    as the invoice's before it is numbered, inside that hold. The second one waits for the
    first to finish and then counts it. The window left: a holder that stalls (a paused or
    cut-off replica) longer than the lease, CREDIT_LOCK_SECONDS renewed every third of it while
    its process runs, between its check and its FinalizeSession, could be numbered after
    another credit note that did not see it. Not counted: credit notes finalized before the
    marker existed, soft-deleted ones, and one whose metadata a client replaced without it
    (UpdateSession replaces the whole map).
    """
    latest = view.latest_revision
    note = latest.invoice if latest is not None else None
    if note is None or note.preceding_invoice is None or view.session.finalized:
        return await sessions.finalize(view.session.id, numbering_pattern, issue_date)
    found = await sessions.find_finalized(note.preceding_invoice.number)
    if (
        found is None
        or found.latest_revision is None
        or found.latest_revision.invoice.kind is not DocumentKind.INVOICE
    ):
        # Not one of the owner's finalized invoices (issued before docmesh, or elsewhere):
        # there is no total here to check against.
        return await sessions.finalize(view.session.id, numbering_pattern, issue_date)
    invoice = _creditable(found.latest_revision.invoice, found.session.document_number)
    assert isinstance(invoice, Invoice)  # an invoice (checked above) is always creditable

    async def check_and_number() -> Session:
        so_far = await credited_so_far(sessions, invoice, excluding=view.session.id)
        amount = compute_totals(note).total
        if not so_far.allows(amount):
            raise FailedPrecondition(
                so_far.refusal(amount),
                reason=OVER_CREDIT,
                metadata={
                    "invoice_number": so_far.invoice_number,
                    "invoiced": str(so_far.invoiced),
                    "credited": str(so_far.credited),
                    "left": str(so_far.left),
                },
            )
        await sessions.mark_credit_note(view.session.id, invoice.number)
        return await sessions.finalize(view.session.id, numbering_pattern, issue_date)

    return await _holding(sessions, found.session.id, invoice.number, check_and_number)


async def _holding(
    sessions: SessionStore, session_id: str, number: str, work: Callable[[], Awaitable[Session]]
) -> Session:
    """`work` done while holding session `session_id`, waiting up to CREDIT_LOCK_WAIT_SECONDS
    for another holder (another credit note of `number`, or a chat turn there) to finish."""
    give_up = time.monotonic() + CREDIT_LOCK_WAIT_SECONDS
    while True:
        entered = False
        try:
            async with hold(sessions, session_id, CREDIT_LOCK_SECONDS):
                entered = True
                return await work()
        except Aborted as error:
            if entered or error.reason != "TURN_IN_PROGRESS":
                raise
            if time.monotonic() >= give_up:
                raise Aborted(
                    f"invoice {number} is busy (another credit note of it is being finalized, or a chat "
                    "turn runs in its session); try again",
                    reason="CREDIT_IN_PROGRESS",
                    retry_after_seconds=1.0,
                ) from None
            await asyncio.sleep(0.1)


def read_credit_request(message: str) -> CreditRequest | None:
    """The credit note `message` asks for, or None when it asks for none."""
    folded = _fold(message)
    if not _ASKS.search(folded):
        return None
    numbers = [n for n in _NUMBER.findall(message) if any(c.isdigit() for c in n)]
    number = numbers[0] if numbers else ""
    language = detected_language(message) or ""
    rest = _fold(message.replace(number, " ")) if number else folded
    found = _QUANTITY.search(rest)
    if found is None:
        return CreditRequest(number=number, language=language)
    try:
        quantity = Decimal(found.group(1).replace(",", "."))
    except InvalidOperation:
        return CreditRequest(number=number, language=language)
    words = frozenset(_word(w) for w in re.findall(r"[a-z]+", rest[found.end() :]) if w not in _NOT_A_LINE)
    return CreditRequest(number=number, quantity=quantity, line_words=words, language=language)


class CreditNotes:
    """Makes the credit note a request asks for, from the invoice it names."""

    def __init__(self, sessions: SessionStore, documents: DocumentEngine) -> None:
        self.sessions = sessions
        self.documents = documents

    async def answer(self, view: SessionView, request: CreditRequest, key: str) -> CreditOutcome:
        """The credit note, or the question, with the reply in the request's language (else the
        session's document's)."""
        outcome = await self._answer(view, request, key)
        latest = view.latest_revision
        language = request.language or (latest.invoice.language if latest is not None else "")
        return replace(outcome, reply=reply_in(outcome.reply, language))

    async def _answer(self, view: SessionView, request: CreditRequest, key: str) -> CreditOutcome:
        found = await self._invoice(view, request)
        if isinstance(found, str):
            return CreditOutcome(reply=found)
        invoice = found
        so_far = await credited_so_far(self.sessions, invoice)
        if so_far.fully_credited:
            return CreditOutcome(reply=so_far.nothing_left())
        lines = _credited_lines(invoice, request)
        if isinstance(lines, str):
            return CreditOutcome(reply=lines)
        credit = credit_note_for(invoice, lines)
        amount = compute_totals(credit).total
        if not so_far.allows(amount):
            return CreditOutcome(reply=so_far.question(amount, whole=request.quantity is None))
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
        if view.session.received_from is not None:
            seller = view.session.received_from or "its seller"
            return (
                f"This invoice was received from {seller}: a credit note for it is {seller}'s to issue, "
                "not yours. Which of your own invoices should a credit note correct?"
            )
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
