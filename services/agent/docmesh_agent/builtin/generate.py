"""A new document: the draft read from the messages so far, built into an Invoice, or the one
question that completes it ("Who should I bill?", "What is the price of the logo design?")."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from typing import Any

from pydantic import ValidationError

from docmesh_agent.builtin.accounting import number_question, unaccounted
from docmesh_agent.builtin.answers import answer_nested, asked_about, note_waiting
from docmesh_agent.builtin.counts import count_by_rate, price_answer
from docmesh_agent.builtin.drafts import Draft, DraftItem, line_of
from docmesh_agent.builtin.edits.discounts import reason_discount
from docmesh_agent.builtin.edits.find_line import find_line
from docmesh_agent.builtin.edits.op import EditError
from docmesh_agent.builtin.interpretation import Interpretation
from docmesh_agent.builtin.labels import capitalised, clean_description, singular
from docmesh_agent.builtin.money import parse_number
from docmesh_agent.builtin.read_parties import LEAD_RE
from docmesh_agent.builtin.read_request import give_buyer_email, read_request
from docmesh_agent.builtin.replies import ask_for, created, why
from docmesh_agent.builtin.words import UNIT_RE
from docmesh_common.model.invoice import DocumentKind, Invoice, Party
from docmesh_common.model.totals import compute_totals


def fold(draft: Draft | None, message: str, today: dt.date) -> Draft:
    """Read `message` on top of what earlier messages said; it may answer the question they left.

    An answer of several facts ("Hooli, 1200" to "Who should I bill?" about an unpriced line) is
    also read fact by fact; that reading wins when it leaves less to ask."""
    if (
        draft is not None
        and "," not in message
        and draft.missing()[:1]
        and draft.missing()[0].endswith(".unit_price")
    ):
        # "rotation 40 alignment 89.95": an answer naming prices one after the other, unjoined.
        message = _NAMED_PRICE_THEN_NAME.sub(r"\g<0>,", message)
    whole = _fold_one(draft, message, today)
    if draft is not None and draft.said_numbers:
        missing = draft.missing()
        asked = unaccounted(draft, today) if not missing else []
        if asked or missing[:1] == ("unclear",):
            # The message answers a question about a number (one that had no role, or one whose
            # role was unclear): the numbers said before (and the same numbers in the answer)
            # are accounted for by the answer.
            done = {n.text for n in draft.said_numbers}
            whole.said_numbers = [n for n in whole.said_numbers if n.text not in done]
    if draft is None or not draft.missing() or not _FACTS_RE.search(message):
        return whole
    stepwise = draft
    for part in _FACTS_RE.split(message):
        if part.strip():
            stepwise = _fold_one(stepwise, part, today)
    return stepwise if len(stepwise.missing()) < len(whole.missing()) else whole


_FACTS_RE = re.compile(r"\s*[,;]\s+")
_NAMED_PRICE_THEN_NAME = re.compile(
    rf"(?<![\w.,])[A-Za-z][\w'-]*\s+[$€£]?\d[\d,]*(?:\.\d+)?(?=\s+(?!(?:at|x|for|each|per|an?|of|in|on|and|plus|"
    rf"{UNIT_RE})\b)[A-Za-z][\w'-]*(?:\s+[A-Za-z][\w'-]*)?\s+[$€£]?\d)",
    re.IGNORECASE,
)
# "8 of them at 22.50 each": a count of the thing asked about, named by a pronoun.
_COUNT_OF_THEM = re.compile(r"^\s*(?P<n>\d+(?:[.,]\d+)?)\s+of\s+(?:them|those|these)\b", re.IGNORECASE)


def _pronoun_named(draft: Draft | None, message: str) -> str:
    """An answer's "8 of them" counts the line whose price was asked: it is read as "8 vinyl
    banners" (it was a line "8 of them", and the asked line stayed one at 22.50)."""
    match = _COUNT_OF_THEM.match(message)
    missing = draft.missing() if draft is not None and match else []
    if not match or draft is None or not missing or not missing[0].startswith("line_items["):
        return message
    described = draft.items[line_of(missing[0])].description
    return f"{match.group('n')} {described.lower()}{message[match.end() :]}" if described else message


