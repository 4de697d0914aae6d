"""The offline interpreter: a message (+ the current invoice and earlier messages) to an Interpretation."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, Literal

from dateutil.relativedelta import relativedelta
from pydantic import ValidationError

from docmesh_agent.builtin.dates import span_days
from docmesh_agent.builtin.drafts import Draft, DueSpec
from docmesh_agent.builtin.labels import clean_description, clean_name, tax_label, unit_label
from docmesh_agent.builtin.money import (
    currency_from_word,
    find_money,
    format_amount,
    format_money,
    parse_number,
)
from docmesh_agent.builtin.read_item import price_answer
from docmesh_agent.builtin.read_parties import LEAD_RE
from docmesh_agent.builtin.read_request import read_request
from docmesh_agent.builtin.words import UNITS
from docmesh_common.model.invoice import Discount, DocumentKind, Invoice, Party, Tax
from docmesh_common.model.totals import compute_totals

Action = Literal["generate", "edit", "undo", "question"]


@dataclass(frozen=True)
class Interpretation:
    """What the interpreter made of one message. See the package docstring."""

    action: Action
    invoice: Invoice | None
    reply: str
    missing: tuple[str, ...] = ()
    changes: tuple[str, ...] = field(default_factory=tuple)


_KIND_NAMES = {
    DocumentKind.INVOICE: "invoice",
    DocumentKind.QUOTE: "quote",
    DocumentKind.RECEIPT: "receipt",
    DocumentKind.PURCHASE_ORDER: "purchase order",
}

EXAMPLES = (
    "“add 2 hours of QA at $80”, “remove the shipping”, “change the tax to 10%”, “make it EUR”, "
    "“bill Initech instead”, “set item 2 quantity to 5”, “10% discount”, “due in 45 days” or “undo”"
)

_UNDO_RE = re.compile(
    r"^(?:please\s+)?(?:undo|revert|go\s+back|take\s+(?:that|it)\s+back|undo\s+(?:that|the\s+last\s+(?:change|edit))|"
    r"revert\s+(?:that|the\s+last\s+(?:change|edit))|cancel\s+(?:that|the\s+last\s+(?:change|edit))|"
    r"scratch\s+that|never\s*mind)(?:\s+(?:that|it|please))?[.!]*$",
    re.IGNORECASE,
)
_NEW_DOC_RE = re.compile(
    r"^(?:(?:please|pls|now|ok|okay|great|thanks)[,!.]?\s+)*(?:(?:create|make|generate|draft|prepare|start|write|issue|raise|do|i\s+need|"
    r"let's\s+do|give\s+me)\s+)?(?:me\s+)?(?:a\s+|an\s+)?(?:new|another|second|separate|fresh)\s+"
    r"(?:invoice|quote|quotation|estimate|receipt|purchase\s+order|bill|po)\b",
    re.IGNORECASE,
)


class _EditError(Exception):
    """An edit that was understood but cannot be done; the message says why."""


class _NeedPrice(Exception):
    """A new item was added without a price."""

    def __init__(self, index: int, description: str, quantity: Decimal, unit: str) -> None:
        super().__init__(description)
        self.index = index
        self.description = description
        self.quantity = quantity
        self.unit = unit


MAX_MESSAGE_CHARS = 4000
MAX_EDIT_CHARS = 300


def interpret(
    message: str, current: Invoice | None, *, today: dt.date, history: Sequence[str] = ()
) -> Interpretation:
    """Interpret one message. Pure: same inputs, same answer; no I/O; never raises on any text."""
    if len(message) > MAX_MESSAGE_CHARS:
        return Interpretation(
            "question",
            None,
            f"That message is too long for me ({len(message)} characters; at most {MAX_MESSAGE_CHARS}). "
            "Please send the request in shorter parts.",
            (),
            (),
        )
    try:
        return _interpret(message, current, today, [h[:MAX_MESSAGE_CHARS] for h in history])
    except (ValidationError, ValueError, ArithmeticError) as exc:
        # A value read from the text that the Invoice model rejects (a 300-character name, an
        # absurd amount): say so instead of failing the turn.
        return Interpretation("question", None, f"I could not use that: {_why(exc)}", (), ())


def _interpret(
    message: str, current: Invoice | None, today: dt.date, history: Sequence[str]
) -> Interpretation:
    text = message.strip()
    if not text:
        return _question_empty(current, today)
    if _UNDO_RE.match(text):
        if current is None:
            return Interpretation("question", None, "There is nothing to undo yet.", (), ())
        return Interpretation(
            "undo", None, "Undone: back to the previous version.", (), ("undid the last change",)
        )
    if current is None:
        draft: Draft | None = None
        for past in history:
            if _UNDO_RE.match(past.strip()):
                continue
            draft = _fold(draft, past, today)
        return _generate(_fold(draft, text, today), today)
    if _NEW_DOC_RE.match(text) or _looks_like_full_request(text, today):
        return _generate(read_request(text, today), today, replacing=True)
    chat = _chat_reply(text, current)
    if chat is not None:
        return chat
    if history:
        pending = _pending_price(history[-1], current, today)
        if pending is not None:
            answered = _answer_price(pending, text)
            if answered is not None:
                return _edit(answered[0], current, today, draft=answered[1])
    return _edit(text, current, today)


# --- generate -----------------------------------------------------------------------------


def _fold(draft: Draft | None, message: str, today: dt.date) -> Draft:
    """Read `message` on top of what earlier messages said; it may answer the question they left."""
    new = read_request(message, today)
    if draft is None or not draft.has_content():
        if _weak_only(new):
            # "blah blah": an unpriced "item" and nothing else is not a request.
            new.unknown.extend(i.description for i in new.items)
            new.items = []
        return new
    missing = _missing(draft)
    if (new.kind or new.buyer) and new.items and not _missing(new):
        # A complete request of its own starts over: the same message sent again after a
        # failed turn, or a different request instead of answering the question.
        return new
    if (
        missing
        and missing[0] == "buyer"
        and new.buyer is None
        and not any(i.unit_price is not None for i in new.items)
    ):
        answer = re.sub(
            r"^(?:(?:it'?s|it\s+is|that'?s|the\s+(?:client|customer|buyer)\s+is|for|to|bill|billed\s+to|send\s+it\s+to)\s+)+",
            "",
            message.strip(),
            flags=re.IGNORECASE,
        )
        new = read_request("to: " + answer, today)
    elif missing and missing[0].endswith(".description"):
        index = int(re.findall(r"\d+", missing[0])[0])
        draft = replace(draft, items=[*draft.items])
        draft.items[index] = replace(draft.items[index], description=clean_description(message))
        new = Draft()
    elif missing and missing[0].startswith("line_items[") and not any(i.description for i in new.items):
        index = int(re.findall(r"\d+", missing[0])[0])
        price = price_answer(message, draft.items[index])
        if price is not None:
            item, hint = price
            draft = replace(draft, items=[*draft.items])
            draft.items[index] = item
            if hint and draft.currency_hint is None:
                draft.currency_hint = hint
            new.items = []
            new.unknown = []
            new.currency_hint = new.currency_hint or hint
    return _merge(draft, new)


def _weak_only(draft: Draft) -> bool:
    items = draft.items
    if not items or any(i.unit_price is not None or i.quantity != 1 or i.unit for i in items):
        return False
    bare = replace(draft, items=[], unknown=[])
    return not bare.has_content()


def _merge(old: Draft, new: Draft) -> Draft:
    out = replace(old)
    for name in (
        "kind",
        "buyer",
        "seller",
        "shipping",
        "currency",
        "number",
        "reference",
        "issue_date",
        "due",
        "payment_terms",
        "valid_until",
        "notes",
        "amount_paid",
        "payment_method",
    ):
        value = getattr(new, name)
        if value is not None:
            setattr(out, name, value)
    out.currency_hint = old.currency_hint or new.currency_hint
    out.paid_in_full = old.paid_in_full or new.paid_in_full
    out.items = [*old.items, *new.items]
    names = {t.name.casefold() for t in new.taxes}
    out.taxes = [t for t in old.taxes if t.name.casefold() not in names] + new.taxes
    out.discounts = [*old.discounts, *new.discounts]
    out.line_discounts = [*old.line_discounts, *new.line_discounts]
    out.unknown = list(new.unknown)
    out.warnings = list(new.warnings)
    return out


def _missing(draft: Draft) -> tuple[str, ...]:
    kind = draft.kind or DocumentKind.INVOICE
    missing: list[str] = []
    if kind != DocumentKind.RECEIPT and (draft.buyer is None or not draft.buyer.name):
        missing.append("buyer")
    if not draft.items:
        missing.append("line_items")
    for index, item in enumerate(draft.items):
        if not item.description:
            missing.append(f"line_items[{index}].description")
        if item.unit_price is None:
            missing.append(f"line_items[{index}].unit_price")
    return tuple(missing)


def _ask(missing: tuple[str, ...], draft: Draft) -> str:
    kind = _KIND_NAMES[draft.kind or DocumentKind.INVOICE]
    first = missing[0]
    if first == "buyer":
        if draft.kind == DocumentKind.QUOTE:
            return "Who is the quote for?"
        if draft.kind == DocumentKind.PURCHASE_ORDER:
            return "Who is the purchase order for?"
        return "Who should I bill?"
    if first == "line_items":
        return f"What should the {kind} be for? For example: “10 hours of consulting at $150”."
    index = int(re.findall(r"\d+", first)[0])
    item = draft.items[index]
    if first.endswith(".description"):
        return f"What are the {_qty_text(item.quantity)} {item.unit} for?"
    return _price_question(item.description, item.quantity, item.unit)


def _price_question(description: str, quantity: Decimal, unit: str) -> str:
    what = description[:1].lower() + description[1:] if not _is_acronym(description) else description
    if unit:
        return f"What is the price per {_singular(unit)} of the {what}?"
    if quantity != 1:
        return f"What is the unit price of the {what}?"
    return f"What is the price of the {what}?"


def _singular(unit: str) -> str:
    known = unit_label(unit, Decimal(1))
    if known != unit.lower():
        return known
    if re.search(r"(?:x|s|sh|ch)es$", unit):
        return unit[:-2]
    return unit[:-1] if unit.endswith("s") and not unit.endswith("ss") else unit


def _is_acronym(text: str) -> bool:
    first = text.split()[0] if text.split() else ""
    return len(first) > 1 and first.isupper()


def _generate(draft: Draft, today: dt.date, *, replacing: bool = False) -> Interpretation:
    missing = _missing(draft)
    if missing:
        if not draft.has_content():
            return Interpretation(
                "question",
                None,
                "I can write invoices, quotes, receipts and purchase orders. Tell me who it is for and "
                "what to put on it, for example: “Invoice Acme Corp for 10 hours of consulting at $150, "
                "8% tax, due in 30 days”.",
                missing,
                (),
            )
        return Interpretation("question", None, _ask(missing, draft), missing, ())
    try:
        invoice = _build(draft, today)
    except (ValidationError, ValueError) as exc:
        return Interpretation(
            "question", None, f"I could not make a valid document from that: {_why(exc)}", (), ()
        )
    kind = _KIND_NAMES[invoice.kind]
    lines = len(invoice.line_items)
    who = f" for {invoice.buyer.name}" if invoice.buyer.name else ""
    reply = (
        f"Here is your {kind}{who}: {lines} line{'s' if lines != 1 else ''}, "
        f"total {format_money(compute_totals(invoice).total, invoice.currency_code)}."
    )
    if draft.unknown:
        reply += " I did not understand: " + "; ".join(f"“{u}”" for u in draft.unknown) + "."
    for warning in dict.fromkeys(draft.warnings):
        reply += f" Note: {warning}."
    verb = "created a new" if replacing else "created"
    return Interpretation(
        "generate", invoice, reply, (), (f"{verb} {kind}{who} with {lines} line{'s' if lines != 1 else ''}",)
    )


def _build(draft: Draft, today: dt.date) -> Invoice:
    currency = draft.currency or draft.currency_hint or "USD"
    issue = draft.issue_date or today
    items: list[dict[str, Any]] = []
    discounts = list(draft.discounts)
    for item in draft.items:
        items.append(
            {
                "description": item.description,
                "quantity": item.quantity,
                "unit": item.unit,
                "unit_price": item.unit_price,
                "discount": item.discount,
            }
        )
    data: dict[str, Any] = {
        "kind": draft.kind or DocumentKind.INVOICE,
        "number": draft.number or "",
        "currency_code": currency,
        "issue_date": issue,
        "due_date": _due_date(draft.due, issue),
        "payment_terms": draft.payment_terms or "",
        "seller": draft.seller or Party(),
        "buyer": draft.buyer or Party(),
        "line_items": items,
        "taxes": draft.taxes,
        "discounts": discounts,
        "shipping": draft.shipping,
        "notes": draft.notes or "",
        "reference": draft.reference or "",
        "valid_until": draft.valid_until,
        "amount_paid": draft.amount_paid,
        "payment_method": draft.payment_method or "",
    }
    for line in draft.line_discounts:
        index = _find_item_in(line.target, [i["description"] for i in items])
        if index is not None:
            items[index]["discount"] = line.discount
        elif line.strict:
            raise ValueError(f"no line matches “{line.target}” for the discount")
        else:
            discounts.append(_reason_discount(line.target, line.discount))
    invoice = Invoice.model_validate(data)
    if draft.paid_in_full:
        invoice = Invoice.model_validate(
            {**invoice.model_dump(), "amount_paid": compute_totals(invoice).total}
        )
    return invoice


def _due_date(due: DueSpec | None, issue: dt.date) -> dt.date | None:
    if due is None:
        return None
    if due.on_receipt:
        return issue
    if due.days is not None:
        return issue + dt.timedelta(days=due.days)
    if due.span is not None:
        n, unit = due.span
        low = unit.lower()
        if low.startswith("month"):
            return issue + relativedelta(months=n)
        if low.startswith("year"):
            return issue + relativedelta(years=n)
        return span_days(n, unit, issue)[0]
    return due.date


def _why(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        return f"{where}: {first['msg']}." if where else f"{first['msg']}."
    return f"{exc}."


def _looks_like_full_request(text: str, today: dt.date) -> bool:
    """A message that starts a whole new document ("Quote Globex for 5 widgets at 10") even mid-session."""
    match = LEAD_RE.match(text)
    if not match or (match.group("kind").lower() == "bill" and not match.group("art")):
        return False
    draft = read_request(text, today)
    return bool(draft.buyer and draft.items and all(i.unit_price is not None for i in draft.items))


_THANKS_RE = re.compile(
    r"^(?:thanks|thank\s+you|thx|ty|cheers|great|perfect|ok|okay|cool|awesome|nice|looks\s+good|lgtm|"
    r"that'?s\s+(?:great|perfect|fine|good|it)|all\s+good|done)(?:\s+(?:so\s+much|a\s+lot|thanks))?[!. ]*$",
    re.IGNORECASE,
)
_TOTAL_QUESTION_RE = re.compile(
    r"^(?:what'?s|what\s+is|how\s+much\s+is|tell\s+me)\s+(?:the\s+)?(?:total|amount\s+due|balance|grand\s+total)"
    r"(?:\s+now)?\??$|^(?:how\s+much\s+(?:is\s+it|do\s+they\s+owe|does\s+it\s+come\s+to)|total)\??$",
    re.IGNORECASE,
)
_SEND_RE = re.compile(
    r"^(?:please\s+|can\s+you\s+|could\s+you\s+)?(?:send|email|e-mail|mail|fax|share)(?:\s+(?:it|this|the\s+\w+))?"
    r"(?:\s+(?:to\s+(?:them|him|her|the\s+client|the\s+customer|the\s+buyer)|now|over|out))*[.!?]*$",
    re.IGNORECASE,
)


def _chat_reply(text: str, current: Invoice) -> Interpretation | None:
    """Thanks, "what's the total?", "send it": answered without touching the document."""
    kind = _KIND_NAMES[current.kind]
    if _THANKS_RE.match(text):
        return Interpretation(
            "question",
            None,
            f"Glad to help. Tell me if the {kind} should change, for example {EXAMPLES}.",
            (),
            (),
        )
    if _TOTAL_QUESTION_RE.match(text):
        return Interpretation(
            "question",
            None,
            f"The total is {format_money(compute_totals(current).total, current.currency_code)}.",
            (),
            (),
        )
    if _SEND_RE.match(text):
        return Interpretation(
            "question",
            None,
            f"I can only write and change the {kind}; to send it, download it (XLSX, CSV, HTML or MSC) and "
            "attach it to your message.",
            (),
            (),
        )
    return None


def _question_empty(current: Invoice | None, today: dt.date) -> Interpretation:
    if current is None:
        return _generate(Draft(), today)
    return Interpretation("question", None, f"What should I change? For example {EXAMPLES}.", (), ())


# --- edits ----------------------------------------------------------------------------------


def _pending_price(last: str, current: Invoice, today: dt.date) -> tuple[str, _NeedPrice] | None:
    """When the previous message added an item without a price, that item and the message."""
    text = _strip_edit_words(last)
    if len(text) > MAX_EDIT_CHARS:
        return None
    try:
        _apply_all(text, current, today)
    except _NeedPrice as need:
        return text, need
    except _EditError:
        return None
    return None


_PRICE_ONLY_RE = re.compile(
    r"^(?:(?:it'?s|that'?s|it\s+is|the\s+price\s+is|price:?|make\s+it|at|for)\s+)?\S*\d[\d,.']*\S*"
    r"(?:\s?(?:[A-Za-z]{3}|euros?|dollars?|pounds?|yen))?"
    r"(?:\s+(?:each|apiece|per\s+\w+|an?\s+\w+|total|in\s+total|flat|for\s+all))?[.!]?$",
    re.IGNORECASE,
)


def _answer_price(pending: tuple[str, _NeedPrice], message: str) -> tuple[str, Draft] | None:
    text, _need = pending
    if not _PRICE_ONLY_RE.match(message.strip()):
        return None
    draft = read_request(
        re.sub(r"^(?:add|include|also|plus)\s+", "", text, flags=re.IGNORECASE), dt.date(2000, 1, 1)
    )
    unpriced = [i for i, item in enumerate(draft.items) if item.unit_price is None]
    if not unpriced:
        return None
    answer = price_answer(message, draft.items[unpriced[0]])
    if answer is None:
        return None
    draft.items[unpriced[0]] = answer[0]
    if answer[1]:
        draft.currency_hint = answer[1]
    return text, draft


def _edit(text: str, current: Invoice, today: dt.date, *, draft: Draft | None = None) -> Interpretation:
    clean = _strip_edit_words(text)
    if len(clean) > MAX_EDIT_CHARS and draft is None:
        return Interpretation(
            "question",
            None,
            f"That is too long for one change. Please send the changes one at a time, for example {EXAMPLES}.",
            (),
            (),
        )
    try:
        if draft is not None:
            data, changes = _additive(current.model_dump(), draft, clean, current, today)
        else:
            data, changes = _apply_all(clean, current, today)
        invoice = Invoice.model_validate(data)
    except _NeedPrice as need:
        missing = (f"line_items[{need.index}].unit_price",)
        return Interpretation(
            "question", None, _price_question(need.description, need.quantity, need.unit), missing, ()
        )
    except _EditError as err:
        return Interpretation("question", None, str(err), (), ())
    except (ValidationError, ValueError) as exc:
        return Interpretation("question", None, f"I can't make that change: {_why(exc)}", (), ())
    if invoice == current:
        return Interpretation(
            "question", None, "That is already how the document is; nothing changed.", (), ()
        )
    reply = (
        "Done: "
        + "; ".join(changes).rstrip(".")
        + f". New total: {format_money(compute_totals(invoice).total, invoice.currency_code)}."
    )
    return Interpretation("edit", invoice, reply, (), tuple(changes))


_EDIT_SPLIT = re.compile(
    r"\s*(?:,|;|\n|\.\s+|\s(?:and|then|also|plus)\s)\s*(?:(?:and|then|also)\s+)?"
    r"(?=(?:please\s+)?(?:add|remove|delete|drop|change|set|make|rename|update|switch|bill|use|replace|increase|"
    r"decrease|raise|lower|mark|put|include|get\s+rid|take\s+off|no\s|without|apply|give|due|net|it'?s\s+due)\b)",
    re.IGNORECASE,
)


def _apply_all(text: str, current: Invoice, today: dt.date) -> tuple[dict[str, Any], list[str]]:
    """Apply one edit, or several joined by "and"/commas when each one is understood on its own."""
    data = current.model_dump()
    try:
        return _apply_one(text, data, current, today)
    except (_EditError, _NeedPrice) as whole_error:
        parts = [p for p in _EDIT_SPLIT.split(text) if p and p.strip(" ,.;")]
        if len(parts) < 2:
            raise
        # The ops change `data` in place, so the split attempt starts again from the document.
        data = current.model_dump()
        changes: list[str] = []
        for part in parts:
            inv = Invoice.model_validate(data)
            try:
                data, done = _apply_one(_strip_edit_words(part), data, inv, today)
            except (_EditError, _NeedPrice):
                raise whole_error from None
            changes.extend(done)
        return data, changes


def _strip_edit_words(text: str) -> str:
    text = text.strip()
    if re.search(r"\b(?:notes?|memo)\s*[:\-\"“]", text, re.IGNORECASE):
        return text  # the note's own words are kept as written
    if not re.search(r"\b(?:Inc|Ltd|Co|Corp|Bros|Jr|Sr)\.$", text):
        text = text.rstrip(".!")
    text = re.sub(
        r"^(?:make\s+(?:it|this)|have\s+it|set\s+it\s+to\s+be)\s+(?=(?:due|payable|net|valid)\b)",
        "",
        text,
        flags=re.IGNORECASE,
    )
    text = re.sub(
        r"^(?:(?:actually|oh|oops|sorry|wait|hmm|ok|okay|yes|also|and|then|please|pls|can\s+you|could\s+you|"
        r"would\s+you|i\s+want\s+to|i'd\s+like\s+to|let's|now)[,!]?\s+|no[,!]\s+)+",
        "",
        text,
        flags=re.IGNORECASE,
    )
    text = re.sub(
        r"(?:,?\s+(?:instead(?:\s+of\s+.+)?|please|thanks|thank\s+you|now|too|as\s+well|rather)[.!]?)+$",
        "",
        text,
        flags=re.IGNORECASE,
    )
    text = text.strip(" ,!?")
    return text if re.search(r"\b(?:Inc|Ltd|Co|Corp|Bros|Jr|Sr)\.$", text) else text.strip(" .")


# Descriptions that are really the name of a field ("price 3"): not a new line.
_FIELD_WORDS = frozenset(
    "price rate quantity qty total subtotal tax taxes discount shipping cost amount hours days number it".split()
)
_EDIT_VERB_RE = re.compile(
    r"^(?:change|set|make|increase|decrease|raise|lower|reduce|update|switch|move|put|turn|convert|rename|"
    r"remove|delete|drop|replace|fix|correct|adjust|edit|modify|bump|cut|it|it's|this|that|they|we|i|"
    r"please|can|could|should|would|is|are|was|not|no)\b",
    re.IGNORECASE,
)
_ITEM_REF = r"(?:item|line|row|position|#)\s*(?P<n>\d+)|(?:the\s+)?(?P<ord>first|second|third|fourth|fifth|last)(?:\s+(?:item|line|row|one))?"
_ORDINALS = {"first": 0, "second": 1, "third": 2, "fourth": 3, "fifth": 4, "last": -1}


def _apply_one(
    text: str, data: dict[str, Any], current: Invoice, today: dt.date
) -> tuple[dict[str, Any], list[str]]:
    for op in (
        _op_tax_exempt,
        _op_remove,
        _op_rename,
        _op_more,
        _op_quantity,
        _op_price,
        _op_tax_change,
        _op_discount_change,
        _op_shipping_change,
        _op_currency,
        _op_kind,
        _op_party,
        _op_field_change,
    ):
        result = op(text, data, current, today)
        if result is not None:
            return result
    adding = re.match(r"^(?:add|include|also|plus|put)\s+", text, re.IGNORECASE)
    draft = read_request(text[adding.end() :] if adding else text, today)
    # Without "add", an unpriced "item", or one that starts with a verb, is more likely words we
    # did not understand than a new line.
    if not adding and any(
        i.unit_price is None or _EDIT_VERB_RE.match(i.description) or i.description.lower() in _FIELD_WORDS
        for i in draft.items
    ):
        draft.unknown.append(text)
    if draft.has_content() and not draft.unknown:
        return _additive(data, draft, text, current, today)
    raise _EditError(
        f"I didn't understand how to change the {_KIND_NAMES[current.kind]} from “{text}”. "
        f"I understand edits like {EXAMPLES}."
    )


def _fmt_item(item: dict[str, Any], currency: str) -> str:
    qty = Decimal(item["quantity"])
    price = format_amount(Decimal(item["unit_price"]), currency)
    if item.get("unit"):
        return f"{_qty_text(qty)} {item['unit']} of {item['description']} at {price}"
    if qty != 1:
        return f"{_qty_text(qty)} × {item['description']} at {price}"
    return f"{item['description']} at {price}"


def _qty_text(q: Decimal) -> str:
    return format(q.normalize(), "f")


def _find_item_in(ref: str, descriptions: list[str]) -> int | None:
    """The line a phrase refers to: "item 2", "the last line", "the logo line", "consulting"."""
    ref = ref.strip().strip("“”\"'")
    match = re.fullmatch(_ITEM_REF, ref, re.IGNORECASE)
    if match:
        if match.group("n"):
            index = int(match.group("n")) - 1
        else:
            index = _ORDINALS[match.group("ord").lower()]
            if index == -1:
                index = len(descriptions) - 1
        if 0 <= index < len(descriptions):
            return index
        raise _EditError(
            f"There is no {ref.lower()}; the document has {len(descriptions)} line{'s' if len(descriptions) != 1 else ''}."
        )
    words = re.sub(
        r"^(?:the|a|an|that|this|my|our)\s+|\s+(?:line|item|row|entry|one|charge|fee|hours|costs?)$",
        "",
        ref.strip(),
        flags=re.IGNORECASE,
    ).strip()
    words = re.sub(r"\s+(?:line|item|row|entry)$", "", words, flags=re.IGNORECASE).strip().casefold()
    if not words:
        return None
    folded = [d.casefold() for d in descriptions]
    exact = [i for i, d in enumerate(folded) if d == words]
    if exact:
        return exact[0]
    contains = [i for i, d in enumerate(folded) if words in d or (d in words and len(d) > 2)]
    if len(contains) == 1:
        return contains[0]
    ref_tokens = {_stem(w) for w in re.findall(r"\w+", words)}
    scored = []
    for i, d in enumerate(folded):
        tokens = {_stem(w) for w in re.findall(r"\w+", d)}
        overlap = len(ref_tokens & tokens)
        if overlap:
            scored.append((overlap, i))
    if scored:
        scored.sort(reverse=True)
        if len(scored) == 1 or scored[0][0] > scored[1][0]:
            return scored[0][1]
    close = difflib.get_close_matches(words, folded, n=1, cutoff=0.75)
    if close:
        return folded.index(close[0])
    return None


def _first(groups: dict[str, str | None], name: str) -> str | None:
    """The first group called `name`, `name2`, `name3`, ... that matched (regex alternatives)."""
    for key, value in groups.items():
        if value is not None and re.fullmatch(rf"{name}\d*", key):
            return value
    return None


def _stem(word: str) -> str:
    word = word.casefold()
    for suffix in ("ing", "es", "s"):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            return word[: -len(suffix)]
    return word


def _item_index(ref: str, data: dict[str, Any]) -> int:
    descriptions = [i["description"] for i in data["line_items"]]
    ref_clean = ref.strip()
    if re.fullmatch(
        r"(?:it|its|this|that|the|the\s+(?:item|line|rate|price|hourly\s+rate|quantity|hours|days|description))",
        ref_clean,
        re.IGNORECASE,
    ):
        if len(descriptions) == 1:
            return 0
        raise _EditError("Which line? Say “item 2” or part of its description.")
    index = _find_item_in(ref_clean, descriptions)
    if index is None:
        listing = ", ".join(f"{n}. {d}" for n, d in enumerate(descriptions, 1))
        raise _EditError(f"I couldn't find a line matching “{ref_clean}”. The lines are: {listing}.")
    return index


_REMOVE_RE = re.compile(
    r"^(?:remove|delete|drop|take\s+(?:off|out)|get\s+rid\s+of|cut|scrap|clear|strike|no(?:\s+more)?|without|lose)\s+(?P<what>.+?)(?:\s+(?:line|item))?$",
    re.IGNORECASE,
)


def _op_remove(
    text: str, data: dict[str, Any], current: Invoice, today: dt.date
) -> tuple[dict[str, Any], list[str]] | None:
    match = _REMOVE_RE.match(text)
    if not match:
        return None
    verb = text[: match.start("what")].strip()
    parts = re.split(r"\s*,\s*(?:and\s+)?|\s+(?:and|&)\s+", match.group("what").strip())
    descriptions = {str(i["description"]).casefold() for i in data["line_items"]}
    whole = re.sub(r"^(?:the\s+)", "", match.group("what").strip().casefold())
    if (
        len(parts) > 1
        and whole not in descriptions
        and not re.fullmatch(r"shipping\s+(?:and|&)\s+handling", whole)
    ):
        # "remove the business cards and the shipping": each one in turn.
        changes: list[str] = []
        for part in parts:
            done = _op_remove(f"{verb} {part}", data, Invoice.model_validate(data), today)
            if done is None:
                return None
            data, more = done
            changes.extend(more)
        return data, changes
    what = re.sub(
        r"^(?:the|a|an|all(?:\s+the)?|any|that|this)\s+", "", match.group("what").strip(), flags=re.IGNORECASE
    )
    low = what.lower()
    if re.fullmatch(
        r"shipping(?:\s+(?:and|&)\s+handling)?(?:\s+(?:fee|charge|cost))?|delivery(?:\s+(?:fee|charge))?|postage|freight",
        low,
    ):
        if data["shipping"] is None:
            raise _EditError("There is no shipping on the document.")
        data["shipping"] = None
        return data, ["removed the shipping"]
    line_disc = re.fullmatch(r"discounts?\s+(?:on|from|for)\s+(?P<ref>.+)", low)
    if line_disc:
        index = _item_index(line_disc.group("ref"), data)
        if data["line_items"][index]["discount"] is None:
            raise _EditError(f"Line {index + 1} has no discount.")
        data["line_items"][index]["discount"] = None
        return data, [
            f"removed the discount on line {index + 1} ({data['line_items'][index]['description']})"
        ]
    named_discount = re.fullmatch(
        r"(?:(?P<pct>[\d.,]+)\s*%\s+|(?P<amt>\S*\d\S*)\s+)?(?P<desc>[a-z][a-z -]*?\s+)?discount", low
    )
    if named_discount and (
        named_discount.group("pct") or named_discount.group("amt") or named_discount.group("desc")
    ):
        # "remove the 5% discount", "drop the early payment discount": the one that matches.
        keep: list[dict[str, Any]] = []
        removed: list[dict[str, Any]] = []
        for disc in data["discounts"]:
            pct, amt, desc = (
                named_discount.group("pct"),
                named_discount.group("amt"),
                named_discount.group("desc"),
            )
            hit = (
                (
                    pct is not None
                    and disc["percent"] is not None
                    and Decimal(disc["percent"]) == parse_number(pct)
                )
                or (
                    amt is not None
                    and disc["amount"] is not None
                    and any(m.amount == Decimal(disc["amount"]) for m in find_money(amt))
                )
                or (desc is not None and desc.strip() in disc["description"].lower())
            )
            (removed if hit else keep).append(disc)
        if not removed:
            raise _EditError(f"There is no {what} on the document.")
        data["discounts"] = keep
        return data, [f"removed the {what}"]
    if re.fullmatch(r"discounts?", low):
        had_line = any(i["discount"] for i in data["line_items"])
        if not data["discounts"] and not had_line:
            raise _EditError("There is no discount on the document.")
        data["discounts"] = []
        if not current.discounts and had_line:
            for item in data["line_items"]:
                item["discount"] = None
        return data, ["removed the discount"]
    if re.fullmatch(r"tax(?:es)?|all\s+tax(?:es)?|vat|gst|hst|pst|sales\s+tax", low) and not _tax_named(
        low, data
    ):
        if not data["taxes"]:
            raise _EditError("There is no tax on the document.")
        if low in ("taxes", "all taxes", "all tax") or len(data["taxes"]) == 1:
            data["taxes"] = []
            for item in data["line_items"]:
                item["tax_names"] = []
            return data, ["removed the tax" if len(current.taxes) == 1 else "removed all taxes"]
        if low == "tax":
            names = " or ".join(t["name"] for t in data["taxes"])
            raise _EditError(f"Which tax should I remove: {names}? Or say “remove all taxes”.")
    tax = _tax_named(re.sub(r"\s+tax$", "", low) if low not in ("sales tax",) else low, data) or _tax_named(
        low, data
    )
    if tax is not None:
        data["taxes"] = [t for t in data["taxes"] if t["name"] != tax["name"]]
        for item in data["line_items"]:
            item["tax_names"] = [n for n in item["tax_names"] if n.casefold() != tax["name"].casefold()]
        return data, [f"removed {tax['name']}"]
    if re.fullmatch(r"notes?|memo|comments?", low):
        data["notes"] = ""
        return data, ["removed the note"]
    if re.fullmatch(r"due\s+date|due|payment\s+terms|terms", low):
        data["due_date"] = None
        data["payment_terms"] = ""
        return data, ["removed the due date and terms"]
    if re.fullmatch(r"(?:invoice\s+)?number", low):
        data["number"] = ""
        return data, ["removed the number"]
    if re.fullmatch(r"(?:the\s+)?seller|sender", low):
        data["seller"] = Party().model_dump()
        return data, ["removed the seller"]
    if not data["line_items"]:
        return None
    index = _item_index(what, data)
    if len(data["line_items"]) == 1:
        raise _EditError("That is the only line; a document needs at least one. Add another line first.")
    gone = data["line_items"].pop(index)
    return data, [f"removed line {index + 1} ({gone['description']})"]


def _tax_named(name: str, data: dict[str, Any]) -> dict[str, Any] | None:
    name = name.strip().casefold()
    for tax in data["taxes"]:
        if tax["name"].casefold() == name:
            return tax
    return None


_RENAME_RE = re.compile(
    r"^(?:rename|retitle|call|relabel)\s+(?P<ref>.+?)\s+(?:to|as)\s+(?P<new>.+)$"
    r"|^(?:change|set|update|make)\s+the\s+(?:description|name|title|label)\s+of\s+(?P<ref2>.+?)\s+(?:to|as)\s+(?P<new2>.+)$"
    r"|^(?:change|set|update)\s+(?P<ref3>.+?)(?:'s)?\s+(?:description|name|label)\s+to\s+(?P<new3>.+)$"
    r"|^(?:change|set|update)\s+(?:the\s+)?(?:description|item\s+name|line\s+name)\s+(?:to|as)\s+(?P<new5>.+)$"
    r"|^(?:change|rename|replace)\s+[\"'“‘](?P<ref4>[^\"'”’]+)[\"'”’]\s+(?:to|with)\s+[\"'“‘](?P<new4>[^\"'”’]+)[\"'”’]$",
    re.IGNORECASE,
)


def _op_rename(
    text: str, data: dict[str, Any], current: Invoice, today: dt.date
) -> tuple[dict[str, Any], list[str]] | None:
    match = _RENAME_RE.match(text)
    if not match or re.match(
        r"^\w+\s+(?:the\s+)?(?:buyer|client|customer|seller|recipient|sender|company)\b", text, re.IGNORECASE
    ):
        return None
    ref = _first(match.groupdict(), "ref") or "it"
    new = clean_description((_first(match.groupdict(), "new") or "").strip("“”\"'"))
    index = _item_index(ref, data)
    old = data["line_items"][index]["description"]
    data["line_items"][index]["description"] = new
    return data, [f"renamed line {index + 1} from {old} to {new}"]


_TAX_EXEMPT_RE = re.compile(
    r"^(?:make\s+|mark\s+|set\s+)?(?P<ref>.+?)\s+(?:as\s+)?(?:is\s+|should\s+be\s+)?(?:tax[\s-]exempt|tax[\s-]free|not\s+taxed|exempt\s+from\s+(?:tax|taxes|vat|gst))$"
    r"|^(?:no|don'?t\s+charge|without)\s+(?P<tax>tax|taxes|vat|gst|hst|pst|qst|sales\s+tax)\s+(?:on|for)\s+(?P<ref2>.+)$"
    r"|^don'?t\s+tax\s+(?P<ref3>.+)$",
    re.IGNORECASE,
)


def _op_tax_exempt(
    text: str, data: dict[str, Any], current: Invoice, today: dt.date
) -> tuple[dict[str, Any], list[str]] | None:
    """ "make the website tax exempt", "no VAT on line 2": that line carries no tax."""
    match = _TAX_EXEMPT_RE.match(text)
    if not match:
        return None
    ref = _first(match.groupdict(), "ref") or "it"
    if re.fullmatch(r"(?:the\s+)?(?:shipping|delivery|postage|freight)", ref.strip(), re.IGNORECASE):
        raise _EditError("Shipping is never taxed on these documents, so there is nothing to change.")
    index = _item_index(ref, data)
    item = data["line_items"][index]
    named = _tax_named(match.group("tax") or "", data)
    if named is not None and len(data["taxes"]) > 1:
        # "no PST on the catering": only that tax leaves the line.
        applying = item["tax_names"] or [t["name"] for t in data["taxes"]]
        item["tax_names"] = [n for n in applying if n.casefold() != named["name"].casefold()]
        if not item["tax_names"]:
            item["tax_exempt"] = True
        return data, [f"no {named['name']} on line {index + 1} ({item['description']})"]
    if item["tax_exempt"]:
        raise _EditError(f"Line {index + 1} ({item['description']}) is already tax exempt.")
    item["tax_exempt"] = True
    item["tax_names"] = []
    return data, [f"line {index + 1} ({item['description']}) is now tax exempt"]


_MORE_RE = re.compile(
    r"^(?:(?:add|bill(?:\s+(?:them|him|her|the\s+client))?(?:\s+for)?|charge(?:\s+(?:them|for))*|plus|include)\s+)?"
    r"(?:(?P<n>\d+(?:[.,]\d+)?)\s+(?:more|extra|additional)|(?:another|an?\s+(?:extra|additional))\s*(?P<n2>\d+(?:[.,]\d+)?)?)"
    r"\s+(?P<unit>[a-z]+)(?:\s+(?:of|on|for)\s+(?P<ref>.+?))?(?:\s+at\s+the\s+same\s+(?:rate|price))?$",
    re.IGNORECASE,
)


def _op_more(
    text: str, data: dict[str, Any], current: Invoice, today: dt.date
) -> tuple[dict[str, Any], list[str]] | None:
    """ "2 more hours", "another 2 hours of consulting": more of a line that is already there."""
    match = _MORE_RE.match(text)
    if not match:
        return None
    qty = parse_number(match.group("n") or match.group("n2") or "1")
    said = match.group("unit").lower()
    candidates = [
        i
        for i, item in enumerate(data["line_items"])
        if item["unit"] and _singular(item["unit"].lower()) == _singular(said)
    ]
    if match.group("ref"):
        index = _item_index(match.group("ref"), data)
    elif len(candidates) == 1:
        index = candidates[0]
    elif not candidates:
        return None  # "another 2 widgets at $5" is a new line, read by the general rules
    else:
        raise _EditError(
            f"More {said} of which line? Say for example “2 more {said} of {_line_name(data, candidates[0])}”."
        )
    item = data["line_items"][index]
    old = Decimal(item["quantity"])
    item["quantity"] = old + qty
    item["unit"] = _relabel_unit(item["unit"], old + qty)
    return data, [
        f"line {index + 1} ({item['description']}) quantity {_qty_text(old)} → {_qty_text(old + qty)}"
    ]


def _line_name(data: dict[str, Any], index: int) -> str:
    return str(data["line_items"][index]["description"]).lower()


_QTY_RE = re.compile(
    r"^(?:set|change|update|make|increase|decrease|raise|lower|reduce)\s+(?:the\s+)?(?:quantity|qty|number\s+of\s+(?:hours|days|units)|hours|days|units)\s+(?:to\s+)?(?P<q7>\d+(?:[.,]\d+)?)$"
    r"|^(?:set|change|update|make|put|increase|decrease|raise|lower|reduce|bump)\s+(?:the\s+)?(?:quantity|qty|number\s+of\s+units|hours|count)\s+(?:of|on|for)\s+(?P<ref>.+?)\s+(?:to|at)\s+(?P<q>\d+(?:[.,]\d+)?)(?:\s+\w+)?$"
    r"|^(?:set|change|update|make)\s+(?P<ref2>.+?)(?:'s)?\s+(?:quantity|qty)\s+(?:to\s+)?(?P<q2>\d+(?:[.,]\d+)?)$"
    r"|^(?:(?P<ref3>.+?)\s+)?(?:quantity|qty)\s+(?:should\s+be|is|=|to)\s+(?P<q3>\d+(?:[.,]\d+)?)$"
    r"|^(?:change|set|update|make)\s+(?P<ref4>.+?)\s+to\s+(?P<q4>\d+(?:[.,]\d+)?)\s+(?P<unit4>hours?|hrs?|days?|weeks?|months?|units?|pcs|pieces?|x)$"
    r"|^(?:make\s+it|it'?s|it\s+should\s+be|it\s+was|it\s+is\s+actually|that\s+was|should\s+be)\s+(?P<q5>\d+(?:[.,]\d+)?)\s+(?P<unit5>hours?|hrs?|days?|weeks?|months?|units?|pcs|pieces?)(?:\s+of\s+(?P<ref5>.+?))?"
    r"(?:,?\s+(?:not|instead\s+of|rather\s+than)\s+\d+(?:[.,]\d+)?(?:\s+\w+)?)?$"
    r"|^(?:make|set)\s+(?P<ref6>.+?)\s+(?P<q6>\d+(?:[.,]\d+)?)\s+(?P<unit6>[a-z]+)$",
    re.IGNORECASE,
)


def _op_quantity(
    text: str, data: dict[str, Any], current: Invoice, today: dt.date
) -> tuple[dict[str, Any], list[str]] | None:
    match = _QTY_RE.match(text)
    if not match:
        return None
    groups = match.groupdict()
    ref = _first(groups, "ref") or "it"
    qty = parse_number(_first(groups, "q") or "0")
    if groups["ref6"]:
        # "make the business cards 3 boxes": only when the word is the line's unit.
        try:
            index = _item_index(ref, data)
        except _EditError:
            return None
        unit = data["line_items"][index]["unit"].lower()
        said = groups["unit6"].lower()
        if not unit or said.rstrip("s") != unit.rstrip("s"):
            return None
    if qty <= 0:
        raise _EditError("A quantity must be more than zero; to drop a line say “remove item 2”.")
    index = _item_index(ref, data)
    item = data["line_items"][index]
    old = Decimal(item["quantity"])
    item["quantity"] = qty
    if item["unit"]:
        item["unit"] = _relabel_unit(item["unit"], qty)
    return data, [f"line {index + 1} ({item['description']}) quantity {_qty_text(old)} → {_qty_text(qty)}"]


def _relabel_unit(unit: str, qty: Decimal) -> str:
    for raw in (unit, unit.rstrip("s")):
        if raw.lower() in UNITS:
            return unit_label(raw, qty)
    return unit


_PRICE_RE = re.compile(
    r"^(?:set|change|update|make|raise|lower|increase|decrease)\s+(?:the\s+)?(?P<ref3>(?:unit\s+|hourly\s+|daily\s+)?(?:price|rate))\s+(?:to\s+)?"
    r"(?P<amt3>[^a-z\s]*\d[\d,.']*(?:\s?[A-Z]{3})?\s*(?:/\s?[a-z]+|per\s+[a-z]+|an?\s+[a-z]+|each)?)$"
    r"|^(?:make\s+it|it'?s|it\s+should\s+be|charge)\s+(?P<amt8>[^a-z\s]*\d[\d,.']*(?:\s?[A-Z]{3})?)\s*(?:each|per\s+[a-z]+|/\s?[a-z]+|an?\s+[a-z]+)$"
    r"|^(?:set|change|update|make|put|raise|lower|increase|decrease|bump)\s+(?:the\s+)?(?:unit\s+)?(?:price|rate|hourly\s+rate|cost|fee|amount)\s+(?:of|on|for)\s+(?P<ref>.+?)\s+(?:to|at)\s+(?P<amt>.+)$"
    r"|^(?:set|change|update|make|raise|lower|increase|decrease)\s+(?P<ref2>.+?)(?:'s)?\s+(?:unit\s+)?(?:price|rate|cost|fee)\s+(?:to\s+)?(?P<amt2>.+)$"
    r"|^(?P<ref4>.+?)\s+(?:should\s+(?:be|cost)|costs?|is|at)\s+(?P<amt4>\S*\d\S*(?:\s?(?:each|per\s+\w+|/\w+|an?\s+\w+))?)$"
    r"|^(?:change|set|update|make)\s+(?P<ref5>.+?)\s+to\s+(?P<amt5>\S*\d\S*)\s*(?:each|per\s+\w+|/\w+|an\s+hour|a\s+day)$"
    r"|^(?:make|set|change|update)\s+(?P<ref7>.+?)\s+(?:to\s+)?(?P<amt7>[^\sa-z]*\d[\d,.']*(?:\s?[A-Z]{3}|[^\s\d]{0,2}))$",
    re.IGNORECASE,
)


def _op_price(
    text: str, data: dict[str, Any], current: Invoice, today: dt.date
) -> tuple[dict[str, Any], list[str]] | None:
    match = _PRICE_RE.match(text)
    if not match:
        return None
    groups = match.groupdict()
    ref = _first(groups, "ref")
    amount_text = _first(groups, "amt") or ""
    if groups["amt8"] or (ref is not None and ref.strip().lower() in ("the", "a", "its", "it")):
        ref = "the price"
    if groups["ref4"] and re.search(
        r"\b(?:tax|vat|gst|shipping|delivery|discount|total|due)\b", groups["ref4"], re.IGNORECASE
    ):
        return None
    if groups["ref3"]:
        ref = "the price"
    moneys = find_money(amount_text)
    if not moneys or "%" in amount_text:
        return None
    if ref is None:
        return None
    try:
        index = _item_index(ref, data)
    except _EditError:
        if groups["ref4"] or groups["ref7"]:
            return None
        raise
    item = data["line_items"][index]
    old = Decimal(item["unit_price"])
    money = moneys[-1]
    if groups["ref7"] and money.currency is None and (item["unit"] or Decimal(item["quantity"]) != 1):
        # "change the cards to 3": a count or a price? Both are plausible; ask.
        amount = format(money.amount, "f")
        unit = item["unit"] or "units"
        name = item["description"][:1].lower() + item["description"][1:]
        raise _EditError(
            f"Should line {index + 1} ({item['description']}) be {amount} {unit}, or cost {amount} each? "
            f"Say “set item {index + 1} quantity to {amount}” or “change the price of {name} to {amount}”."
        )
    item["unit_price"] = money.amount
    change = f"{item['description']} price {format_amount(old, current.currency_code)} → {format_amount(money.amount, current.currency_code)}"
    changes = [change]
    if money.currency and money.currency != current.currency_code:
        changes.append(
            f"note: the amount was written in {money.currency} but the document is in {current.currency_code}"
        )
    return data, changes


_TAX_CHANGE_RE = re.compile(
    r"^(?:change|set|update|make|raise|lower|increase|decrease|adjust|put|bump|move|fix)\s+(?:the\s+)?(?P<name>[a-z ]*?tax(?:es)?|vat|gst|hst|pst|qst|iva|tva|mwst)(?:\s+rate)?\s+(?:to|at|=)?\s*(?P<rate>\d+(?:[.,]\d+)?)\s*%?$"
    r"|^(?:the\s+)?(?P<name2>[a-z ]*?tax|vat|gst|hst|pst|qst)(?:\s+rate)?\s+(?:should\s+be|is|=)\s+(?P<rate2>\d+(?:[.,]\d+)?)\s*%?$"
    r"|^(?:change|set|update|make)\s+(?:the\s+)?tax\s+rate\s+(?:to\s+)?(?P<rate3>\d+(?:[.,]\d+)?)\s*%?$",
    re.IGNORECASE,
)


def _op_tax_change(
    text: str, data: dict[str, Any], current: Invoice, today: dt.date
) -> tuple[dict[str, Any], list[str]] | None:
    match = _TAX_CHANGE_RE.match(text)
    if not match:
        return None
    groups = match.groupdict()
    name = (groups["name"] or groups["name2"] or "tax").strip()
    rate = parse_number(groups["rate"] or groups["rate2"] or groups["rate3"])
    taxes = data["taxes"]
    target = _tax_named(name, data)
    if target is None and re.fullmatch(r"(?:the\s+)?tax(?:es)?(?:\s+rate)?", name, re.IGNORECASE):
        if len(taxes) == 1:
            target = taxes[0]
        elif len(taxes) > 1:
            names = " or ".join(t["name"] for t in taxes)
            raise _EditError(f"Which tax should be {format(rate, 'f')}%: {names}?")
    if target is None:
        label = tax_label(name)
        taxes.append(Tax(name=label, rate_percent=rate).model_dump())
        return data, [f"added {label} {format(rate.normalize(), 'f')}%"]
    old = Decimal(target["rate_percent"])
    target["rate_percent"] = rate
    return data, [f"{target['name']} {format(old.normalize(), 'f')}% → {format(rate.normalize(), 'f')}%"]


_DISCOUNT_CHANGE_RE = re.compile(
    r"^(?:change|set|update|make|raise|lower|increase|decrease|adjust)\s+(?:the\s+)?discount\s+(?:to\s+)?(?P<value>.+)$"
    r"|^(?:the\s+)?discount\s+(?:should\s+be|is|=)\s+(?P<value2>.+)$",
    re.IGNORECASE,
)


def _op_discount_change(
    text: str, data: dict[str, Any], current: Invoice, today: dt.date
) -> tuple[dict[str, Any], list[str]] | None:
    match = _DISCOUNT_CHANGE_RE.match(text)
    if not match:
        return None
    value = (match.group("value") or match.group("value2")).strip()
    pct = re.fullmatch(r"(?P<p>\d+(?:[.,]\d+)?)\s*(?:%|percent)", value, re.IGNORECASE)
    description = data["discounts"][0]["description"] if data["discounts"] else ""
    if pct:
        disc = Discount(description=description, percent=parse_number(pct.group("p")))
        shown = f"{format(disc.percent.normalize(), 'f')}%" if disc.percent is not None else ""
    else:
        moneys = find_money(value)
        if not moneys:
            return None
        disc = Discount(description=description, amount=moneys[-1].amount)
        shown = format_amount(moneys[-1].amount, current.currency_code)
    data["discounts"] = [disc.model_dump()]
    return data, [f"discount set to {shown}"]


_SHIPPING_CHANGE_RE = re.compile(
    r"^(?:change|set|update|make|raise|lower|increase|decrease|adjust)\s+(?:the\s+)?(?:shipping|delivery|postage|freight)(?:\s+(?:fee|cost|charge))?\s+(?:to\s+)?(?P<amt>.+)$",
    re.IGNORECASE,
)


def _op_shipping_change(
    text: str, data: dict[str, Any], current: Invoice, today: dt.date
) -> tuple[dict[str, Any], list[str]] | None:
    match = _SHIPPING_CHANGE_RE.match(text)
    if not match:
        return None
    moneys = find_money(match.group("amt"))
    if not moneys:
        if re.fullmatch(r"free|zero|nothing", match.group("amt").strip(), re.IGNORECASE):
            data["shipping"] = Decimal(0)
            return data, ["shipping is now free"]
        return None
    data["shipping"] = moneys[-1].amount
    return data, [f"shipping {format_amount(moneys[-1].amount, current.currency_code)}"]


_CURRENCY_RE = re.compile(
    r"^(?:(?:make|change|switch|convert|set|put|turn)\s+(?:it|this|everything|currency|the\s+(?:invoice|quote|document|currency|receipt|prices))?\s*(?:to|in|into)?|"
    r"(?:use|bill\s+in|invoice\s+in|price\s+(?:it\s+)?in|do\s+it\s+in|in|currency(?:\s+should\s+be|\s+is)?:?|change\s+currency\s+to|"
    r"change\s+the\s+currency\s+to|set\s+the\s+currency\s+to|switch\s+(?:the\s+)?currency\s+to))\s*(?P<cur>[A-Za-z$€£¥₹ .]+?)$",
    re.IGNORECASE,
)


def _op_currency(
    text: str, data: dict[str, Any], current: Invoice, today: dt.date
) -> tuple[dict[str, Any], list[str]] | None:
    match = _CURRENCY_RE.match(text)
    if not match:
        return None
    code = currency_from_word(match.group("cur").strip())
    if code is None:
        return None
    if code == current.currency_code:
        raise _EditError(f"The document is already in {code}.")
    data["currency_code"] = code
    return data, [f"currency {current.currency_code} → {code} (amounts kept as written, not converted)"]


_KIND_RE = re.compile(
    r"^(?:make|turn|convert|change|switch)\s+(?:it|this|the\s+(?:document|invoice|quote|receipt))?\s*(?:in)?(?:to|into)?\s+(?:an?\s+)?(?P<kind>invoice|quote|quotation|estimate|receipt|purchase\s+order|po)$"
    r"|^(?:it|this)\s+(?:should\s+be|is)\s+(?:an?\s+)?(?P<kind2>invoice|quote|quotation|estimate|receipt|purchase\s+order)$",
    re.IGNORECASE,
)
_KIND_OF = {
    "invoice": DocumentKind.INVOICE,
    "quote": DocumentKind.QUOTE,
    "quotation": DocumentKind.QUOTE,
    "estimate": DocumentKind.QUOTE,
    "receipt": DocumentKind.RECEIPT,
    "purchase order": DocumentKind.PURCHASE_ORDER,
    "po": DocumentKind.PURCHASE_ORDER,
}


def _op_kind(
    text: str, data: dict[str, Any], current: Invoice, today: dt.date
) -> tuple[dict[str, Any], list[str]] | None:
    match = _KIND_RE.match(text)
    if not match:
        return None
    word = " ".join((match.group("kind") or match.group("kind2")).lower().split())
    kind = _KIND_OF[word]
    if kind == current.kind:
        raise _EditError(f"It already is {_a(_KIND_NAMES[kind])}.")
    data["kind"] = kind
    return data, [f"now {_a(_KIND_NAMES[kind])}"]


def _a(noun: str) -> str:
    """ "an invoice", "a quote"."""
    return f"an {noun}" if noun[:1].lower() in "aeiou" else f"a {noun}"


_BUYER_CHANGE_RE = re.compile(
    r"^(?:bill|invoice|charge|send\s+(?:it|this)\s+to|address\s+(?:it|this)\s+to|make\s+(?:it|this)\s+out\s+to|"
    r"(?:change|switch|set|update|rename)\s+(?:the\s+)?(?:client|customer|buyer|recipient|bill[\s-]to)(?:'?s)?(?:\s+name)?\s+(?:to|as)|"
    r"(?:the\s+)?(?:client|customer|buyer|recipient)\s+(?:is|should\s+be)|it'?s\s+for|(?:it\s+should\s+be\s+)?for)\s+(?P<name>.+)$",
    re.IGNORECASE,
)
_SELLER_CHANGE_RE = re.compile(
    r"^(?:(?:change|switch|set|update|rename)\s+(?:the\s+)?(?:seller|sender|supplier|vendor|from)(?:'?s)?(?:\s+name)?\s+(?:to|as)|"
    r"(?:the\s+)?(?:seller|sender|supplier|vendor)\s+(?:is|should\s+be)|(?:it'?s\s+)?from|i'?m|i\s+am|we\s+are)\s+(?P<name>.+)$",
    re.IGNORECASE,
)
_ADDRESS_RE = re.compile(
    r"^(?:(?:add|set|change|update)\s+(?:the\s+)?)?(?P<role>buyer|client|customer|seller|my|our|their)(?:'s)?\s+address\s*(?:to|is|:)?\s*(?P<addr>.+)$",
    re.IGNORECASE,
)
_EMAIL_RE = re.compile(
    r"^(?:(?:add|set|change|update)\s+(?:the\s+)?)?(?P<role>buyer|client|customer|seller|my|our|their)(?:'s)?\s+e-?mail\s*(?:to|is|:)?\s*(?P<email>[\w.+-]+@[\w-]+(?:\.[\w-]+)+)$",
    re.IGNORECASE,
)


def _op_party(
    text: str, data: dict[str, Any], current: Invoice, today: dt.date
) -> tuple[dict[str, Any], list[str]] | None:
    match = _ADDRESS_RE.match(text)
    if match:
        role = "seller" if match.group("role").lower() in ("seller", "my", "our") else "buyer"
        lines = [p.strip() for p in match.group("addr").split(",") if p.strip()]
        data[role]["address_lines"] = lines
        return data, [f"{role} address: {', '.join(lines)}"]
    match = _EMAIL_RE.match(text)
    if match:
        role = "seller" if match.group("role").lower() in ("seller", "my", "our") else "buyer"
        data[role]["email"] = match.group("email")
        return data, [f"{role} e-mail: {match.group('email')}"]
    for role, regex in (("buyer", _BUYER_CHANGE_RE), ("seller", _SELLER_CHANGE_RE)):
        match = regex.match(text)
        if not match:
            continue
        raw = match.group("name").strip()
        if re.match(r"^(?:number|no\.|#)", raw, re.IGNORECASE):
            return None
        if re.match(r"^(?:it\s+should\s+be\s+)?for\s", text, re.IGNORECASE) and not raw[:1].isupper():
            return None  # "for the logo, 500" is not a new buyer
        parts = [p.strip() for p in raw.split(",") if p.strip()]
        first = parts[0] if parts else ""
        if find_money(first) or "%" in raw or re.search(r"\b(?:days?|hours?)\b", first, re.IGNORECASE):
            return None
        name = clean_name(parts[0])
        if not name or name.lower() in ("it", "this", "that", "me", "free"):
            return None
        old = data[role]["name"]
        data[role] = Party(name=name, address_lines=parts[1:]).model_dump()
        return data, [f"{role} {old} → {name}" if old else f"{role} {name}"]
    return None


_FIELD_CHANGE_RE = re.compile(
    r"^(?:change|set|update|make|move|push|extend|put)\s+(?:the\s+)?(?P<field>due\s+date|due|issue\s+date|invoice\s+date|date|number|invoice\s+number|"
    r"quote\s+number|notes?|memo|payment\s+terms|terms|reference|po\s+number|valid(?:ity)?(?:\s+date)?|expiry(?:\s+date)?)\s+(?:to|as|:)?\s*(?P<value>.+)$",
    re.IGNORECASE,
)


def _op_field_change(
    text: str, data: dict[str, Any], current: Invoice, today: dt.date
) -> tuple[dict[str, Any], list[str]] | None:
    match = _FIELD_CHANGE_RE.match(text)
    if not match:
        return None
    field_name = " ".join(match.group("field").lower().split())
    value = match.group("value").strip().strip("“”\"'")
    if field_name in ("due date", "due"):
        rewritten = value if re.match(r"^net", value, re.IGNORECASE) else f"due {value}"
        draft = read_request(rewritten, today)
    elif field_name in ("issue date", "invoice date", "date"):
        draft = read_request(f"dated {value}", today)
    elif "number" in field_name and "po" not in field_name:
        draft = Draft(number=value.lstrip("#"))
    elif field_name in ("note", "notes", "memo"):
        draft = Draft(notes=value[:1].upper() + value[1:])
    elif field_name in ("payment terms", "terms"):
        draft = read_request(f"terms: {value}", today)
    elif field_name in ("reference", "po number"):
        draft = Draft(reference=value.lstrip("#"))
    else:
        draft = read_request(f"valid until {value}", today)
    if not draft.has_content() or draft.unknown:
        raise _EditError(f"I couldn't read “{value}” as a {field_name}.")
    return _additive(data, draft, text, current, today)


def _additive(
    data: dict[str, Any], draft: Draft, text: str, current: Invoice, today: dt.date
) -> tuple[dict[str, Any], list[str]]:
    """Merge what a message adds ("add 2 hours of QA at $80", "GST 5%", "due in 45 days") into the document."""
    changes: list[str] = []
    currency = data["currency_code"]
    if draft.currency and draft.currency != currency:
        changes.append(f"currency {currency} → {draft.currency} (amounts kept as written, not converted)")
        currency = data["currency_code"] = draft.currency
    if draft.buyer is not None:
        old = data["buyer"]["name"]
        data["buyer"] = draft.buyer.model_dump()
        changes.append(f"buyer {old} → {draft.buyer.name}" if old else f"buyer {draft.buyer.name}")
    if draft.seller is not None:
        data["seller"] = draft.seller.model_dump()
        changes.append(f"seller {draft.seller.name}")
    for item in draft.items:
        if not item.description:
            raise _EditError(
                f"What are the {_qty_text(item.quantity)} {item.unit} for? Say for example "
                f"“add {_qty_text(item.quantity)} {item.unit} of QA at 80”."
            )
        if item.unit_price is None:
            raise _NeedPrice(len(data["line_items"]), item.description, item.quantity, item.unit)
        new = {
            "description": item.description,
            "quantity": item.quantity,
            "unit": item.unit,
            "unit_price": item.unit_price,
            "tax_names": [],
            "tax_exempt": False,
            "discount": item.discount.model_dump() if item.discount else None,
            "sku": "",
        }
        data["line_items"].append(new)
        changes.append("added " + _fmt_item(new, currency))
    if draft.items and draft.currency_hint and draft.currency_hint != currency and not draft.currency:
        changes.append(
            f"note: the price was written in {draft.currency_hint} but the document is in {currency}"
        )
    for tax in draft.taxes:
        existing = _tax_named(tax.name, data)
        if existing is not None:
            old_rate = Decimal(existing["rate_percent"])
            existing["rate_percent"] = tax.rate_percent
            changes.append(
                f"{tax.name} {format(old_rate.normalize(), 'f')}% → {format(tax.rate_percent.normalize(), 'f')}%"
            )
        else:
            data["taxes"].append(tax.model_dump())
            changes.append(f"added {tax.name} {format(tax.rate_percent.normalize(), 'f')}%")
    # Whole-document discounts replace the ones there unless the message says "another"/"extra".
    whole: list[Discount] = list(draft.discounts)
    for line in draft.line_discounts:
        try:
            index = _item_index(line.target, data)
        except _EditError:
            if line.strict:
                raise
            whole.append(_reason_discount(line.target, line.discount))
            continue
        data["line_items"][index]["discount"] = line.discount.model_dump()
        changes.append(
            f"{_fmt_discount(line.discount, currency)} off line {index + 1} "
            f"({data['line_items'][index]['description']})"
        )
    if whole:
        if not re.search(r"\b(?:another|additional|extra|second|also|more)\b", text, re.IGNORECASE):
            data["discounts"] = []
        for disc in whole:
            data["discounts"].append(disc.model_dump())
            named = f" ({disc.description})" if disc.description else ""
            changes.append(f"added a {_fmt_discount(disc, currency)} discount{named}")
    if draft.shipping is not None:
        data["shipping"] = draft.shipping
        changes.append(f"shipping {format_amount(draft.shipping, currency)}")
    issue = draft.issue_date or data["issue_date"] or today
    if draft.issue_date is not None:
        data["issue_date"] = draft.issue_date
        changes.append(f"issue date {draft.issue_date.isoformat()}")
    if draft.due is not None:
        data["due_date"] = _due_date(draft.due, issue)
        data["payment_terms"] = draft.payment_terms or ""
        terms = f" ({draft.payment_terms})" if draft.payment_terms else ""
        changes.append(f"due {data['due_date'].isoformat()}{terms}")
    elif draft.payment_terms:
        data["payment_terms"] = draft.payment_terms
        changes.append(f"terms {draft.payment_terms}")
    if draft.number:
        data["number"] = draft.number
        changes.append(f"number {draft.number}")
    if draft.reference:
        data["reference"] = draft.reference
        changes.append(f"reference {draft.reference}")
    if draft.valid_until:
        data["valid_until"] = draft.valid_until
        changes.append(f"valid until {draft.valid_until.isoformat()}")
    if draft.notes:
        data["notes"] = draft.notes
        changes.append(f"note: {draft.notes}")
    if draft.amount_paid is not None:
        data["amount_paid"] = draft.amount_paid
        changes.append(f"paid {format_amount(draft.amount_paid, currency)}")
    if draft.paid_in_full:
        data["amount_paid"] = compute_totals(Invoice.model_validate(data)).total
        changes.append("paid in full")
    if draft.payment_method:
        data["payment_method"] = draft.payment_method
        changes.append(f"paid by {draft.payment_method}")
    if not changes:
        raise _EditError(
            f"I didn't understand how to change the {_KIND_NAMES[current.kind]} from “{text}”. "
            f"I understand edits like {EXAMPLES}."
        )
    return data, changes


def _reason_discount(target: str, disc: Discount) -> Discount:
    """ "5% discount for early payment": a target that is no line is the discount's reason."""
    if disc.description:
        return disc
    reason = re.sub(r"^(?:the|a|an)\s+", "", target.strip(), flags=re.IGNORECASE)
    return disc.model_copy(
        update={"description": (reason[:1].upper() + reason[1:] + " discount") if reason else ""}
    )


def _fmt_discount(disc: Discount, currency: str) -> str:
    if disc.percent is not None:
        return f"{format(disc.percent.normalize(), 'f')}%"
    return format_amount(disc.amount or Decimal(0), currency)
