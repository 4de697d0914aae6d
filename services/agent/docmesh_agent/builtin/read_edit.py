"""Reading an edit to the current document and applying it: the edit words are trimmed, each
operation in `edits` is tried in turn, and a message of several edits ("remove the shipping and
change the tax to 10%") is applied part by part when each part is understood on its own."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from docmesh_agent.builtin.answers import answer_nested, note_waiting, noted_waiting
from docmesh_agent.builtin.counts import price_answer
from docmesh_agent.builtin.drafts import Draft
from docmesh_agent.builtin.edits.add import add_from_draft
from docmesh_agent.builtin.edits.correction import op_bare_number, op_correction
from docmesh_agent.builtin.edits.currency import op_currency
from docmesh_agent.builtin.edits.discounts import op_discount_change
from docmesh_agent.builtin.edits.fields import op_field_change
from docmesh_agent.builtin.edits.find_line import find_line, line_name
from docmesh_agent.builtin.edits.kind import op_kind
from docmesh_agent.builtin.edits.op import Change, EditError, NeedPrice, Op
from docmesh_agent.builtin.edits.parties import op_party
from docmesh_agent.builtin.edits.price import op_price
from docmesh_agent.builtin.edits.quantity import op_count_said, op_fewer, op_more, op_quantity, op_times
from docmesh_agent.builtin.edits.remove import op_remove
from docmesh_agent.builtin.edits.rename import op_rename
from docmesh_agent.builtin.edits.shipping import op_shipping_change
from docmesh_agent.builtin.edits.taxes import op_tax_change, op_tax_exempt
from docmesh_agent.builtin.interpretation import Interpretation
from docmesh_agent.builtin.labels import plain_number, singular, uncapitalised
from docmesh_agent.builtin.money import one_amount
from docmesh_agent.builtin.read_request import read_request
from docmesh_agent.builtin.replies import EXAMPLES, done, not_understood, price_question, why
from docmesh_agent.builtin.words import NUMBER_WORDS, QTY_WORD_RE
from docmesh_common.model.invoice import Invoice

MAX_EDIT_CHARS = 300


Reader = Callable[[str], Draft]


def answer_pending(last: str, message: str, current: Invoice, today: dt.date) -> Interpretation | None:
    """The edit `message` finishes when it answers what the previous message `last` left waiting:
    a price ("400" after an "add ..." without one), or the count or price question of a line it
    added ("per hour", "total", "70" after "add coaching 10 hours 1500"). None when it answers
    nothing (it is an edit of its own).

    The previous message is read once: whether it could be waiting at all is seen on its reading
    (an unpriced line, or a question about a line), and only then is it replayed as an edit, with
    that reading shared (reading it again and again was three quarters of an edit's cost)."""
    text = strip_edit_words(last)
    if len(text) > MAX_EDIT_CHARS:
        return None
    readings: dict[str, Draft] = {}

    def read(words: str) -> Draft:
        if words not in readings:
            readings[words] = read_request(words, today)
        return readings[words]

    words = _ADD_WORDS.sub("", text)
    noted = noted_waiting(words, today)
    unpriced, asked = noted if noted is not None else note_waiting(words, today, read(words))
    priced = unpriced and _PRICE_ONLY_RE.match(message.strip()) is not None
    if not priced and not asked:
        return None
    added = read(words)
    try:
        _apply_all(text, current, today, read)
    except NeedPrice:
        answered = _answer_price(added, message) if priced else None
        return edit(text, current, today, draft=answered) if answered is not None else None
    except EditError:
        counted = _answer_count(added, message) if asked else None
        return edit(last, current, today, draft=counted) if counted is not None else None
    return None


_PRICE_ONLY_RE = re.compile(
    r"^(?:(?:it'?s|that'?s|it\s+is|the\s+price\s+is|price:?|make\s+it|at|for)\s+)?\S*\d[\d,.']*\S*"
    r"(?:\s?(?:[A-Za-z]{3}|euros?|dollars?|pounds?|yen))?"
    r"(?:\s+(?:each|apiece|per\s+\w+|an?\s+\w+|total|in\s+total|flat|for\s+all))?[.!]?$",
    re.IGNORECASE,
)


def _answer_price(added: Draft, message: str) -> Draft | None:
    """ "400" after an "add ..." that had no price: what that message added, with the price."""
    draft = replace(added, items=list(added.items))
    unpriced = [i for i, item in enumerate(draft.items) if item.unit_price is None]
    answer = price_answer(message, draft.items[unpriced[0]])
    if answer is None:
        return None
    draft.items[unpriced[0]] = answer[0]
    if answer[1]:
        draft.currency_hint = answer[1]
    return draft


def _answer_count(added: Draft, message: str) -> Draft | None:
    """ "per hour", "total", "70" answering the question about a line the previous message added:
    what it added, now complete; None when the message does not answer it."""
    answered = answer_nested(added, message)
    if answered.unclear:
        return None
    return replace(answered, unclear=[])


_ADD_WORDS = re.compile(r"^(?:add|include|also|plus)\s+", re.IGNORECASE)


def edit(text: str, current: Invoice, today: dt.date, *, draft: Draft | None = None) -> Interpretation:
    """The edited document, or the question / explanation when the edit cannot be made."""
    clean = strip_edit_words(text)
    more_total = _MORE_THEN_TOTAL.match(clean)
    if more_total and draft is None:
        # "add 2 more sockets, 8 in total": the count they come to (the 8 was read as the price
        # of a new line "More sockets": 2 x 4.00).
        clean = f"make that {more_total.group('total')} {more_total.group('what')}"
    rate = _RATE_SHOULD_BE.match(clean)
    if rate and rate.group("instead") and draft is None:
        # "the rate is 110 not 100": the line priced 100 (several lines: it asked which).
        was = one_amount(rate.group("was"))
        lines = [
            n for n, i in enumerate(current.line_items) if was is not None and i.unit_price == was.amount
        ]
        if len(lines) == 1:
            clean = f"change the price of item {lines[0] + 1} to {rate.group('amt')}"
    if len(clean) > MAX_EDIT_CHARS and draft is None:
        return Interpretation.question(
            f"That is too long for one change. Please send the changes one at a time, for example {EXAMPLES}."
        )
    try:
        if draft is not None:
            data, changes = add_from_draft(current.model_dump(), draft, clean, current, today)
        else:
            data, changes = _apply_all(clean, current, today)
        invoice = Invoice.model_validate(data)
    except NeedPrice as need:
        missing = (f"line_items[{need.index}].unit_price",)
        return Interpretation.question(price_question(need.description, need.quantity, need.unit), missing)
    except EditError as err:
        return Interpretation.question(str(err))
    except (ValidationError, ValueError) as exc:
        return Interpretation.question(f"I can't make that change: {why(exc)}")
    if invoice == current:
        return Interpretation.question("That is already how the document is; nothing changed.")
    return Interpretation("edit", invoice, done(changes, invoice), (), tuple(changes))


_HOURS_SHOULD_BE = re.compile(
    r"^(?:the\s+)?(?:hours|time)\s+(?:should\s+be|is|are|was|were)\s+(?P<n>\d+(?:[.,]\d+)?)(?:\s+hours?)?"
    r"(?:,?\s+not\s+\d+(?:[.,]\d+)?)?$",
    re.IGNORECASE,
)
_RATE_SHOULD_BE = re.compile(
    r"^(?:the\s+)?(?:hourly\s+|day\s+|daily\s+)?rate\s+(?:should\s+be|is|was)\s+(?P<amt>[^\s\d]{0,3}\d[\d,.]*(?:\s*/\s*h(?:ou)?r|\s+an\s+hour)?)"
    r"(?P<instead>,?\s+(?:not|instead\s+of)\s+(?P<was>[^\s\d]{0,3}\d[\d,.]*))?$",
    re.IGNORECASE,
)
_MORE_THEN_TOTAL = re.compile(
    rf"^(?:add\s+|plus\s+)?(?:\d+|{QTY_WORD_RE})\s+(?:more|extra|additional)\s+(?P<what>[^\W\d_][^,\d]*?),?\s+"
    r"(?:so\s+|that'?s\s+|making\s+(?:it\s+)?)?(?P<total>\d+)\s+(?:in\s+total|total|altogether|in\s+all)$",
    re.IGNORECASE,
)
_EDIT_SPLIT = re.compile(
    r"\s*(?:,|;|\n|\.\s+|\s(?:and|then|also|plus)\s)\s*(?:(?:and|then|also)\s+)?"
    r"(?=(?:please\s+)?(?:add|remove|delete|drop|change|set|make|rename|update|switch|bill|use|replace|increase|"
    r"decrease|raise|lower|mark|put|include|get\s+rid|take\s+off|no\s|without|apply|give|due|net|it'?s\s+due)\b)",
    re.IGNORECASE,
)


def _apply_all(text: str, current: Invoice, today: dt.date, read: Reader | None = None) -> Change:
    """Apply one edit, or several joined by "and"/commas when each one is understood on its own.
    `read` reads what a part adds (read_request, or one that remembers its readings)."""
    parts = [p for p in _EDIT_SPLIT.split(text) if p and p.strip(" ,.;")] if _JOINED.search(text) else [text]
    # "add design 500 and remove the consulting": two changes, never one line that swallows the
    # second (the consulting stayed, silently). Tried first; a part not understood alone leaves it
    # to the whole reading below.
    two_changes = len(parts) > 1 and any(_ANOTHER_OP.match(p.strip()) for p in parts[1:])
    if two_changes:
        with contextlib.suppress(EditError, NeedPrice):
            return _apply_split(parts, current, today, read)
    try:
        return _apply_one(text, current.model_dump(), current, today, read)
    except (EditError, NeedPrice) as whole_error:
        if len(parts) < 2 or two_changes:  # (the parts were tried above: the whole's error stands)
            raise
        try:
            return _apply_split(parts, current, today, read)
        except (EditError, NeedPrice):
            raise whole_error from None


_JOINED = re.compile(r"[,;\n]|\.\s|\s(?:and|then|also|plus)\s", re.IGNORECASE)
# A change that is not an addition: said after "and", it is never part of what is added.
_ANOTHER_OP = re.compile(
    r"^(?:please\s+)?(?:remove|delete|drop|change|set|rename|update|switch|replace|increase|decrease|raise|lower|"
    r"mark|get\s+rid|take\s+off)\b",
    re.IGNORECASE,
)


_REMOVAL = re.compile(r"^(?:please\s+)?(?:remove|delete|drop|get\s+rid|take\s+off)\b", re.IGNORECASE)


def _apply_split(parts: list[str], current: Invoice, today: dt.date, read: Reader | None) -> Change:
    """The parts in the order said, else with the removals last ("remove the consulting and add
    design 500": removing the only line first fails)."""
    try:
        return _apply_parts(parts, current, today, read)
    except (EditError, NeedPrice):
        removals_last = sorted(parts, key=lambda p: bool(_REMOVAL.match(p.strip())))
        if removals_last == parts:
            raise
        return _apply_parts(removals_last, current, today, read)


def _apply_parts(parts: list[str], current: Invoice, today: dt.date, read: Reader | None) -> Change:
    """Each part applied in turn, from the document (the ops change `data` in place)."""
    data = current.model_dump()
    changes: list[str] = []
    for part in parts:
        data, part_changes = _apply_one(
            strip_edit_words(part), data, Invoice.model_validate(data), today, read
        )
        changes.extend(part_changes)
    return data, changes


# A name that ends in an abbreviation keeps its full stop ("bill Acme Inc.").
_ENDS_IN_ABBREVIATION = re.compile(r"\b(?:Inc|Ltd|Co|Corp|Bros|Jr|Sr)\.$")


def strip_edit_words(text: str) -> str:
    """The edit without "please", "actually", "instead", a final full stop (a company's "Inc." keeps it)."""
    text = text.strip()
    if re.search(r"\b(?:notes?|memo)\s*[:\-\"“]", text, re.IGNORECASE):
        return text  # the note's own words are kept as written
    if not _ENDS_IN_ABBREVIATION.search(text):
        text = text.rstrip(".!")
    text = re.sub(
        r"^(?:make\s+(?:it|this)|have\s+it|set\s+it\s+to\s+be)\s+(?=(?:due|payable|net|valid)\b)",
        "",
        text,
        flags=re.IGNORECASE,
    )
    text = re.sub(
        r"^(?:(?:actually|oh|oops|sorry|wait|hmm|ok|okay|yes|also|and|then|please|pls|can\s+you|could\s+you|"
        r"my\s+(?:mistake|bad|error)|"
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
    # "hours should be 9.5", "the rate is 110 not 100": the count or rate of the document's line, as
    # the edits read it ("it was 9.5 hours", "change the rate to 110"; both were not understood).
    text = _HOURS_SHOULD_BE.sub(r"it was \g<n> hours", text)
    rate = _RATE_SHOULD_BE.match(text)
    if rate and not rate.group("instead"):
        text = f"change the rate to {rate.group('amt')}"
    # "they asked for more time, push the due date back a week": why, before the change.
    text = re.sub(
        r"^(?:they|he|she|the\s+(?:client|customer))\s+(?:asked|wanted|requested|called|said|emailed)\b[^\d,]*,\s*",
        "",
        text,
        flags=re.IGNORECASE,
    )
    # "knock 15% off the posters, they're a regular": why, after the change, without a number.
    text = re.sub(
        r",\s*(?:(?:as|since|because)\s+)?(?:they|he|she)(?:'re|’re|'s|’s|\s+are|\s+is|\s+were|\s+was)\s+(?-i:[^\d,A-Z]*)$",
        "",
        text,
        flags=re.IGNORECASE,
    )
    # "can you do 25% off the brake cables", "put 10% off the chairs": the verb before a discount.
    text = re.sub(
        r"^(?:do|put|apply|take|knock)\s+(?=(?:an?\s+)?\S*\d[\d.,]*\s*%?\s+off\b)",
        "",
        text,
        flags=re.IGNORECASE,
    )
    text = text.strip(" ,!?")
    return text if _ENDS_IN_ABBREVIATION.search(text) else text.strip(" .")


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


# The operations in the order they are tried: the more specific phrasings first ("no VAT on
# line 2" before "no VAT", "2 more hours" before a quantity, a quantity before a price).
_OPS: tuple[Op, ...] = (
    op_fewer,
    op_tax_exempt,
    op_remove,
    op_rename,
    op_more,
    op_times,
    op_quantity,
    op_count_said,
    op_correction,
    op_bare_number,
    op_price,
    op_tax_change,
    op_discount_change,
    op_shipping_change,
    op_currency,
    op_kind,
    op_party,
    op_field_change,
)


def _same_line_or_new(description: str, price: Decimal, data: dict[str, Any]) -> None:
    """ "desk 250", "the consulting rate is 175 from March 1" without "add": a line that is already
    there, priced again. A new price or a second line? Asked (a duplicate line is a wrong total)."""
    try:
        index = find_line(description, [i["description"] for i in data["line_items"]])
    except EditError:
        return
    if index is None:
        return
    item = data["line_items"][index]
    name = uncapitalised(item["description"])
    raise EditError(
        f"Should the {name} cost {plain_number(price)} instead of {plain_number(Decimal(item['unit_price']))}, "
        f"or is it a new line? Say “change the price of the {name} to {plain_number(price)}” or "
        f"“add {description.lower()} at {plain_number(price)}”."
    )


def _number_of_a_line(text: str, description: str, data: dict[str, Any]) -> None:
    """Without "add", a new line whose message also names a line that is there ("nur 5 Stühle"
    read as a line "Nur" at 5): the number may be that line's count or price, not a new line's.
    Asked (never a line made of the other words)."""
    said = {singular(w.casefold()) for w in re.findall(r"[^\W\d_]{3,}", description)}
    for word in re.findall(r"[^\W\d_]{3,}", text):
        key = singular(word.casefold())
        if key in said:
            continue
        for item in data["line_items"]:
            if singular(item["description"].casefold()) == key:
                name = uncapitalised(item["description"])
                raise EditError(
                    f"What should change on the {name}: its quantity or its price? Say for example "
                    f"“set the {name} quantity to 5” or “change the price of the {name} to 90”."
                )


_PRICE_SAID = re.compile(
    r"[$€£¥₹]|\b(?:(?-i:[A-Z]{3})|at|@|each|per|a\s+piece|apiece|for|costs?|costing|priced|euros?|dollars?|bucks|pounds|francs?|=)(?=\s|\d|$)|@|=|/\s?[a-z]",
    re.IGNORECASE,
)
_NO_VALUE_RE = re.compile(
    r"^(?:change|update|set|fix|adjust|correct)\s+(?:the\s+)?(?P<what>price|rate|quantity|amount|unit\s+price)$",
    re.IGNORECASE,
)


_COUNT_WORD_AT_END = re.compile(
    r"^((?:make|set|change|update)\b.*\s)(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty)$",
    re.IGNORECASE,
)


def _read_noted(words: str, today: dt.date) -> Draft:
    """read_request, with what it leaves waiting noted: the next turn's answer_pending asks it."""
    reading = read_request(words, today)
    note_waiting(words, today, reading)
    return reading


def _apply_one(
    text: str, data: dict[str, Any], current: Invoice, today: dt.date, read: Reader | None = None
) -> Change:
    """The first operation that reads `text`; else what it adds (a line, a tax, a due date, ...)."""
    # "make the platters five", "set the chairs to twelve": a count in words ends the change.
    text = _COUNT_WORD_AT_END.sub(lambda m: f"{m.group(1)}{NUMBER_WORDS[m.group(2).lower()]}", text)
    for op in _OPS:
        result = op(text, data, current, today)
        if result is not None:
            return result
    adding = re.match(r"^(?:add|include|also|plus|put|(?:throw|toss|chuck)\s+in)\s+", text, re.IGNORECASE)
    words = text[adding.end() :] if adding else text
    # A remembered reading is shared: what is unknown here is noted on a copy.
    draft = (
        replace(read(words), unknown=list(read(words).unknown))
        if read is not None
        else _read_noted(words, today)
    )
    # Without "add", an unpriced "item", or one that starts with a verb, is more likely words we
    # did not understand than a new line.
    if not adding and any(
        i.unit_price is None or _EDIT_VERB_RE.match(i.description) or i.description.lower() in _FIELD_WORDS
        for i in draft.items
    ):
        draft.unknown.append(text)
    if not adding and draft.items and not _PRICE_SAID.search(text):
        # "finally 12 tables", "al final fueron 5 revisiones": without "add", a currency or a price
        # word, a bare number is a count far more often than a price; never a new line priced at it
        # (it was a line "Finally" at 12, a wrong total).
        draft.unknown.append(text)
    if not adding and len(draft.items) == 1 and draft.items[0].unit_price is not None:
        _same_line_or_new(draft.items[0].description, draft.items[0].unit_price, data)
    if not adding:
        for item in draft.items:
            _number_of_a_line(text, item.description, data)
    if draft.has_content() and not draft.unknown:
        return add_from_draft(data, draft, text, current, today)
    bare = _NO_VALUE_RE.match(text)
    if bare:
        # "change the price": what to change is clear, the new value is not; ask for it.
        what = bare.group("what").lower()
        lines = data["line_items"]
        if len(lines) == 1:
            raise EditError(f"What should the {what} of {line_name(data, 0)} be?")
        raise EditError(f"Which line's {what} should change, and to what?")
    raise EditError(not_understood(current.kind, text))