def _fold_one(draft: Draft | None, message: str, today: dt.date) -> Draft:
    """`fold` for one reading of the whole message."""
    message = _pronoun_named(draft, message)
    new = read_request(message, today)
    note_waiting(message, today, new)  # the next turn asks it of this message (read_edit.answer_pending)
    if draft is None or not draft.has_content():
        if _weak_only(new):
            # "blah blah": an unpriced "item" and nothing else is not a request.
            new.unknown.extend(i.description for i in new.items)
            new.items = []
        return new
    missing = draft.missing()
    if missing and missing[0] == "unclear" and any(asked_about(i) for i in draft.items):
        # The answer is about the count or price asked; nothing else is read from it.
        answered = answer_nested(draft, message)
        return replace(_merge(answered, Draft()), unclear=answered.unclear)
    if (new.buyer or (new.kind and LEAD_RE.match(message.strip()))) and new.items and not new.missing():
        # A complete request of its own starts over: the same message sent again after a
        # failed turn, or a different request instead of answering the question. A kind read
        # from "paid by card" alone is an answer's detail, not a new request.
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
        index = line_of(missing[0])
        draft = replace(draft, items=[*draft.items])
        draft.items[index] = replace(draft.items[index], description=clean_description(message))
        new = Draft()
    elif (
        missing
        and missing[0].endswith(".unit_price")
        and (bare := _bare_amounts(new)) is not None
        and (priced := price_answer(bare, draft.items[line_of(missing[0])])) is not None
    ):
        # "the boiler service" asked its price: "95, and 2 hrs extra labour at 60, due in 7 days",
        # "1.8k + 2 rounds of revisions at 150 each": the one bare amount of the answer is the
        # asked line's price; the answer's lines are lines of their own.
        index = line_of(missing[0])
        draft = replace(draft, items=[*draft.items])
        draft.items[index], hint = priced
        if hint and draft.currency_hint is None:
            draft.currency_hint = hint
        new.unknown = [u for u in new.unknown if u != bare]
    elif (
        missing
        and missing[0].endswith(".unit_price")
        and len(new.items) == 1
        and new.items[0].described_by_unit
        and new.items[0].quantity == 1
        and new.items[0].unit_price is not None
        and draft.items[line_of(missing[0])].unit
        and singular(new.items[0].unit.lower()) == singular(draft.items[line_of(missing[0])].unit.lower())
    ):
        # "8 hours of consulting" asked its rate: "75 per hour" is that rate (never a line of one
        # hour of "Services").
        index = line_of(missing[0])
        draft = replace(draft, items=[*draft.items])
        draft.items[index] = replace(draft.items[index], unit_price=new.items[0].unit_price)
        new.items = []
    elif (
        missing
        and missing[0].endswith(".unit_price")
        and sum(_counted_only(i) for i in new.items) == 1
        and draft.items[line_of(missing[0])].quantity == 1
        and not draft.items[line_of(missing[0])].unit
    ):
        # "Invoice Umbrella for gardening" / "6 hours at 25" (and "340 in materials"), "the contract
        # translation" / "3,500 words at 0.10 per word, plus 40 for certification": the answer's
        # count, unit and rate are the asked line's; its other lines are lines.
        index = line_of(missing[0])
        said = next(i for i in new.items if _counted_only(i))
        draft = replace(draft, items=[*draft.items])
        draft.items[index] = replace(
            draft.items[index], quantity=said.quantity, unit=said.unit, unit_price=said.unit_price
        )
        if said.quantity == 1 and said.unit:
            # "a 3-day video shoot" asked its price: "2,400 a day" is 3 days at 2,400.
            draft.items[index] = count_by_rate(replace(draft.items[index], unit=""), said.unit)
        new.items = [i for i in new.items if i is not said]
    elif (
        missing
        and missing[0].endswith(".unit_price")
        and len(new.items) == 1
        and not new.items[0].description
        and new.items[0].unit
        and new.items[0].unit_price is None
        and new.items[0].quantity > 1
        and draft.items[line_of(missing[0])].quantity == 1
        and not draft.items[line_of(missing[0])].unit
    ):
        # "consulting" asked its price: "10 hours" is how many (it was a line "10 hours" asked
        # what it is for); the price is still asked.
        index = line_of(missing[0])
        draft = replace(draft, items=[*draft.items])
        draft.items[index] = replace(
            draft.items[index], quantity=new.items[0].quantity, unit=new.items[0].unit
        )
        new.items = []
    elif missing and missing[0].startswith("taxes.") and (rate := _RATE_RE.search(message)) is not None:
        # "plus VAT" asked "What rate of VAT ...?": "20%" is that tax's rate.
        new.set_tax(missing[0].removeprefix("taxes."), parse_number(rate.group("rate")))
        new.items = [i for i in new.items if i.unit_price is not None]
        new.unknown = []
    elif missing and missing[0].startswith("line_items[") and _prices_by_name(draft, new) is not None:
        # "banner 300, printing 45 a box": each answer names the line it prices.
        draft = _prices_by_name(draft, new) or draft
        new.items = []
        new.unknown = []
    elif missing and _parts_of_the_asked_line(draft, new, missing[0]):
        # "the clutch job" asked its price: "parts 410, labour 3 hrs at 80" are its lines (it was
        # the job at 410 and a line "Labour").
        index = line_of(missing[0])
        draft = replace(draft, items=[*draft.items[:index], *new.items, *draft.items[index + 1 :]])
        new.items = []
    elif missing and _prices_the_asked_line(draft, new, missing[0]):
        # "wedding photography" asked "What is the price ...?": "full day 2,800 plus an album at
        # 450", "6 cartridges at 64.90": the answer's first priced line is the line asked about
        # (its count, unit and price; the asked line keeps its name), the others are lines.
        index = line_of(missing[0])
        said = new.items[0]
        draft = replace(draft, items=[*draft.items])
        draft.items[index] = replace(
            draft.items[index], quantity=said.quantity, unit=said.unit, unit_price=said.unit_price
        )
        new.items = new.items[1:]
    elif missing and missing[0].startswith("line_items[") and not any(i.description for i in new.items):
        index = line_of(missing[0])
        # "400, due in 30 days": the due date is read as such; the price is the one clause that
        # nothing else read (never the 30 of the due date).
        answer = new.unknown[0] if len(new.unknown) == 1 else message
        price = price_answer(answer, draft.items[index])
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


