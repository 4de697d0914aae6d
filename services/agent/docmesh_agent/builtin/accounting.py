"""Account for every number: the check that runs before a new document is written.

Each reader takes the numbers it understands (a quantity, a price, a rate, a discount, a date, a
term, an id, a contact, an address part). A wording no rule was written for can leave a number
that nothing took ("travel 35 km" read as a line without its 35) or take a price from a number
whose role is doubtful. Instead of trusting every reader to notice, the request's numbers are
counted once at the end: a number the document does not use in any role is asked about, by name,
in one question, rather than a document written without it. This is what keeps an unseen
phrasing from becoming a silently wrong amount.

A number has a role when it is, in the draft:
- an item's quantity, unit price or line total, a count inside its description, its discount;
- a tax rate, a discount, the shipping, the amount paid, the subtotal;
- a date part or a contact detail / id (see not_amounts: they are never prices);
- a span of days, weeks or months of a term (due, valid until, delivery) counted from today;
- written inside a text of the document (a description, a name, an address, a note, a reference).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from decimal import Decimal

from docmesh_agent.builtin.counts import HEADCOUNT, HOLDER_OF
from docmesh_agent.builtin.drafts import Draft, SaidNumber
from docmesh_agent.builtin.money import parse_number
from docmesh_agent.builtin.not_amounts import date_or_contact_spans
from docmesh_agent.builtin.words import UNIT_RE

# A number on its own: not glued to letters ("A4", "Q3", "2nd", "5kg" are names, ordinals and
# measures that stay in the text they are part of).
_NUMBER = re.compile(
    r"(?<![\w.,'/#-])(?:\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:,\d+)?(?=\s*[€$£]|\s+(?:EUR|CHF|euros?)\b)"
    r"|\d+(?:[.,']\d+)*)(?![\w/]|[.,']\d)"
)


# "400 incl. 20% VAT": the rate of a tax the price already includes (the reply says so).
_INCLUDED_RATE = re.compile(
    r"\b(?:incl\.?|including|inclusive\s+of|inc\.)\s+\d+(?:[.,]\d+)?\s*%", re.IGNORECASE
)


def said_numbers(clause: str) -> list[SaidNumber]:
    """The numbers of a clause that need a role (not those of a date, a contact or an id)."""
    if not any(c.isdigit() for c in clause):
        return []
    spans = date_or_contact_spans(clause) + tuple(m.span() for m in _INCLUDED_RATE.finditer(clause))
    return [
        SaidNumber(m.group(), clause)
        for m in _NUMBER.finditer(clause)
        if not any(a < m.end() and m.start() < b for a, b in spans)
    ]


def unaccounted(draft: Draft, today: dt.date) -> list[SaidNumber]:
    """The numbers the request said that the draft uses in no role (see the module docstring)."""
    if not draft.said_numbers:
        return []
    values = _values(draft, today)
    lines = Decimal(len(draft.items))
    texts = _texts(draft)
    left: list[SaidNumber] = []
    for said in draft.said_numbers:
        try:
            value = parse_number(said.text)
        except ValueError:
            continue
        digits = re.escape(said.text)
        if value in values or re.search(rf"(?<![\d.,]){digits}(?![\d])", texts):
            continue
        # "for 3 items: pens 2.50, ...": the count of the lines; never a count left in a line's
        # description ("misc - 2 chairs $28 ea" billed one chair: 2 happened to be the lines).
        counts_in_a_line = any(
            re.search(rf"(?<![\d.,]){digits}(?![\d])", item.description) for item in draft.items
        )
        if value == lines and not counts_in_a_line:
            continue
        if any(_named_in(digits, item.description, said.clause) for item in draft.items):
            continue
        left.append(said)
    return left


def _named_in(digits: str, description: str, typed: str = "") -> bool:
    """The number is written in a line's description as part of its name ("Windows 11", "A4",
    "Sprint 7", "sprint 7"), not as a count of the words after it that the line then does not count
    ("...: 4 business cards" priced once: the 4 is asked about)."""
    if _amounts_run_together(description):
        return False
    for match in re.finditer(rf"(?<![\d.,]){digits}(?![\d])", description):
        # "...: 12 office chairs", "5 x office chairs": a count of what follows, left in the text.
        # ("3 bed house" is a kind of house: no plural follows.)
        counts_what_follows = re.match(
            rf"\s*(?:[x×*]\s*)?(?:(?:[a-z][\w'-]*\s+){{0,2}}[a-z][\w'-]*s\b|(?:{UNIT_RE}|m2|m²|sq\s?ft)\b)",
            description[match.end() :],
        )
        after_a_name = re.search(
            r"[A-Z0-9][\w.-]*\s+$", description[: match.start()]
        ) and not _typed_as_a_count(digits, typed)
        # "Catering for 60 guests": who the line is for, said in its name (priced as a whole).
        for_whom = re.search(r"\bfor\s+$", description[: match.start()], re.IGNORECASE) and re.match(
            rf"\s*(?:{HEADCOUNT})\b", description[match.end() :], re.IGNORECASE
        )
        # "Box of 12 eggs": what the one thing holds, said in its name.
        holds = HOLDER_OF.search(description[: match.start()]) is not None
        if not counts_what_follows or after_a_name or for_whom or holds:
            return True
    return False


@functools.lru_cache(maxsize=1024)
def _amounts_run_together(description: str) -> bool:
    """ "$300 print $150 delivery", "Design 300 print 150 delivery": amounts run together in one
    description are no name (the line was priced 25 and the 300 and 150 dropped)."""
    plain = re.sub(r"\([^()]*\)", "", description)  # ("Deposit (30% of 4000)": the reader's own words)
    loose = [m for m in _NUMBER.finditer(plain) if not re.match(r"\s*(?:%|-|x\b|×)", plain[m.end() :])]
    return re.search(r"[$€£¥₹]\s?\d", plain) is not None or len(loose) > 1


def _typed_as_a_count(digits: str, clause: str) -> bool:
    """As typed, the number follows a word in lower case and counts a plural: "fit 2 ceiling fans".
    (A description starts with a capital whatever was typed: "Fit 2 ceiling fans" was taken for
    a name like "Windows 11 licences", and the 2 fans billed as one: a wrong total.)"""
    return (
        re.search(rf"(?<![\w.,])[a-z][\w'-]*\s+{digits}\s+(?:[a-z][\w'-]*\s+){{0,2}}[a-z][\w'-]*s\b", clause)
        is not None
    )


def number_question(said: SaidNumber) -> str:
    """The one question for a number that has no role."""
    return (
        f"What is the {said.text} in “{said.clause}”: a quantity, a price or something else? "
        "I did not use it, so I have not written the document yet."
    )


def _values(draft: Draft, today: dt.date) -> set[Decimal]:
    values: set[Decimal] = set()
    subtotal = Decimal(0)
    for item in draft.items:
        values.add(item.quantity)
        if item.unit.lower() in ("hour", "hours"):
            values.add(item.quantity * 60)  # "90 min at 80/hr" is 1.5 hours
        if item.unit_price is not None:
            values.add(item.unit_price)
            values.add(item.quantity * item.unit_price)
            subtotal += item.quantity * item.unit_price
        if item.nested is not None:
            values.add(item.nested[0])
        for choice in item.price_choices:
            values.update(_numbers_in(choice))
        if item.count_choice is not None:
            values.add(item.count_choice)
        if item.discount is not None:
            values.update(v for v in (item.discount.percent, item.discount.amount) if v is not None)
    values.add(subtotal)
    if draft.taxes:
        # "1 000 € HT, TVA 20 %, soit 1 200 € TTC": the total with its tax, restated.
        rate = sum((t.rate_percent for t in draft.taxes), Decimal(0))
        for base in (subtotal, subtotal + (draft.shipping or 0)):
            values.add((base * (100 + rate) / 100).quantize(Decimal("0.01")))
    for discount in [*draft.discounts, *(d.discount for d in draft.line_discounts)]:
        values.update(v for v in (discount.percent, discount.amount) if v is not None)
    values.update(t.rate_percent for t in draft.taxes)
    values.update(v for v in (draft.shipping, draft.amount_paid) if v is not None)
    if draft.due is not None:
        if draft.due.days is not None:
            values.update(_span_counts(draft.due.days))
        if draft.due.span is not None:
            values.add(Decimal(draft.due.span[0]))
    issue = draft.issue_date or today
    dates = [draft.valid_until, draft.delivery_date, draft.due.date if draft.due else None]
    for day in dates:
        if day is not None:
            values.update(_span_counts((day - today).days))
            values.update(_span_counts((day - issue).days))
            values.add(Decimal((day.year - today.year) * 12 + day.month - today.month))
    return values


def _numbers_in(text: str) -> set[Decimal]:
    found: set[Decimal] = set()
    for m in _NUMBER.finditer(text):
        try:
            found.add(parse_number(m.group()))
        except ValueError:
            continue
    return found


def _span_counts(days: int) -> set[Decimal]:
    """ "in 14 days" / "in 2 weeks": the counts a span of `days` may have been said in."""
    counts = {Decimal(days)}
    if days % 7 == 0:
        counts.add(Decimal(days // 7))
    return counts


def _texts(draft: Draft) -> str:
    # Descriptions are checked on their own (see _named_in).
    parts: list[str] = [i.unit for i in draft.items]
    for party in (draft.buyer, draft.seller):
        if party is not None:
            parts += [party.name, *party.address_lines, party.postal_code, party.city]
            parts += [party.email, party.phone, party.tax_id, party.company_id]
    parts += [*draft.warnings, *draft.unclear]
    parts += [draft.notes or "", draft.reference or "", draft.number or "", draft.payment_terms or ""]
    parts += [d.description for d in draft.discounts]
    parts += [*draft.exempt_lines, *draft.taxed_only, *(d.target for d in draft.line_discounts)]
    return "\n".join(p for p in parts if p)
