"""Reading a request ("Invoice Acme for 10 hours of consulting at $150, 8% tax, due in 30 days") into a Draft.

The text is cut into clauses (see `clauses`), and each clause is read by the first rule that
recognises it: lead-in ("create an invoice for ...") and parties (`read_parties`), dates and
terms (`read_terms`), tax, discount, shipping, number, currency and payment (`read_fields`), and
finally a line item (`read_item`). What no rule reads is kept in `Draft.unknown` so that the
caller can say what it did not understand.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from decimal import Decimal

from docmesh_agent.builtin.accounting import said_numbers
from docmesh_agent.builtin.clauses import (
    LINE_DISCOUNT,
    rewrite_layout,
    split_clauses,
    strip_connectors,
    take_currency,
    take_notes,
)
from docmesh_agent.builtin.counts import CONTAINERS as _CONTAINERS_RE
from docmesh_agent.builtin.counts import HEADCOUNT as _HEADCOUNT_RE
from docmesh_agent.builtin.counts import count_by_rate, unit_from_total
from docmesh_agent.builtin.drafts import Draft, DraftItem, Reading
from docmesh_agent.builtin.labels import plain_number, singular
from docmesh_agent.builtin.money import AMT, NUM, one_amount, parse_number
from docmesh_agent.builtin.not_amounts import STREET
from docmesh_agent.builtin.read_exempt import (
    A_KIND_IS,
    EXCEPT,
    EXEMPT_TAIL,
    ON_THE_LINE_BEFORE,
    TAX_ONLY_ON,
    TAX_WORD,
    WORDS_IN_BRACKETS,
    exempt_named,
)
from docmesh_agent.builtin.read_fields import read_fields
from docmesh_agent.builtin.read_item import read_item
from docmesh_agent.builtin.read_item_forms import ask_total_or_rate
from docmesh_agent.builtin.read_parties import read_contact, read_lead, read_party_detail, take_party
from docmesh_agent.builtin.read_payments import (
    BALANCE,
    PAID_BEFORE,
    PAID_GLUED,
    STATED_TOTAL,
    check_balance,
    check_stated_total,
    not_a_charge,
    receipt_for_what_was_paid,
)
from docmesh_agent.builtin.read_terms import read_terms, take_month_of_service
from docmesh_agent.builtin.words import MONTH_NAMES, UNIT_RE
from docmesh_common.model.invoice import Discount

MAX_CLAUSE_CHARS = 300
# "design at 90 with 15% off", "logo design 400 (10% off)", "widget at 60 (100 off)": a discount
# said of its own line (an amount the one arithmetic caps at the line).
_LINE_DISCOUNT_TAIL = re.compile(
    rf"\s+(?:with\s+(?:an?\s+)?)?\(?\s*(?P<discount>{LINE_DISCOUNT})\s*\)?$"
    # "at 120 minus 10%", "at 60 less 5": said right after the line's price.
    rf"|\s+(?:minus|less)\s+(?P<minus>{NUM}\s*%|{AMT})\s*$",
    re.IGNORECASE,
)
# "100 mugs at 4.50 each (bulk discount 10% on the mugs)": a remark in brackets after a line.
_BRACKET_TAIL = re.compile(r"\s*\((?P<inner>[^()]*\d[^()]*)\)\s*$")
_NESTED_COUNT = re.compile(rf"^(?P<n>\d+(?:[.,]\d+)?)\s*(?P<unit>{UNIT_RE})\b", re.IGNORECASE)
_MINUTES = frozenset({"min", "mins", "minute", "minutes"})
_PER_HOUR = re.compile(r"(?:/|\bper\s+|\ban?\s+)(?:h|hr|hrs|hour)\b|\bhourly\b", re.IGNORECASE)
_TIME_UNITS = frozenset({"hour", "hours", "day", "days", "week", "weeks", "month", "months"})
_DISTANCE_UNITS = frozenset({"mile", "miles"})


def _line_discount(r: Reading, said: str) -> Discount | None:
    """ "15% off" or "100 off" as a Discount; None when it is not one amount and nothing else."""
    percent = re.match(rf"({NUM})\s*%", said)
    if percent:
        return Discount(percent=parse_number(percent.group(1)))
    amount = re.sub(r"\s*(?:off|discount)$", "", said, flags=re.IGNORECASE)
    money = one_amount(amount)
    if money is None or money.end < len(amount):
        # "1 day off" is time off, not an amount: not a discount.
        return None
    r.draft.note_currency(money)
    return Discount(amount=money.amount)


def _keep_remarks(line: DraftItem, completing: DraftItem) -> None:
    """ "curso de Excel, 20 horas a 30 €/hora (exento de IVA)": what the clause that completes the
    line before says of itself (tax-exempt, a discount) is said of that line (it was dropped: VAT
    on an exempt line, a wrong total)."""
    line.tax_exempt = line.tax_exempt or completing.tax_exempt
    if completing.discount is not None and line.discount is None:
        line.discount = completing.discount


def _item_with_remark(r: Reading, text: str, remark: str) -> DraftItem | None:
    """A priced line and a discount said in brackets after it: "(bulk discount 10% on the mugs)"
    names its line, "(bulk discount 10%)" is this line's. None when the remark is not a discount."""
    remark = strip_connectors(remark)
    before = (len(r.draft.discounts), len(r.draft.line_discounts), len(r.draft.unclear))
    probe = Reading(r.today, replace(r.draft, discounts=[], line_discounts=[], unclear=[]))
    if not read_fields(probe, remark, None):
        return None
    item = read_item(r, text)
    if item is None or item.unit_price is None:
        return None
    if len(probe.draft.discounts) + len(probe.draft.line_discounts) + len(probe.draft.unclear) != 1:
        # "(VAT 20%)", "(due in 30 days)": a field of the document said in brackets.
        read_fields(r, remark, None)
        return item
    if probe.draft.discounts:
        item.discount = probe.draft.discounts[0]
    r.draft.line_discounts = [*r.draft.line_discounts[: before[1]], *probe.draft.line_discounts]
    r.draft.unclear = [*r.draft.unclear[: before[2]], *probe.draft.unclear]
    if probe.draft.currency_hint:
        r.draft.currency_hint = r.draft.currency_hint or probe.draft.currency_hint
    return item