_BARE_AMOUNT = re.compile(r"^[^\s\d]{0,3}\s?\d[\d,.']*(?:\s?[kK])?(?:\s?(?:[€$£¥₹]|[A-Z]{3}))?$")


def _bare_amounts(answer: Draft) -> str | None:
    """The one clause of an answer that is an amount and nothing else ("95", "1.8k", "€400")."""
    bare = [u for u in answer.unknown if _BARE_AMOUNT.match(u.strip())]
    return bare[0] if len(bare) == 1 else None


def _counted_only(item: DraftItem) -> bool:
    """A line of an answer with a count, a unit and a price but no name: "6 hours at 25",
    "3,500 words at 0.10 per word"."""
    # ("2 at 45", "3 x 250" answering the price of "guitar lessons": 2 of them at 45)
    return item.described_by_unit or (
        not item.description and item.unit_price is not None and item.quantity > 1
    )


# What a job's price is made of: said as the answer about the job, they are its lines.
_COST_PARTS = re.compile(
    r"(?:the\s+)?(?:parts?|labou?r|materials?|supplies|travel|call-?out(?:\s+fee)?|mileage|disposal|fees?|"
    r"hardware|equipment|time)",
    re.IGNORECASE,
)


def _parts_of_the_asked_line(draft: Draft, answer: Draft, missing: str) -> bool:
    """The answer prices two or more lines, each a part of a job's cost ("parts", "labour"), and
    the one unpriced line asked about is the job."""
    if not (missing.startswith("line_items[") and missing.endswith(".unit_price")) or answer.buyer:
        return False
    target = draft.items[line_of(missing)]
    return (
        len(answer.items) >= 2
        and target.quantity == 1
        and sum(item.unit_price is None for item in draft.items) == 1
        and all(i.unit_price is not None and _COST_PARTS.fullmatch(i.description) for i in answer.items)
    )


def _prices_the_asked_line(draft: Draft, answer: Draft, missing: str) -> bool:
    """The answer's first line prices the one unpriced line asked about: it has a price and a
    name of its own, the asked line has no count or unit yet, and the answer names no buyer."""
    if not (missing.startswith("line_items[") and missing.endswith(".unit_price")) or answer.buyer:
        return False
    unpriced = [item for item in draft.items if item.unit_price is None]
    target = draft.items[line_of(missing)]
    first = answer.items[0] if answer.items else None
    return (
        len(unpriced) == 1
        and first is not None
        and first.unit_price is not None
        and bool(first.description)
        and not first.described_by_unit
        and target.quantity == 1
        and not target.unit
    )


