"""Reading a line item: "10 hours of consulting at $150/h", "3 x Widget @ 12.50", "$500 for setup",
"consulting 150/h x 10", "4 tyres for $480" (a total), or a bare price that completes the item before it."""

from __future__ import annotations

import re
from decimal import Decimal

from docmesh_agent.builtin.counts import (
    CONTAINERS,
    COUNT_INSIDE,
    COUNT_THEN_MEASURE,
    COUNT_THEN_NOUN,
    HEADCOUNT,
    HOLDER_OF,
    PER_UNIT_TAIL,
    PLURAL_THEN_COUNT,
    PRICE_WORDS,
    SMALL_MEASURES,
    TOTAL_TAIL_RE,
    count_by_rate,
    leading_quantity,
    parse_quantity,
    unit_from_total,
)
from docmesh_agent.builtin.drafts import DraftItem, Reading
from docmesh_agent.builtin.labels import clean_description, plain_number, unit_label
from docmesh_agent.builtin.money import Money, find_money, one_amount, parse_number
from docmesh_agent.builtin.not_amounts import has_date, is_not_amount, price_moneys
from docmesh_agent.builtin.read_item_forms import (
    amount_for_count,
    ask_total_or_rate,
    bare_count,
    rate_then_quantity,
    share_of,
    trailing_buyer,
)
from docmesh_agent.builtin.read_parties import take_party
from docmesh_agent.builtin.words import UNIT_RE, UNITS

_FEE_PREFIX = re.compile(
    r"^(?:an?\s+|the\s+)?(?:flat\s+|fixed\s+|one-off\s+|one-time\s+)?(?:fee|charge|price|rate|sum)\s+of\s+(?=\S*\d)",
    re.IGNORECASE,
)
_BRACKETED_NUMBER = re.compile(r"(?P<a>\S*\d[\d,.']*)\s*\(\s*(?P<b>[^\s\d()]{0,3}\d[\d,.']*)")
# Costs said as a mass, never a count ("60 travel", "45 parking", "30 labour"): the number before
# them is what they cost.
_UNCOUNTED_COSTS = (
    r"travel|parking|labou?r|set-?up|disposal|fuel|petrol|mileage|postage|handling|insurance|call-?out|"
    r"tolls|admin|freight|installation|cleanup|clean-?up"
)


# "2 x", "3 ×" ending a description: a multiplier of the count that follows it.
_MULTIPLIER_ENDING = re.compile(r"(?:^|\s)\d+(?:[.,]\d+)?\s*[x×*]$", re.IGNORECASE)


