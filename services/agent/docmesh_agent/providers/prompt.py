"""The chat messages sent to an LLM: system prompt with the schema, the current document,
as much recent history as fits the context budget, and the person's message."""

from __future__ import annotations

import functools
import json
import logging

from docmesh_agent.providers.base import TurnRequest, answer_schema
from docmesh_agent.usage import TOKENS_PER_MESSAGE, count_tokens
from docmesh_common.model.invoice import Invoice

log = logging.getLogger(__name__)

ChatMessage = dict[str, str]

_INSTRUCTIONS = """\
You are docmesh, an assistant that writes commercial documents (invoices, quotes, receipts,
purchase orders, credit notes) from a conversation and edits them when asked.

Answer with ONE JSON object and nothing else, matching this JSON schema:
{schema}

Rules:
- "invoice" is always the COMPLETE document after this message, never a partial patch.
- Amounts, quantities and rates are decimal strings or numbers ("150", "8.25"); never
  compute totals, subtotals or line amounts: the spreadsheet computes them.
- Rates are percentages ("8" means 8 %). Dates are "YYYY-MM-DD"; today is {today}.
- currency_code is an ISO 4217 code such as "USD" or "EUR".
- If the buyer or the line items (what is sold and at what price) are missing and cannot
  be inferred, use action "question", ask for exactly one missing fact in "reply", and set
  "invoice" to null. Never invent names or prices.
- "undo" means the person wants the previous version back: action "undo", invoice null.
- kind is "invoice", "quote", "receipt", "purchase_order" or "credit_note", as the person says.
- A credit note corrects (refunds all or part of) an earlier invoice: kind "credit_note",
  preceding_invoice {{"number", "issue_date"}} of that invoice, and positive quantities and
  prices of what is refunded. Keep preceding_invoice through every edit of a credit note;
  never invent an invoice number: ask for it.
- When goods are delivered or a service is performed: delivery_date, or service_period_start
  and service_period_end for a period ("consulting in March").
- "paid", "paid in cash", "paid by card": a receipt, with payment_method ("cash", "card", ...);
  set amount_paid only when an amount is named (a receipt without it is paid in full).
- A line without tax (exempt, zero-rated): tax_exempt true on that line. A discount on one
  line goes in that line's "discount" (percent or amount), not in the document's discounts.
- Dates, periods, payment terms ("net 30", "paiement à 30 jours", "30 Tage netto"), e-mails,
  phone numbers, postal codes and tax ids are fields (due_date, payment_terms, delivery_date,
  service_period_*, valid_until, buyer), never line items or prices. When the role of a number
  is unclear ("1 day off"), ask one question naming it instead of guessing an amount.
- language is the language the person writes in: "en", "es", "de" or "fr".
- Keep "reply" short and in the person's language.
"""


@functools.cache
def _schema_text() -> str:
    return json.dumps(answer_schema(), separators=(",", ":"))


def system_prompt(request: TurnRequest) -> str:
    return "".join(_system_parts(request))


def _system_parts(request: TurnRequest) -> tuple[str, str]:
    """The fixed part (instructions and schema, the same for a whole day) and the document part."""
    fixed = _INSTRUCTIONS.format(schema=_schema_text(), today=request.today.isoformat())
    document = ""
    if request.document_kind is not None and request.current is None:
        document += f'\nThe person wants a document of kind "{request.document_kind.value}".\n'
    if request.current is not None:
        document += "\nThe current document (edit this one):\n" + invoice_json(request.current) + "\n"
    else:
        document += "\nThere is no document yet.\n"
    return fixed, document


@functools.lru_cache(maxsize=16)
def _repeated_tokens(text: str) -> int:
    # Texts that come back turn after turn, counted once: the instructions with the schema
    # (thousands of tokens, the same for a whole day) and the document part of a turn
    # without a document (one text per requested kind).
    return count_tokens(text)


def invoice_json(invoice: Invoice) -> str:
    return invoice.model_dump_json(exclude_defaults=True)


def feedback_message(errors: list[str] | tuple[str, ...]) -> str:
    listed = "\n".join(f"- {e}" for e in errors)
    return (
        f"Your answer could not be used:\n{listed}\nAnswer again with the whole corrected JSON object only."
    )


def _message_tokens(content: str, known: int = 0) -> int:
    return TOKENS_PER_MESSAGE + (known or count_tokens(content))


def build_messages(request: TurnRequest, *, context_tokens: int) -> list[ChatMessage]:
    """The prompt, with the oldest history dropped first to stay within `context_tokens`."""
    fixed, document = _system_parts(request)
    system = fixed + document
    tail: list[ChatMessage] = [{"role": "user", "content": request.message}]
    if request.rejected:
        tail.append({"role": "assistant", "content": request.rejected})
        tail.append({"role": "user", "content": feedback_message(tuple(request.feedback))})
    document_tokens = _repeated_tokens(document) if request.current is None else count_tokens(document)
    used = TOKENS_PER_MESSAGE + _repeated_tokens(fixed) + document_tokens
    used += sum(_message_tokens(m["content"]) for m in tail) + 2
    if used > context_tokens:
        log.warning("prompt needs %d tokens, more than the %d budget, without history", used, context_tokens)
    kept: list[ChatMessage] = []
    for past in reversed(request.history):
        cost = _message_tokens(past.content, past.token_count)
        if used + cost > context_tokens:
            break
        used += cost
        kept.append({"role": past.role, "content": past.content})
    kept.reverse()
    return [{"role": "system", "content": system}, *kept, *tail]