_RATE_RE = re.compile(r"(?P<rate>\d+(?:[.,]\d+)?)\s*%")


def _prices_by_name(draft: Draft, answer: Draft) -> Draft | None:
    """The draft with its unpriced lines priced by an answer whose every line names one of them
    ("logo 400 and cards 60"); None when the answer is not that (a line it names is not unpriced,
    or two answers name the same line)."""
    draft = _split_named_together(draft, answer)
    unpriced = [i for i, item in enumerate(draft.items) if item.unit_price is None]
    if (
        not answer.items
        or len(unpriced) < 1
        or any(a.unit_price is None or not a.description for a in answer.items)
    ):
        return None
    names = [draft.items[i].description for i in unpriced]
    items = [*draft.items]
    seen: set[int] = set()
    for given in answer.items:
        try:
            found = find_line(given.description, names)
        except EditError:
            return None
        if found is None or found in seen:
            return None
        seen.add(found)
        target = items[unpriced[found]]
        if target.quantity == 1 and not target.unit and given.quantity != 1:
            # "mulch" asked its price: "mulch 12 yards at 45" also says how many.
            items[unpriced[found]] = replace(
                target, quantity=given.quantity, unit=given.unit, unit_price=given.unit_price
            )
            continue
        if given.quantity != 1 and given.quantity != target.quantity:
            return None  # a different count is not an answer about that line
        items[unpriced[found]] = replace(target, unit_price=given.unit_price, unit=target.unit or given.unit)
    return replace(draft, items=items)


def _split_named_together(draft: Draft, answer: Draft) -> Draft:
    """ "logo design and business cards" priced as "logo 400 and cards 60": an unpriced single
    line naming several things is those things, when the answer prices more lines than are
    unpriced (otherwise "fish and chips" stays one line)."""
    unpriced = [item for item in draft.items if item.unit_price is None]
    if len(answer.items) <= len(unpriced):
        return draft
    items: list[DraftItem] = []
    for item in draft.items:
        parts = [p for p in _JOINED_RE.split(item.description) if p.strip()]
        if item.unit_price is None and item.quantity == 1 and len(parts) > 1:
            # ("the hull cleaning and the bottom paint": each without its article)
            named = (re.sub(r"^(?:the|a|an)\s+", "", p.strip(), flags=re.IGNORECASE) for p in parts)
            items.extend(replace(item, description=capitalised(n)) for n in named)
        else:
            items.append(item)
    return replace(draft, items=items)


_JOINED_RE = re.compile(r"\s+(?:and|&)\s+|\s*,\s*", re.IGNORECASE)


def _weak_only(draft: Draft) -> bool:
    """Only unpriced one-off "items" and nothing else: words, not a request."""
    items = draft.items
    if not items or any(i.unit_price is not None or i.quantity != 1 or i.unit for i in items):
        return False
    bare = replace(draft, items=[], unknown=[])
    return not bare.has_content()


def _merge(old: Draft, new: Draft) -> Draft:
    """The draft with what a later message said on top: its fields win, its lines, taxes and discounts add."""
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
        "delivery_date",
        "service_period",
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
    out.exempt_lines = [*old.exempt_lines, *new.exempt_lines]
    out.exempt_after = {**old.exempt_after, **{k: v + len(old.items) for k, v in new.exempt_after.items()}}
    out.taxed_only = [*old.taxed_only, *new.taxed_only]
    out.unrated_taxes = [*old.unrated_taxes, *new.unrated_taxes]
    out.said_numbers = [*old.said_numbers, *new.said_numbers]
    out.unknown = list(new.unknown)
    out.warnings = list(new.warnings)
    # A question about an unclear amount is answered by the next message (or dropped by it).
    out.unclear = list(new.unclear)
    out.buyer_email = new.buyer_email or old.buyer_email
    return give_buyer_email(out)