def read_item(r: Reading, text: str) -> DraftItem | None:
    """A line item, or a bare price (description "") that belongs to the previous item."""
    equals = _LINE_TOTAL.match(text.strip())
    if equals:
        what = equals.group("what")
        body = f"{what} {equals.group('body')}" if what else equals.group("body")
        return _with_line_total(r, body, equals.group("total"))
    bracketed = _BRACKETED_NUMBER.search(text)
    if bracketed and find_money(bracketed.group("a")) and find_money(bracketed.group("b")):
        # "widget at 60 (100 pcs)": a number directly before an opening bracket ends there (never
        # the thousands-grouped 60100), and what the bracketed number is cannot be told: ask.
        item = read_item(r, text[: bracketed.end("a")])
        if item is not None:
            item.unit_price = None
            item.price_choices = (bracketed.group("a"), bracketed.group("b"))
        return item
    remark = _WORDS_AFTER_PRICE.match(text.strip())
    if remark and not _TAXED_REMARK.search(remark.group("words")):
        # "bathroom 6,200 (materials included)": the line, and what it says of itself (it was
        # asked its price: the brackets only grouped, and the price was no longer at the end).
        item = read_item(r, remark.group("body"))
        if item is not None and item.description and item.unit_price is not None:
            item.description = f"{item.description} ({remark.group('words').strip()})"
            return item
    text = _without_lead_words(_A_TOTAL_OF.sub(" for ", text))
    share = share_of(r, text)
    if share is not None:
        return share
    bare = bare_count(r, text)
    if bare is not None:
        return bare
    choice = re.search(
        # "120 or 140 depending on the chemicals": the words after the second price say why.
        r"(?P<a>\S*\d[^\s\-–]*(?:\s(?:[€$£¥₹]|[A-Z]{3}))?)(?:\s+(?:or|to)\s+|\s*[-–]\s*)"
        r"(?P<b>\S*\d\S*(?:\s+(?:[€$£¥₹]|[A-Z]{3}))?)"
        # "2,400 or 2,900 with the shop": what the second price would include.
        # ("painting 1200 or 1450 for the big room": whatever the words, two prices)
        r"(?:\s+(?:depending|based|if|whether|dep\.|with|without|including|incl\.?|for|in|on)\b[^\d]*)?\s*$",
        text,
    )
    if (
        choice
        and find_money(choice.group("a"))
        and find_money(choice.group("b"))
        and not is_not_amount(text, choice.start("a"), choice.end("b"))
    ):
        # "at 150 or 175", "at 100-150", "100 to 150": two prices, never pick one; the line waits for the answer.
        item = read_item(r, text[: choice.end("a")])
        if item is not None:
            item.unit_price = None
            item.price_choices = (choice.group("a"), choice.group("b"))
        return item
    counted = re.fullmatch(
        r"(?P<desc>[A-Za-z][^\d]*?)\s+(?P<q>\d+(?:[.,]\d+)?)\s*(?:x|×)\s*(?P<price>\S+)", text.strip()
    )
    if counted:
        # "piano lessons 4 x 60": the count, then the price of one.
        moneys = find_money(counted.group("price"))
        qty = parse_quantity(counted.group("q"))
        if len(moneys) == 1 and qty is not None and qty > 0 and moneys[0].end == len(counted.group("price")):
            r.draft.note_currency(moneys[0])
            return DraftItem(clean_description(counted.group("desc")), qty, "", moneys[0].amount)
    spent = re.fullmatch(r"(?P<amt>\S+)\s+(?:in|for|on)\s+(?P<desc>[A-Za-z][A-Za-z' -]*)", text.strip()) or (
        # "4 hours at 125 and 60 travel": an amount, then a cost that is never counted.
        re.fullmatch(
            rf"(?P<amt>\S+)\s+(?P<desc>(?:{_UNCOUNTED_COSTS})(?:\s+(?:costs?|fees?|charges?|expenses))?)",
            text.strip(),
            re.IGNORECASE,
        )
    )
    moneys = find_money(spent.group("amt")) if spent else []
    if spent and len(moneys) == 1 and moneys[0].end == len(spent.group("amt")):
        # "120 in parts", "45 for materials": an amount and what it was spent on (not 120 inches).
        return _price_first(r, text.strip(), moneys[0])
    marked = find_money(text.strip())
    if (
        len(marked) == 1
        and marked[0].start == 0
        and marked[0].currency
        and re.fullmatch(r"\s+[^\W\d_][^\d]*", text.strip()[marked[0].end :])
        and not PRICE_WORDS.match(text.strip()[marked[0].end :])
    ):
        # "380 € Material", "$380 materials": an amount in a currency, then what it is for; the
        # currency says it is a price (a bare "380 materials" may be a count, and is asked).
        return _price_first(r, text.strip(), marked[0])
    item = amount_for_count(r, text.strip())
    if item is not None:
        return item
    item = rate_then_quantity(r, text)
    if item is not None:
        return item
    # Dates, durations, e-mails, phone numbers and ids are never the price.
    moneys = price_moneys(text)
    qty, unit, desc_start, qty_match_end = leading_quantity(text)
    price = None
    for money in reversed(moneys):
        if money.start >= desc_start or money.currency:
            price = money
            break
    if price is not None and _inside_a_name(text, price, desc_start):
        # "54 Windows 11 licences, 566.40 each": the 11 is part of what is sold (it was the price).
        price = None
    if (
        price is not None
        and (
            price.start < desc_start
            or (
                price.start <= desc_start
                # "120 in parts", "30 in travel": what the amount was spent on.
                and re.match(r"^\s*(?:for|of|in|-|–|:)\s*[A-Za-z]", text[price.end :], re.IGNORECASE)
            )
        )
    ):
        return _price_first(r, text, price)
    if price is None:
        if qty_match_end == 0 and not text.strip():
            return None
        desc = text[desc_start:]
        desc = re.sub(r"^\s*(?:x|×|\*)\s*", "", desc)
        # "4 hours of consulting for Hooli this week": when, then whom it was for (the price
        # follows in another clause: "charge 150 an hour").
        desc = re.sub(
            r"\s+(?:(?:this|last|past)\s+(?:week|month|weekend)|yesterday|today|on\s+(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday))$",
            "",
            desc,
            flags=re.IGNORECASE,
        )
        if desc_start or r.draft.kind is not None:
            # "(a receipt for) the move-out clean at 14 Oak St for Ryan Cole": whom it is for.
            desc = trailing_buyer(r, desc)
        counted = _TRAILING_COUNT.search(desc) if qty == 1 and not unit else None
        if counted and counted.start() > 0 and counted.group("unit").lower() in UNITS:
            # "design work 20 hrs" (its rate said next: "rate 75/hr"): how many, after the name.
            qty, unit, desc = parse_number(counted.group("q")), counted.group("unit"), desc[: counted.start()]
        return DraftItem(
            description=clean_description(desc), quantity=qty, unit=unit_label(unit, qty) if unit else ""
        )
    return _priced(r, text, price, qty, unit, desc_start)