def read_request(text: str, today: dt.date) -> Draft:
    """Read one message into a Draft."""
    r = Reading(today)
    text = rewrite_layout(text)
    text, note = take_notes(text)
    if note:
        r.draft.notes = note
    text, currency = take_currency(text)
    if currency:
        r.draft.currency = currency
    pending_price: DraftItem | None = None
    stated_totals: list[str] = []
    balances: list[str] = []
    for raw in split_clauses(text):
        if len(raw) > MAX_CLAUSE_CHARS:
            # No field is that long (descriptions and names stop at 200), and the rules are
            # not meant for it: say it was not understood rather than spend time on it.
            r.draft.unknown.append(raw[:60] + "…")
            continue
        clause = strip_connectors(raw)
        if not clause:
            continue
        r.draft.said_numbers.extend(said_numbers(clause))
        stated = STATED_TOTAL.match(clause) if pending_price is None and r.draft.items else None
        if stated and all(i.unit_price is not None for i in r.draft.items):
            stated_totals.append(clause)  # "logo 400, cards 110, total 510": the sum, never a line
            continue
        if r.draft.items and BALANCE.match(clause):
            balances.append(clause)  # "she paid 50, owes 30", "paid 100, change 20": never a line
            continue
        if _other_price(r.draft, clause):
            continue
        if (
            r.draft.items
            and r.draft.items[-1].unit_price is not None
            and ON_THE_LINE_BEFORE.fullmatch(clause)
        ):
            # "permit fee 275 - pass-through, don't charge tax on it": said of the line before.
            r.draft.items[-1].tax_exempt = r.draft.items[-1].tax_exempt or TAX_WORD.search(clause) is not None
            continue
        party_before = r.last_party
        if re.match(r"^\s*[-*•·]\s+", raw):
            party_before = None  # "- Consulting": a bulleted line is an item, never an address line
        total_for_all = STATED_TOTAL.match(clause) if pending_price is not None else None
        if total_for_all:
            clause = f"{clause[total_for_all.start('amt') :]} total"  # "10 hours consulting, total 1500"
        rate = _RATE_LEAD.match(clause) if pending_price is not None else None
        if rate:
            clause = clause[rate.end() :]  # "design work 20 hrs, rate 75/hr": the line's rate
        flat = _FLAT_PRICE.match(clause) if pending_price is not None else None
        if flat and _BARE_AMOUNT.match(flat.group("amount")):
            # "office cleaning February 2026, flat 940", "pauschal 940 €": the price of the line
            # before, said as a flat rate (it was a line "Flat", and the first was asked its price).
            clause = flat.group("amount")
        if pending_price is not None and _BARE_AMOUNT.match(clause):
            party_before = None  # "Acme: milestone 2 of 3, 1500": the line's price, not a postal code
        clause = _take_bracketed_terms(r, clause)
        consumed = _clause(r, clause, party_before)
        if consumed is None:
            continue
        # A clause that held a line ends what was said of the party named in it: the next clause is
        # never its address ("Rechnung an X: 10 Stühle ...", then "Büroreinigung: 120 EUR").
        r.last_party = None
        # A clause that is only a price completes the previous item ("2 licences, 99 each").
        item = consumed
        if pending_price is not None and not item.unit and _counts_the_line_before(item):
            # "corporate yoga classes, 8 sessions at 90", "catering, 20 guests at 40 each",
            # "mulch, 3 bags at 15": how many of the unpriced line before, in what, and its price
            # (never a second line "Sessions").
            item.unit, item.description = item.description.lower(), ""
        if (
            item.description == ""
            and item.unit_price is None
            and item.unit
            and pending_price is not None
            and pending_price.quantity == 1
            and not pending_price.unit
        ):
            # "Consulting, 5 hrs, 150/hr": how many of the unpriced line; its price may follow.
            pending_price.quantity, pending_price.unit = item.quantity, item.unit
            continue
        if (
            item.description == ""
            and item.unit_price is not None
            and pending_price is not None
            and (item.unit or item.quantity > 1)
            and pending_price.quantity == 1
            and not pending_price.unit
        ):
            # "consulting on March 3, 2 hours at 150": the count and rate of the unpriced line
            # before (never its price alone, which would drop the 2 hours).
            pending_price.quantity, pending_price.unit = item.quantity, item.unit
            pending_price.unit_price = item.unit_price
            if item.quantity == 1:
                count_by_rate(pending_price, item.unit)  # "5-night stay, 120/night": 5 nights
            _keep_remarks(pending_price, item)
            pending_price = None
            continue
        if (
            item.description == ""
            and item.unit_price is not None
            and pending_price is not None
            and (item.quantity in (1, -1) or not pending_price.unit)
            and (
                not item.unit
                or singular(item.unit.lower()) == singular(pending_price.unit.lower() or item.unit)
            )
        ):
            pending_price.unit_price = _price_for(pending_price, item)
            if item.unit and item.quantity == 1:
                count_by_rate(pending_price, item.unit)
            elif (
                item.quantity == 1
                and pending_price.quantity != 1
                and pending_price.unit.lower() in _TIME_UNITS
                and not _SAID_PER.search(clause)
                and not rate
            ):
                # "consulting 10 hours, 1500": for the 10 hours or for each? Asked (15,000 or 1,500).
                ask_total_or_rate(r, pending_price)
            _keep_remarks(pending_price, item)
            pending_price = None
            continue
        if item.description == "" and not item.unit and not (item.quantity > 1 and item.unit_price):
            r.draft.unknown.append(clause)
            continue
        nested = _NESTED_COUNT.match(item.description)
        if nested and item.quantity != 1 and item.unit_price is not None:
            rest = re.sub(r"^\s*of\s+", "", item.description[nested.end() :], flags=re.IGNORECASE)
            item.nested = (parse_number(nested.group("n")), nested.group("unit"), rest.strip())
            # "3 x 2 hours of coaching at 100": 100 for each 2 hours, or per hour? Asked.
            r.draft.unclear.append(
                f"Is {plain_number(item.unit_price)} the price of each “{item.description}”, or per "
                f"{singular(nested.group('unit').lower())}?"
            )
        if (
            item.unit.lower() in _MINUTES
            and item.unit_price is not None
            and _PER_HOUR.search(clause)
            and item.quantity % 60 in (0, 15, 30, 45)
        ):
            # "90 min at 80/hr": minutes billed at an hourly rate are that many hours (1.5 at 80,
            # never 90 x 80).
            item.quantity, item.unit = item.quantity / 60, "hours" if item.quantity != 60 else "hour"
        if item.description == "" and item.unit in _TIME_UNITS and item.unit_price is not None:
            # "1 hour at 100", "5 days at 800": time billed at a rate is a service; a clerk
            # writes "Services" rather than ask what the hours were for.
            item.description = "Services"
            item.described_by_unit = True
        if item.description == "" and item.unit.lower() in _DISTANCE_UNITS and item.unit_price is not None:
            # "38 miles at 0.67": distance billed at a rate is mileage, as a clerk writes it.
            item.description = "Mileage"
            item.described_by_unit = True
        if _PERSON_DOES.match(item.description):
            # "she put down 500", "they gave 200": what a person did is never a thing sold (it was
            # a line "She put down" at 500, a wrong total): asked.
            r.draft.unclear.append(f"What is “{clause}”: a line to bill, a payment, or something else?")
            continue
        r.draft.items.append(item)
        pending_price = item if item.unit_price is None else None
    for line in r.draft.items:
        if line.unit_price is not None:
            line.description = take_month_of_service(line.description, r.draft, r.today)
    receipt_for_what_was_paid(r, text)
    for said in stated_totals:
        check_stated_total(r, said)
    for said in balances:
        check_balance(r, said)
    return give_buyer_email(r.draft)


