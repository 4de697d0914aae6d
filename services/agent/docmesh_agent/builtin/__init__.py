"""The `builtin` provider: an offline, deterministic interpreter of invoice requests and edits.

It lets the agent do its main job with no API key and no network. Pure functions; no I/O, no LLM,
no clock (the caller passes `today`).

Public API::

    @dataclass(frozen=True)
    class Interpretation:
        action: Literal["generate", "edit", "undo", "question"]
        invoice: Invoice | None      # the new full invoice (None for undo and question)
        reply: str                   # what to say to the person
        missing: tuple[str, ...]     # for "question": the required fields still missing, e.g.
                                     # ("buyer",), ("line_items",), ("line_items[0].unit_price",)
        changes: tuple[str, ...]     # what changed, e.g. ("added 2 hours of QA at 80.00",)
        new_document: bool           # the message starts a NEW document while one is current

    def interpret(message: str, current: Invoice | None, *, today: datetime.date,
                  history: Sequence[str] = ()) -> Interpretation

- `current` is the session's current document (None before the first one). With None the
  message (on top of `history`) is read as a request and the answer is "generate", or "question"
  when a required field is missing (buyer for invoices/quotes/purchase orders, at least one line,
  a price for every line). The question asks for ONE thing; `missing` lists all of them.
- `history` is the earlier user messages, oldest first. Before the first document they are read
  again so that an answer ("Acme Corp" to "Who should I bill?", "400" to "What is the price of
  the logo design?") completes the draft. After it, the last one is used to finish an edit that
  added a line without a price.
- With a current document the message is an edit ("edit", the whole new document), "undo" (the
  caller restores the previous revision), a new document ("create a new invoice for ...", "now a
  quote for Initech: ...", "Invoice Acme for logo design": action "generate", or a "question"
  about the NEW document whose `missing` names what it lacks; the caller starts a new document), or a "question" when it was not understood or cannot be done (the document is
  left unchanged; the reply says what was understood and gives examples).

What it understands and what it does not: see LIMITS.md next to this file.

Where each job is done::

    interpreter      which kind of message it is, and who handles it
    read_request     a request to a Draft, clause by clause:
      clauses          cutting the message (notes and currency first)
      read_parties     the kind lead-in, buyer and seller, address lines
      read_terms       issue and due dates, payment terms, validity
      read_fields      taxes, discounts, shipping, number, currency, payment
      read_item        line items and prices
      counts           leading counts, per-unit and total words, a total over its count
    generate         a Draft to a new document, or the question that completes it
    read_edit        an edit: trimming it, trying each operation, several at once
    edits/           one module per operation (add, remove, rename, quantity, price, taxes,
                     discounts, shipping, currency, kind, parties, fields) and finding a line
    chat             thanks, "what's the total?", "send it"
    replies          how answers are worded
    drafts           the Draft and its parts;  interpretation: the result
    spelling         misspelled keywords read as meant ("Qoute", "discout"), before all else
    words, labels    word tables; how read words are written on the document
    money, dates     amounts and currencies; dates relative to `today`
"""

from docmesh_agent.builtin.interpretation import Interpretation
from docmesh_agent.builtin.interpreter import interpret

__all__ = ["Interpretation", "interpret"]