def _inside_a_name(text: str, price: Money, desc_start: int) -> bool:
    """A bare number after the counted thing's first word, with no price word before it and more
    words of the name after it ("54 Windows 11 licences", "20 iPhone 15 cases"): part of the name."""
    if price.currency or price.start <= desc_start:
        return False
    if re.match(
        r"\s+(?:weekly|monthly|hourly|daily|yearly|annually|nightly|flat|fixed|only)\b",
        text[price.end :],
        re.IGNORECASE,
    ):
        return False  # "lawn care 300 monthly": the price, then how often
    before = text[desc_start : price.start]
    after = text[price.end :]
    return bool(
        re.search(r"[^\W\d_]\s+$", before)
        and not re.search(r"(?:\b(?:at|for|costing|costs?|is|of)|[@=:,x×*–-])\s*$", before, re.IGNORECASE)
        and re.match(r"\s+[^\W\d_]{2,}", after)
        and not PRICE_WORDS.match(after)
        and not re.match(
            r"\s+(?:and|&|plus|with|incl|including|due|net|minus|less|off|discount)\b", after, re.IGNORECASE
        )
    )


# "consulting 10h @ 150 = 1500", "4 x 25 = 100": the line, then its total.
_LINE_TOTAL = re.compile(
    r"^(?P<body>.*\d.*?)\s*=\s*(?P<total>[^\s\d=]{0,3}\s?\d[\d,.']*(?:\s?[A-Z]{3}|\s?[€$£])?)"
    # ("12 x 2.50 = 30 for stamps": what they are, after the total; it was 12 x 30)
    r"(?:\s+(?:for|of)\s+(?P<what>[^\W\d_][^\d=]*))?$"
)


def _with_line_total(r: Reading, body: str, total_text: str) -> DraftItem | None:
    """The line before "=" checked against the total after it: the same amount, or the total
    divided by the count when no price was said; two different amounts are asked about."""
    total = one_amount(total_text)
    item = read_item(r, body)
    if total is None or item is None:
        return item
    r.draft.note_currency(total)
    if item.unit_price is None and item.quantity > 0:
        item.unit_price = unit_from_total(item, total.amount)
    elif item.unit_price is not None and item.quantity * item.unit_price != total.amount:
        # "4 x 25 = 120": which is it? Never one of them guessed.
        item.price_choices = (plain_number(item.unit_price), total_text.strip())
        item.unit_price = None
    return item