_BRACKET_AT_END = re.compile(r"\s*\((?P<said>[^()]+)\)\s*$")


def _take_bracketed_terms(r: Reading, clause: str) -> str:
    """ "6 visits @ 85 (work done 2/2 thru 2/27)", "(delivery on the 19th)": dates or terms in
    brackets ending a clause are read as such, and the clause is what is left (the bracket was
    part of a description, or made the line unreadable and its price was asked)."""
    match = _BRACKET_AT_END.search(clause)
    if match is None or not clause[: match.start()].strip():
        return clause
    if read_terms(match.group("said").strip(), r.draft, r.today):
        return clause[: match.start()]
    return clause


_PERSON_DOES = re.compile(r"^(?:she|he|they|we|i|you)\s+[a-z]", re.IGNORECASE)


def give_buyer_email(draft: Draft) -> Draft:
    """An e-mail said before the buyer was known is the buyer's, when the buyer has none."""
    if draft.buyer is not None and draft.buyer_email and not draft.buyer.email:
        draft.buyer = draft.buyer.model_copy(update={"email": draft.buyer_email})
    return draft


# Words a service is counted in ("8 sessions", "6 visits"): they name no other thing sold.
_SERVICE_COUNTS = frozenset(
    "sessions visits lessons classes appointments treatments rounds shifts calls meetings trips "
    # what a service is done to, counted ("carpet shampoo, 14 rooms x 35", "grooming, 3 dogs at 40")
    "runs passes occasions times rooms windows floors vehicles cars dogs cats pets trees".split()
)
# Words that count or measure something else ("3 bags", "20 guests", "8 m2", "20 images").
_COUNTING_WORDS = re.compile(
    rf"(?:{_CONTAINERS_RE}|{_HEADCOUNT_RE}|m2|m²|sq\s?(?:ft|m)|images|photos|pictures|pages|words|nights|days|weeks|"
    r"months|hours|visits|items|pieces|pcs|units|kg|lbs|litres|liters|yards|feet|metres|meters)",
    re.IGNORECASE,
)