def generate(draft: Draft, today: dt.date, *, replacing: bool = False) -> Interpretation:
    """The new document the draft describes, or the question for what it still lacks."""
    missing = draft.missing()
    if missing:
        if not draft.has_content():
            return Interpretation.question(
                "I can write invoices, quotes, receipts and purchase orders. Tell me who it is for and "
                "what to put on it, for example: “Invoice Acme Corp for 10 hours of consulting at $150, "
                "8% tax, due in 30 days”.",
                missing,
            )
        asked = Interpretation.question(ask_for(missing, draft), missing)
        return replace(asked, new_document=True) if replacing else asked
    left = unaccounted(draft, today)
    if left:
        # A number nothing took: asked about by name, never a document written without it.
        asked = Interpretation.question(number_question(left[0]), ("unclear",))
        return replace(asked, new_document=True) if replacing else asked
    try:
        invoice = _build(draft, today)
    except (ValidationError, ValueError) as exc:
        return Interpretation.question(f"I could not make a valid document from that: {why(exc)}")
    except EditError as exc:
        # A line discount that names a line the request does not have ("10% off item 5" with
        # one line): ask which line was meant rather than guess or fail the turn.
        return Interpretation.question(f"{exc} Which line should the discount be on?", ("discount",))
    reply, change = created(invoice, draft, replacing=replacing)
    return Interpretation("generate", invoice, reply, (), (change,), new_document=replacing)


# Québec's taxes (TPS, TVQ, QST): their dollars are Canadian dollars.
_CANADIAN_TAXES = frozenset({"TPS", "TVQ", "QST"})


def _build(draft: Draft, today: dt.date) -> Invoice:
    """The Invoice a complete draft describes (line discounts on their lines, else as reasons)."""
    currency = draft.currency or draft.currency_hint or "USD"
    if (
        not draft.currency
        and currency == "USD"
        and any(t.name.upper() in _CANADIAN_TAXES for t in draft.taxes)
    ):
        # "85 $, TPS 5 %, TVQ 9,975 %": dollars with Canada's own taxes are Canadian dollars.
        currency = "CAD"
    issue = draft.issue_date or today
    items = [item.line_data() for item in draft.items]
    discounts = list(draft.discounts)
    data: dict[str, Any] = {
        "kind": draft.kind or DocumentKind.INVOICE,
        "number": draft.number or "",
        "currency_code": currency,
        "issue_date": issue,
        "due_date": draft.due.due_date(issue) if draft.due else None,
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
        "delivery_date": draft.delivery_date,
        "service_period_start": draft.service_period[0] if draft.service_period else None,
        "service_period_end": draft.service_period[1] if draft.service_period else None,
        "amount_paid": draft.amount_paid,
        "payment_method": draft.payment_method or "",
    }
    for line in draft.line_discounts:
        index = find_line(line.target, [i["description"] for i in items])
        if index is not None:
            items[index]["discount"] = line.discount.model_dump()
        elif line.strict:
            raise ValueError(f"no line matches “{line.target}” for the discount")
        else:
            discounts.append(reason_discount(line.target, line.discount))
    for target in draft.exempt_lines:
        index = find_line(target, [i["description"] for i in items])
        if index is None:
            index = _labour_line(target, items)
        if index is None:
            index = draft.exempt_after.get(target)
        if index is None:
            raise ValueError(f"no line matches “{target}” to leave untaxed")
        items[index]["tax_exempt"] = True
    if draft.taxed_only:
        # "GST 5% on the mats only": with one tax, every other line is exempt from it.
        taxed = {find_line(target, [i["description"] for i in items]) for target in draft.taxed_only}
        if None in taxed or len(draft.taxes) != 1:
            raise ValueError(f"no single tax and line match “{', '.join(draft.taxed_only)}” to tax alone")
        for index, item in enumerate(items):
            item["tax_exempt"] = item["tax_exempt"] or index not in taxed
    invoice = Invoice.model_validate(data)
    if draft.paid_in_full:
        invoice = Invoice.model_validate(
            {**invoice.model_dump(), "amount_paid": compute_totals(invoice).total}
        )
    return invoice


_LABOUR = re.compile(r"(?:the\s+)?(?:labou?r|work|time|hours)", re.IGNORECASE)
_TIME_UNITS = frozenset({"hour", "day", "week", "month"})


def _labour_line(target: str, items: list[dict[str, Any]]) -> int | None:
    """ "no tax on the labor": the one line billed by the hour or day (IT support 6 hrs at 90),
    when no line is called that; None when there is no such line or more than one."""
    if not _LABOUR.fullmatch(target.strip()):
        return None
    timed = [n for n, item in enumerate(items) if singular(str(item["unit"]).lower()) in _TIME_UNITS]
    return timed[0] if len(timed) == 1 else None