def _without_lead_words(text: str) -> str:
    """The item without "add", "a flat fee of", "roughly", "I worked", and with brackets only grouping."""
    text = re.sub(
        r"^(?:add|include|put|charge\s+for|charge(?=\s+\S*\d)|for|(?:throw|toss|chuck)\s+in)\s+",
        "",
        text.strip(),
        flags=re.IGNORECASE,
    )
    # "a flat fee of $500 for setup" reads as "$500 for setup".
    text = _FEE_PREFIX.sub("", text)
    text = re.sub(
        r"^(?:another|an\s+additional|an\s+extra|additional|extra|roughly|about|around|approximately|"
        r"approx\.?|circa|~|worked|spent|did|(?:hourly\s+|unit\s+|daily\s+)?(?:rate|price)(?:\s+is|\s+of|:|=)?"
        r"(?=\s*\S*\d))\s*",
        "",
        text,
        flags=re.IGNORECASE,
    )
    # "consulting (10 h @ 150)": brackets only group.
    text = re.sub(r"\s*[()]\s*", " ", text).strip()
    text = re.sub(
        r"^(?:(?:i|we)\s+(?:also\s+)?(?:did|have\s+done|'ve\s+done|completed|provided|delivered|sold|worked|spent)"
        r"|(?:they|he|she|it)\s+(?:also\s+)?owes?\s+(?:me|us)(?:\s+another)?)\s+",
        "",
        text,
        flags=re.IGNORECASE,
    )
    return text


def _price_first(r: Reading, text: str, price: Money) -> DraftItem:
    """ "$500 for setup": the price comes first; what follows "for" is the description."""
    head = text[: price.start]
    tail = text[price.end :]
    match = re.match(r"^\s*(?:for|of|in|-|–|:)\s*(?P<desc>.+)$", tail, re.IGNORECASE)
    desc = match.group("desc") if match else tail
    # "2,400 USD a day": a rate (before "a" is taken off; it was a line "Day").
    per = PER_UNIT_TAIL.fullmatch(tail.strip())
    if per and (per.groupdict().get("per") or "").lower() not in UNITS:
        per = None
    desc = re.sub(r"^(?:the|a|an)\s+", "", desc.strip(), flags=re.IGNORECASE)
    for_all = re.fullmatch(
        r"(?:all(?:\s+of\s+(?:them|it|those))?|everything|the\s+(?:whole\s+)?lot)", desc, re.IGNORECASE
    )
    if per or PER_UNIT_TAIL.fullmatch(desc) or TOTAL_TAIL_RE.fullmatch(desc) or for_all:
        # "45 USD each", "$400 total", "400 for all of them": how the amount is meant, for the line before.
        r.draft.note_currency(price)
        per_word = (per.groupdict().get("per") or "").lower() if per else ""
        item = DraftItem(
            description="",
            unit=unit_label(per_word, Decimal(1)) if per_word in UNITS else "",
            unit_price=price.amount,
        )
        if TOTAL_TAIL_RE.fullmatch(desc) or for_all:
            item.quantity = Decimal(-1)
        return item
    desc = trailing_buyer(r, desc)
    if not desc.strip():
        head_desc = re.sub(
            r"^(?:a\s+|an\s+)?(?:flat\s+|fixed\s+|one-off\s+)?(?:fee|charge|price|rate)?\s*(?:of)?\s*$",
            "",
            head,
            flags=re.IGNORECASE,
        )
        desc = head_desc
    r.draft.note_currency(price)
    return DraftItem(description=clean_description(desc), unit_price=price.amount)


INCLUDED_TAX = (
    "prices that include tax are not supported: the amounts are taken before tax and no tax was added"
)