def _counts_the_line_before(item: DraftItem) -> bool:
    """A priced count whose name is only what it is counted in: it counts the unpriced line before."""
    word = item.description.lower()
    return (
        item.quantity != 1
        and item.unit_price is not None
        and (word in _SERVICE_COUNTS or _COUNTING_WORDS.fullmatch(word) is not None)
    )


_OR_PRICE = re.compile(
    rf"^or\s+(?P<amt>{AMT})(?:\s+(?:with|without|if|for|including|incl\.?)\b[^\d]*)?$", re.IGNORECASE
)


def _other_price(draft: Draft, clause: str) -> bool:
    """ "prom DJ, 900, or 1,100 with lights": a second price for the line before is a choice, asked
    (it was a line "Or" at 1,100 added to the 900: a wrong total)."""
    match = _OR_PRICE.match(clause)
    if match is None or not draft.items or draft.items[-1].unit_price is None:
        return False
    item = draft.items[-1]
    item.price_choices = (plain_number(item.unit_price or Decimal(0)), match.group("amt"))
    item.unit_price = None
    return True


def _price_for(target: DraftItem, priced: DraftItem) -> Decimal | None:
    """The unit price a bare price clause gives the item before it (a total is divided by its quantity)."""
    # `priced` carries the amount in unit_price and, when it was a total, quantity -1 as a marker.
    if priced.quantity == -1 and priced.unit_price is not None and target.quantity != 1:
        return unit_from_total(target, priced.unit_price)
    return priced.unit_price


_STREET_LINE = re.compile(STREET)
_NAME_ONLY = re.compile(
    r"(?:Mr|Mrs|Ms|Dr|M|Mme|Sr|Sra|Hr|Fr)?\.?\s*[A-ZÀ-Ý][\w'’.&-]*"
    r"(?:\s+(?:[A-ZÀ-Ý][\w'’.&-]*|&|of|and|de|del|la|le|du|des|von|van|der|y|et|und))*"
)
# "new receipt: walk-in customer, ...": a buyer without a name is still whom it is for.
_ANONYMOUS_BUYER = re.compile(
    r"(?:an?\s+|the\s+)?(?:[\w-]+\s+)?(?:customer|client|guest|buyer|patient|visitor)", re.IGNORECASE
)
_NAME_DASH_COUNT = re.compile(
    r"^(?P<name>[A-Z][\w&.'-]*(?:\s+(?:[A-Z][\w&.'-]*|&|of|and))*)\s+[-–]\s+(?P<item>\d+\s+[^\W\d_].*\d.*)$"
)


def _clause(r: Reading, clause: str, party_before: str | None) -> DraftItem | None:
    """Read one clause; returns a line item when the clause is one, None otherwise."""
    r.last_party = None
    deliver_to = _DELIVER_TO.match(clause)
    if deliver_to and r.draft.buyer is not None:
        # "deliver to warehouse 3 by March 5", "ship to 12 Main St": where the goods go (a note,
        # and its date), never a line priced 3 and never a new buyer.
        where = deliver_to.group("where")
        by = re.search(r"\s+(?:by|on|before)\s+(?P<date>.+)$", where, re.IGNORECASE)
        if by and read_terms(f"deliver by {by.group('date')}", r.draft, r.today):
            where = where[: by.start()]
        note = f"Deliver to: {where.strip()}"
        r.draft.notes = f"{r.draft.notes}\n{note}" if r.draft.notes else note
        return None
    if read_terms(clause, r.draft, r.today):
        return None  # "quote valid for 30 days", "invoice date: March 1": before "quote"/"invoice" lead-ins
    rest = read_lead(r, clause)
    if not rest:
        return None
    named_here = r.last_party
    rest = strip_connectors(rest)
    if not rest:
        return None
    if (
        named_here
        and rest != clause
        and _STREET_LINE.fullmatch(rest)
        and read_party_detail(r, rest, named_here)
    ):
        return None  # "Invoice Blue Fern Design - 9 Canal Rd": the name, then its street
    if party_before:
        # "Acme, Springfield IL 62701 for 5 hours of work": an address line, then the items.
        # "..., Mountain View CA 94043: website redesign 4500": the last address line, then the items.
        # "..., Burlington VT 05401: lawn care", "12 Elm Rd, Springfield - 12 bouquets @ 400": the
        # last address line, then the items.
        party = r.draft.buyer if party_before == "buyer" else r.draft.seller
        after_street = party is not None and any(re.search(r"\d", line) for line in party.address_lines)
        for split in (
            # (without a number after the colon, only an address line with one: "Attn: Hank" is not)
            re.match(
                r"^(?P<head>[^:]+?)\s*:\s+(?P<tail>.*\d.*)$|^(?P<head2>[^:]*\d[^:]*?)\s*:\s+(?P<tail2>.+)$",
                rest,
            ),
            # (a town after a street line; "Consulting - 10 hrs" after "Attn: ..." is a line)
            re.match(r"^(?P<head>.+?)\s+[-–—]\s+(?P<tail>.*\d.*)$", rest) if after_street else None,
            re.match(r"^(?P<head>.+?)\s+for\s+(?P<tail>.+)$", rest, re.IGNORECASE),
        ):
            if split and read_party_detail(r, split.group("head") or split.group("head2"), party_before):
                rest = split.group("tail") or split.group("tail2")
                break
    if read_contact(r, rest, party_before):
        return None
    if (
        r.draft.kind is not None
        and r.draft.buyer is None
        and not r.draft.items
        and (_NAME_ONLY.fullmatch(rest) or _ANONYMOUS_BUYER.fullmatch(rest))
    ):
        # "Receipt, Liam O'Brien, 10 guitar lessons ...", "Invoice\nRita Gomez\n730 Elm Ave":
        # a name alone after the kind word is whom it is for (it was asked its price, or the
        # buyer was asked for).
        take_party(r, "buyer", re.sub(r"^(?:an?|the)\s+(?=\S+\s)", "", rest, flags=re.IGNORECASE))
        return None
    named_first = _NAME_DASH_COUNT.match(rest)
    if named_first and r.draft.buyer is None and not r.draft.items:
        # "Harbor Dental - 4 office cleans at 120": a name, a dash, then a counted line is whom it
        # is for (it was one 'Harbor Dental - 4 office cleans' at 120, a total of 120, not 480).
        take_party(r, "buyer", named_first.group("name"))
        rest = named_first.group("item")
    numbered = _NUMBER_LEAD.match(rest)
    if numbered and rest[numbered.end() :].strip() and r.draft.number is None:
        # "PO for Acme, no. 7781: 25 boards at 6.90": the document's number, then the line (it was
        # one line "No. 7781: 25 boards" at 6.90).
        r.draft.number = numbered.group("num")
        rest = rest[numbered.end() :].strip()
    choice = _COUNT_CHOICE.search(rest)
    if choice:
        # "2 or 3 hours of cleaning at 20": which count? Asked (it was 2 x 20, or 3 x 20).
        which = f": {choice.group('a')} or {choice.group('b')}" if choice.group("a") else ""
        r.draft.unclear.append(f"How many do I bill in “{rest}”{which}?")
    ref = _REFERENCE_LEAD.match(rest)
    if ref and rest[ref.end() :].strip():
        # "order #4521: 3 widgets at 10": the order's number is the reference, then the line.
        r.draft.reference = ref.group("ref")
        rest = rest[ref.end() :].strip()
    exempted = exempt_named(rest.rstrip(" -–—"))
    if exempted:
        r.draft.exempt_lines.append(exempted)
        if r.draft.items and r.draft.items[-1].unit_price is not None and A_KIND_IS.match(rest):
            # "8 SAT prep sessions @ 60 — tutoring is tax exempt —": a kind of work said exempt
            # right after a line is that line's, when no line is called so (it was asked which
            # line "tutoring" is). "no tax on the deposit" names a thing: never the line before.
            r.draft.exempt_after[exempted] = len(r.draft.items) - 1
        return None
    only_on = TAX_ONLY_ON.match(rest)
    if (
        only_on
        and TAX_WORD.search(only_on.group("head"))
        and read_fields(r, only_on.group("head"), party_before)
    ):
        r.draft.taxed_only.append(only_on.group("target"))
        return None
    excepted = EXCEPT.match(rest)
    if excepted and read_fields(r, excepted.group("head"), party_before):
        # "10% tax except on the staff": the tax, and the line it does not apply to.
        r.draft.exempt_lines.append(excepted.group("target"))
        return None
    if read_fields(r, rest, party_before):
        return None
    usual = _USUAL_PRICE.search(rest)
    if usual:
        # "cleaning 150 (was 180)", "..., usually 180": what it used to cost is no charge (it was
        # the line's price, or a line "Usually" on top); the number is asked about if nothing else
        # takes it.
        r.draft.unknown.append(usual.group(0).strip(" ,()"))
        rest = rest[: usual.start()].rstrip(" ,")
        if not rest:
            return None
    reason = _REASON_SO.match(rest) if " so " in rest.lower() else None
    if reason and read_fields(r, reason.group("said"), None):
        return None  # "they're repeat customers so 5 percent off the cabinets only": why, then what
    discounted = _LINE_DISCOUNT_TAIL.search(rest)
    if discounted and discounted.start() > 0:
        item = read_item(r, rest[: discounted.start()])
        # Without a description ("10 hours at 100 with 10% off", after "consulting,") the line is
        # finished by the line before or asked; its discount stays with it either way.
        if item is not None and item.unit_price is not None:
            discount = _line_discount(r, discounted.group("discount") or discounted.group("minus"))
            if discount is not None:
                item.discount = discount
                return item
    bracketed = _BRACKET_TAIL.search(rest)
    if bracketed and bracketed.start() > 0:
        item = _item_with_remark(r, rest[: bracketed.start()], bracketed.group("inner"))
        if item is not None:
            return item
    worded = WORDS_IN_BRACKETS.search(rest)
    named = exempt_named(worded.group("inner")) if worded and worded.start() > 0 else None
    if worded and named:
        # "gift card $50 (no sales tax on the gift card)": the line, and the line the remark
        # exempts, by name (the remark was dropped: tax on an exempt line, a wrong total).
        item = read_item(r, rest[: worded.start()])
        if item is not None and item.unit_price is not None:
            if re.fullmatch(r"(?:it|this|that|this\s+one|this\s+line)", named, re.IGNORECASE):
                item.tax_exempt = True  # "(no tax on it)": this line
            else:
                r.draft.exempt_lines.append(named)
            return item
    exempt = EXEMPT_TAIL.search(rest)
    if exempt and exempt.start() > 0:
        item = read_item(r, rest[: exempt.start()])
        if item is not None and (item.description or item.unit_price is not None):
            item.tax_exempt = True
            return item
    paid = PAID_GLUED.search(rest) if "p" in rest.lower() else None
    if paid and not PAID_BEFORE.search(rest) and read_fields(r, rest[paid.end() :], None):
        rest = rest[: paid.start()]  # "oil change 65 paid cash": the line, then how it was paid
    # "an audit at $2,500 due 2026-12-01", "support at 75 for the period March 1-15": a date
    # phrase glued to the end of an item is the document's date, never part of the line.
    but = re.search(r"\s+but\s+", rest, re.IGNORECASE)
    if but and not_a_charge(r, rest[but.end() :]):
        rest = rest[: but.start()]  # "10 hours at 150 but charge only 8": the line, then asked
    elif but and _PERSON_DOES.match(rest[but.end() :]) and re.search(r"\d", rest[but.end() :]):
        # "10 lessons at 30 but they missed 2": what a person did changes the count; asked (the
        # 2 was the price: 10 x 2).
        r.draft.unclear.append(f"How should “{rest[but.end() :]}” change “{rest[: but.start()]}”?")
        rest = rest[: but.start()]
    elif not_a_charge(r, rest):
        return None
    for glued in _GLUED_TERMS.finditer(rest):
        if glued.start() == 0:
            continue
        tail = rest[glued.end() :]
        if read_terms(tail, r.draft, r.today):
            rest = rest[: glued.start()].rstrip(" ,")
            if read_terms(rest, r.draft, r.today):
                return None  # "net 30 for the period March 1-15": two terms, no line
            break
        # "consulting service period March 1 to March 15 at 500": the phrase before the price.
        price = re.search(r"\s+(?:at|@)\s+(?=\S*\d)", tail)
        if price and read_terms(tail[: price.start()], r.draft, r.today):
            rest = rest[: glued.start()] + tail[price.start() :]
            break
    return read_item(r, rest)