def _priced(r: Reading, text: str, price: Money, qty: Decimal, unit: str, desc_start: int) -> DraftItem:
    """ "10 hours of consulting at $150/h", "Widget x 3 at 5", "4 tyres for $480" (a total)."""
    r.draft.note_currency(price)
    head = text[desc_start : price.start]
    tail = text[price.end :].strip()
    head_for = re.search(
        r"\s+for\s+(?P<name>[A-Z][\w&.'-]*(?:\s+[A-Z][\w&.'-]*)*)\s+(?:at|@|for|:|-)\s*$", head
    )
    if head_for and r.draft.buyer is None:
        # "6 hours of gardening for Mrs Brown at 25 an hour": the buyer sits before the price.
        take_party(r, "buyer", head_for.group("name"))
        head = head[: head_for.start()] + " at "
    tail = trailing_buyer(r, tail)
    if re.search(
        r"\b(?:incl\.?|including|inclusive\s+of|inc\.)\s.*\b(?:tax|vat|gst|hst)\b", tail, re.IGNORECASE
    ):
        r.draft.warnings.append(INCLUDED_TAX)
    connector = ""
    match = re.search(
        r"\s*(?:\b(?P<word>at|for|costing|costs?|priced\s+at|of|x|@|is|=|,|:|-|–)\s*|(?P<sym>@|=|,|:|-|–|×|\*)\s*)$",
        head,
    )
    if match:
        connector = (match.group("word") or match.group("sym") or "").lower()
        head = head[: match.start()]
    if re.search(r"\s(?:at|@)$", head):
        head = re.sub(r"\s(?:at|@)$", "", head)
    head = re.sub(r"^\s*(?:x|×|\*)\s*", "", head)
    # "window cleaning - 24 windows @ 6": a dash between what is sold and how many of what.
    head = re.sub(r"(?<=[^\W\d_])\s+[-–—]\s+(?=\d+(?:[.,]\d+)?\s+[^\W\d_]+\s*$)", " ", head)
    # "Widget x 3 at 5", "consulting 10 hours at 150": the quantity after the description.
    # "prints 30x40 at 25": a size written "30x40" (a digit glued before the x) is never a count.
    trailing_qty = (
        re.search(r"(?<!\d)\s*(?:x|×|\*)\s*(?P<q>\d+(?:[.,]\d+)?)\s*$", head)
        or re.search(
            # "widget 3x at 5": the count, then its "x".
            r"\s+(?P<q>\d+(?:[.,]\d+)?)\s?[x×]\s*$",
            head,
        )
        or re.search(rf"\s+(?P<q>\d+(?:[.,]\d+)?)\s*(?P<unit>{UNIT_RE})\.?\s*$", head, re.IGNORECASE)
    )
    head_count: Decimal | None = None
    if trailing_qty and qty == 1 and not unit:
        qty = parse_number(trailing_qty.group("q"))
        unit = trailing_qty.groupdict().get("unit") or ""
        head = head[: trailing_qty.start()]
    elif (
        qty == 1
        and not unit
        and not COUNT_INSIDE.search(head)  # "travel 2 x 35 km at 0.50": asked below
        and (counted_by := COUNT_THEN_MEASURE.search(head)) is not None
    ):
        # "mulch 8 bags at 6.50", "parquet 35 m² at 28", "brake pads 2 × 55": the count and its
        # measure after the description are the quantity (never a description "Mulch 8 bags" at
        # 6.50 for the lot).
        per_one = PER_UNIT_TAIL.match(tail) is not None
        for_count = re.search(r"\bfor$", head[: counted_by.start()].rstrip(), re.IGNORECASE) is not None
        # "dinner for 80 at 40 a head": a count after "for" priced per head (or each) is the
        # quantity (it was one "Dinner for 80" at 40, a wrong total).
        if for_count and not per_one and not counted_by.group("unit") and connector in ("at", "@"):
            # "dinner for 80 at 40": 40 a head or for all of them? Asked (two totals).
            head_count = parse_number(counted_by.group("q"))
        named_before = re.search(r"\b[A-Z][\w.-]*\s*$", head[: counted_by.start()]) is not None
        name_number = bool(
            # "Windows 11 licences": a capitalised name then its number, then a plain plural (not a
            # container or a measure): 11 licences, or one "Windows 11" licence? Asked below.
            counted_by.group("unit")
            and named_before
            and re.fullmatch(r"[a-z]+s", counted_by.group("unit"))
            and not re.fullmatch(CONTAINERS, counted_by.group("unit"), re.IGNORECASE)
        )
        # "catering for 60 guests 1,850": who a service is for, then a price with no "at", "each"
        # or "a head", is the price of the whole service (it was 60 x 1,850, a wrong total).
        audience = (
            for_count
            and not per_one
            and connector not in ("at", "@", "x", "×", "*")
            and re.fullmatch(HEADCOUNT, counted_by.group("unit") or "", re.IGNORECASE) is not None
        )
        # "box of 12 eggs 5", "bono de 10 clases 100 €": what one thing holds, then its price;
        # one box at 5 (it was 12 at 5, a wrong total).
        holds = (
            not per_one
            and connector not in ("at", "@", "x", "×", "*")
            and HOLDER_OF.search(head[: counted_by.start()]) is not None
        )
        measured = counted_by.group("unit") and not name_number and not audience and not holds
        if name_number and connector in ("at", "@"):
            head_count = parse_number(counted_by.group("q"))
        if connector in ("x", "×", "*") or measured or (per_one and for_count):
            qty = parse_number(counted_by.group("q"))
            unit = counted_by.group("unit") or ""
            # "full groom for 2 dogs": the word that led to the count is not the description's.
            head = re.sub(r"\s+(?:for|of|x)$", "", head[: counted_by.start()], flags=re.IGNORECASE)
    counted = PLURAL_THEN_COUNT.search(head) if qty == 1 and not unit and head_count is None else None
    if counted is not None and counted.group("what")[0].islower():
        # "chairs 3 at 85", "Microsoft 365 licences 5 @ 10.30": a common noun in the plural, then a
        # bare count, is how many; only a capitalised word ("Windows 11") may be a name, and is asked.
        qty = parse_number(counted.group("n"))
        head = head[: counted.start("n")].rstrip()
        counted = None
    counted_noun = COUNT_THEN_NOUN.search(head) if qty == 1 and not unit and counted is None else None
    per = PER_UNIT_TAIL.match(tail)
    total = TOTAL_TAIL_RE.match(tail)
    inside = _COUNT_OF_WHAT_ENDS.search(head) if qty == 1 and not unit and per and counted is None else None
    if inside is not None and counted_noun is None and head_count is None:
        # "supply and fit 2 ceiling fans - $340 each": each of the 2 fans (it was one at 340).
        qty = parse_number(inside.group("n"))
        head = f"{head[: inside.start()]} {inside.group('what')}"
    counted_in_rate_unit = False
    per_base = UNITS.get((per.groupdict().get("per") or "").lower()) if per else None
    # (minutes at an hourly rate are converted by the request reader: "90 min at 80/hr" is 1.5 hours)
    if per_base and unit and UNITS.get(unit.lower()) not in (None, per_base, "minute") and qty != 1:
        # "3 hrs consulting @ 1.5k/day": counted in hours, priced by the day; asked (it was
        # 3 x 1,500).
        r.draft.unclear.append(
            f"“{text.strip()}” counts {unit} but the price is per {per_base}: how many {per_base}s, or what price per "
            f"{UNITS.get(unit.lower())}?"
        )
    if per and not unit:
        per_word = (per.groupdict().get("per") or "").lower()
        if per_word in UNITS:
            unit, counted_in_rate_unit = per_word, qty != 1
    trailing_unit = re.search(r"\s+(?P<unit>[A-Za-z]+)\s*$", head) if qty != 1 and not unit else None
    if trailing_unit and trailing_unit.group("unit").lower() in UNITS and trailing_unit.start() > 0:
        # "4 chemistry tutoring hours at 40": the unit said after what it counts.
        unit, head = trailing_unit.group("unit"), head[: trailing_unit.start()]
    desc = clean_description(head)
    said_after = re.fullmatch(r"(?:for|of)\s+(?:the\s+)?(?P<what>[a-z][a-z' -]*)", tail)
    if not desc and said_after and (qty != 1 or connector in ("at", "@", "x")):
        desc = clean_description(said_after.group("what"))  # "6 @ 14.50 for fittings"
    if desc and has_date(tail) and not per and not total:
        # "hosting 240 on March 20": the date says which hosting; it stays with the line.
        desc = f"{desc} {tail.strip(' ,.')}"
    if unit and not desc and head == "" and desc_start:
        desc = ""
    amount = price.amount
    is_total = bool(total) or (connector == "for" and qty != 1 and not per)
    if not desc and qty == 1 and not unit:
        # Only a price: "99 each", "$400 total".
        item = DraftItem(description="", unit_price=amount)
        if total:
            item.quantity = Decimal(-1)
        return item
    item = DraftItem(description=desc, quantity=qty, unit=unit_label(unit, qty) if unit else "")
    if qty != 1 and unit and _MULTIPLIER_ENDING.search(desc):
        # "travel 2 x 35 miles at 0.50", "cleaning 2 x 3 hours at 40": the count before the unit
        # is one factor (35 x 0.50 was a wrong total); the whole count is asked, as without a unit.
        desc = f"{desc} {plain_number(qty)} {unit}"
        item = DraftItem(description=desc, quantity=Decimal(1))
        qty, unit = Decimal(1), ""
    if unit.lower() in SMALL_MEASURES and qty > 1 and not per and not is_total:
        # "500 g of coffee at 12": a price per gram is rare; 6,000 would be a wrong total. Asked.
        item.pack = True
        r.draft.unclear.append(
            f"Is {plain_number(amount)} the price of the {plain_number(qty)} {unit} of {desc.lower()}, "
            f"or per {unit}?"
        )
    if qty != 1 and re.search(r"(?:^|\s)[x×*]\s*\d+(?:[.,]\d+)?\s*$", desc):
        # "12 oz coffee x 40 at 2.75": a count before the name and one after it; which is billed
        # is asked (it was 12 x 2.75).
        item.quantity_asked = True
        r.draft.unclear.append(f"What is the quantity of “{plain_number(qty)} {desc}”? Answer with a number.")
    if qty == 1 and not unit and COUNT_INSIDE.search(desc):
        # "travel 2 x 35 km at 0.50": 1 x 0.50 would drop the count said; asked.
        item.quantity_asked = True
        r.draft.unclear.append(
            f"What is the quantity of “{desc}” at {plain_number(amount)}? Answer with a number, for example "
            "“70”."
        )
    if counted is not None:
        # "chairs 3 at 85": 3 chairs, or a name ("Windows 11")? Asked; the answer decides.
        item.count_choice = parse_number(counted.group("n"))
        r.draft.unclear.append(
            f"Is {counted.group('n')} the number of {counted.group('what').lower()}, or part of the name "
            f"“{desc}”?"
        )
    if head_count is not None and qty == 1:
        item.count_choice = head_count
        r.draft.unclear.append(
            f"Is {plain_number(amount)} the price for each of the {plain_number(head_count)}, or for all of them?"
        )
    if counted_noun is not None and connector in ("at", "@"):
        item.count_choice = parse_number(counted_noun.group("n"))
        r.draft.unclear.append(
            f"Is {counted_noun.group('n')} the number of {counted_noun.group('what')}, or part of the name “{desc}”?"
        )
    if is_total and qty != 1:
        item.unit_price = unit_from_total(item, amount)
    else:
        item.unit_price = amount
    multiplied = re.match(r"^\s*\d+(?:[.,]\d+)?\s*[x×*]", text) is not None  # "2 x screen protector £12"
    if not connector and not per and not total and qty != 1 and not multiplied:
        # "consulting 10 hours 1500", "12 months hosting 240", "100 business cards 45": for all of
        # them, or each? Asked (it was 100 x 45, 4,500 for 45, when the units were not time).
        ask_total_or_rate(r, item)
    if per and per.groupdict().get("per") and qty == 1:
        item = count_by_rate(item, per.group("per"))  # "3-day shoot at 2,400 a day"
    elif counted_in_rate_unit and per is not None:  # (it is only set with a rate)
        # "2 x 4-hour shifts at 25/hr": 2 shifts of 4 hours each are 8 hours (it was 2 hours);
        # the line says how many of them ("2 x 4-hour shifts", 8 hours).
        times = item.quantity
        if count_by_rate(item, per.group("per"), times=times).quantity != times:
            item.description = f"{plain_number(times)} x {item.description}"
    return item


_TRAILING_COUNT = re.compile(rf"\s+(?P<q>\d+(?:[.,]\d+)?)\s*(?P<unit>{UNIT_RE})\.?\s*$", re.IGNORECASE)
_WORDS_AFTER_PRICE = re.compile(r"^(?P<body>.*\d.*?)\s*\((?P<words>[^()\d]+)\)$")
# (a tax said in brackets is the tax reader's: "(VAT exempt)", "(no tax)")
_TAXED_REMARK = re.compile(r"\b(?:tax|vat|gst|hst|pst|exempt|zero[- ]rated)", re.IGNORECASE)
# "4 tyres for a total of 320": what all of them cost (it was 4 x 320).
_A_TOTAL_OF = re.compile(r"\s+(?:for\s+)?(?:a\s+)?total\s+of\s+(?=\S*\d)", re.IGNORECASE)
# A count inside a description, then what it counts (a plural) at its end: "fit 2 ceiling fans".
_COUNT_OF_WHAT_ENDS = re.compile(
    r"(?<=[a-z])\s+(?P<n>\d{1,4})\s+(?P<what>(?:[a-z][\w'-]*\s+){0,2}[a-z][\w'-]*s)\s*$"
)