# "they're repeat customers so ...": a reason without a number, then what it makes so.
_REASON_SO = re.compile(r"^[^\d,]+?,?\s+so\s+(?P<said>.*\d.*)$", re.IGNORECASE)
_FLAT_PRICE = re.compile(
    r"^(?:(?:for\s+)?(?:a\s+|the\s+)?(?:flat|fixed|lump[\s-]sum|all[\s-]in)(?:\s+(?:rate|fee|price|sum|total|amount))?"
    r"(?:\s+of)?|(?:the\s+)?(?:price|cost|fee|total)\s+(?:is|of))\s*:?\s+(?P<amount>\S.*)$",
    re.IGNORECASE,
)
_SAID_PER = re.compile(r"/|\b(?:each|per|an?|apiece|ea|hourly|daily|rate)\b", re.IGNORECASE)
_RATE_LEAD = re.compile(
    r"^(?:at\s+)?(?:an?\s+|the\s+|my\s+|our\s+)?(?:hourly\s+|daily\s+|day\s+|usual\s+|normal\s+)?rate\s*(?:is\s+|of\s+|:\s*|=\s*)?(?=\S*\d)",
    re.IGNORECASE,
)
_BARE_AMOUNT = re.compile(r"^[^\s\d]{0,3}\s?\d[\d,.']*(?:\s?(?:[€$£¥₹]|[A-Z]{3}))?$")
_DELIVER_TO = re.compile(
    r"^(?:please\s+)?(?:deliver(?:y)?|ship(?:ping)?|send\s+(?:it|them|the\s+goods))\s+(?:it\s+|them\s+)?to\s*:?\s+(?P<where>.+)$",
    re.IGNORECASE,
)
_USUAL = (
    r"usually|normally|regularly|regular\s+price|list\s+price|rrp|instead\s+of|down\s+from|reduced\s+from"
)
_USUAL_PRICE = re.compile(
    # after the line's price, in brackets or not ("150 (was 180)", "150, usually 180"), or alone
    # ("usually 180"; "refresh was 2,400" is the refresh's price)
    rf"(?<=[\d€$£])(?:\s*\(\s*|,?\s+)(?:was|{_USUAL})\s+(?:{AMT})\s*\)?$|^(?:{_USUAL})\s+(?:{AMT})$",
    re.IGNORECASE,
)
_NUMBER_LEAD = re.compile(r"^(?:no\.|nr\.|number|\#)\s*(?P<num>[A-Za-z0-9][\w\-/]*)\s*[:,]\s+", re.IGNORECASE)
_COUNT_CHOICE = re.compile(
    # "2 or 3 hours", "8 of 10 sessions", "sessions 1-8 at 50 each": which count, or how many?
    rf"(?<![\d.,])(?P<a>\d+(?:[.,]\d+)?)\s+(?:or|to|of)\s+(?P<b>\d+(?:[.,]\d+)?)\s+(?=(?:{UNIT_RE})\b|[a-z]{{3,}}s\b)"
    r"|(?<=[a-z]s\s)(?P<a2>\d{1,3})\s*[-–]\s*(?P<b2>\d{1,3})(?=\s+(?:at|@|for|x)\b)",
    re.IGNORECASE,
)
_REFERENCE_LEAD = re.compile(
    r"^(?:(?:your|our|the)\s+)?(?:order|po|p\.o\.|purchase\s+order|job|project|ref(?:erence)?)\s*"
    r"(?:\#|no\.?|number|nr\.?)\s*(?P<ref>[A-Za-z0-9][\w\-/]*)(?:\s*[:,]|\s+[–-])\s*",
    re.IGNORECASE,
)
_GLUED_TERMS = re.compile(
    rf"\s+(?=(?:due|payable|net\s?\d|valid\s+(?:for|until|till)|issued|dated|payment\s+(?:with)?in|"
    rf"(?:for\s+)?(?:the\s+)?(?:service\s+|billing\s+)?period|cover(?:s|ing)|deliver(?:ed|y)|during|"
    rf"(?:from|for|in)\s+(?:{MONTH_NAMES})|from\s+\d)\b)",
    re.IGNORECASE,
)
