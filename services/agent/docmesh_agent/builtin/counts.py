"""How many and for how much: the count a line starts with ("10 hours of", "3 bags", "a dozen"),
the words that say a price is per unit or a total, what counts or measures a thing, and a total
divided by its count. Shared by the item reader (read_item), requests (read_request) and answers."""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal

from docmesh_agent.builtin.drafts import DraftItem
from docmesh_agent.builtin.labels import plain_number, unit_label
from docmesh_agent.builtin.money import parse_number, strip_amount
from docmesh_agent.builtin.not_amounts import MEASURES, price_moneys
from docmesh_agent.builtin.words import QTY_WORD_RE, QTY_WORDS, UNIT_RE, UNITS

PER_UNIT_TAIL = re.compile(
    rf"^(?:/\s?|per\s+|an?\s+|each\s+|every\s+)(?P<per>{UNIT_RE}|[a-z]+)\b\.?|^(?:each|apiece|ea\.?|per\s+(?:unit|item|piece|one))\b",
    re.IGNORECASE,
)

TOTAL_TAIL_RE = re.compile(
    r"^(?:in\s+)?(?:total|all\s+in|altogether|for\s+all|for\s+the\s+lot|flat)\b", re.IGNORECASE
)

# "travel 2 x 35 km": a count inside a description; "30x30", "2x4" written glued are a size or a name.
COUNT_INSIDE = re.compile(r"\b\d+(?:[.,]\d+)?(?:\s+[x×*]\s*|[x×*]\s+)\d")
SMALL_MEASURES = frozenset({"g", "gr", "gram", "grams", "mg", "ml", "cl", "oz"})
# How many people a service is for ("25 ppl", "60 guests"): counted like a container.
HEADCOUNT = r"ppl|pax|people|persons?|guests?|heads?|covers|attendees|participants|diners"
# "box of", "pack of", "bono de" before a count: one thing (a singular word) that holds that many.
HOLDER_OF = re.compile(r"\b[^\W\d_]*[^\W\d_s]\s+(?:of|de)\s*$", re.IGNORECASE)
# Words that only say how the goods come ("12 reams paper") or for how many people ("60 guests
# buffet dinner"): a unit even without "of".
CONTAINERS = (
    r"reams?|box(?:es)?|bags?|packs?|packets?|cases?|cartons?|rolls?|sheets?|bottles?|cans?|tins?|jars?|"
    rf"sacks?|pallets?|crates?|bundles?|pairs?|sets?|tubes?|buckets?|drums?|kegs?|trays?|loaves|reels?|{HEADCOUNT}"
)
# Words after an amount that say how it is meant ("$12 each", "$1,500 total"), not what it is for.
PRICE_WORDS = re.compile(
    r"\s+(?:total|each|apiece|ea|per|a|an|for|in|on|flat|all|altogether|the|only|plus|incl|including|excl)\b",
    re.IGNORECASE,
)
# A description, then a count and its measure ("8 bags", "35 m²", "12 boxes") or a bare count
# before "×" ("2 × 55").
COUNT_THEN_MEASURE = re.compile(
    rf"(?<=[A-Za-zÀ-ÿ])\s+(?P<q>\d+(?:[.,]\d+)?)(?:\s*(?P<unit>m[²³23]|sq\s?(?:ft|m)|{MEASURES}|{HEADCOUNT}|[A-Za-zÀ-ÿ]{{3,}}s))?\s*$"
)
# A plural word then a bare count at the end of a description: "chairs 3", "licences 10".
PLURAL_THEN_COUNT = re.compile(r"\b(?P<what>[A-Za-z]{3,}s)\s+(?P<n>\d{1,3})\s*$")
# "Bildbearbeitung 30 Bilder à 15 €": a count, then a capitalised plural of a language whose plurals
# do not end in s (Bilder, Flaschen, Stühle). 30 at 15, or one line at 15? Asked (it was one line
# at 15, a wrong total).
COUNT_THEN_NOUN = re.compile(r"(?<=[^\W\d_])\s+(?P<n>\d{1,4})\s+(?P<what>[A-ZÄÖÜ][^\W\d_]*(?:er|en|e|n))\s*$")


def leading_quantity(text: str) -> tuple[Decimal, str, int, int]:
    """(quantity, unit word, where the description starts, where the quantity ended)."""
    match = re.match(
        rf"^(?P<q>\d+(?:[.,]\d+)?|(?:{QTY_WORD_RE})\b)\s*(?:(?:x|×|\*)\s*|(?P<unit>{UNIT_RE})\b\.?\s*(?:of\s+)?)?",
        text,
        re.IGNORECASE,
    )
    if not match:
        return Decimal(1), "", 0, 0
    qty = parse_quantity(match.group("q"))
    # ("2026-03-02 consulting 4h @ 90": a date first is no count; it was 2,026 hours)
    if (
        qty is None
        or qty <= 0
        or re.match(r"^\d+/\d|^\d{4}-\d|^\d+(?:[.,]\d+)?(?:-[^\W\d_]|[kK](?![^\W\d_]))", text)
    ):
        # "10-class pass", "2-day workshop": a number joined to a word by a hyphen describes the
        # thing (one pass, one workshop); it was 10 passes at 140, a wrong total. "1.8k" is an amount.
        # "24/7 support", "1/2 day": a fraction or a name, not a count; the line keeps it.
        return Decimal(1), "", 0, 0
    rest = text[match.end() :]
    unit = match.group("unit") or ""
    if re.match(r"^\d+(?:[.,]\d+)?(?:[x×]\d|(?![x×]\s)[^\W\d_])", text) and not unit:
        # "2x4 boards", "16GB RAM", "4K monitors": a size or a name, not a count of them.
        return Decimal(1), "", 0, 0
    # A quantity must be followed by what is sold; "$" or "%" after it means it is not one.
    if (
        re.match(r"^\s*(?:%|[$€£¥₹])", rest)
        or (not rest.strip() and not unit)
        or (not unit and (PER_UNIT_TAIL.fullmatch(rest.strip()) or TOTAL_TAIL_RE.fullmatch(rest.strip())))
        or (not unit and re.match(r"^(?:for|of)\s", rest, re.IGNORECASE) and re.match(r"^\d", text))
    ):
        return Decimal(1), "", 0, 0
    if re.match(r"^\d", text) and re.match(r"^[.,]\d", text[match.end("q") :]):
        return Decimal(1), "", 0, 0
    if not unit:
        # "3 sessions of coaching": a word followed by "of" is a unit of its own.
        of_unit = re.match(r"^(?P<u>[^\W\d_]+)\s+of\s+(?=\w)", rest, re.IGNORECASE)
        if of_unit and match.group("q").lower() not in ("a", "an"):
            unit = of_unit.group("u")
            return qty, unit, match.end() + of_unit.end(), match.end()
        # "12 reams paper", "3 bags mulch": a container word is a unit, "of" or not.
        packed = re.match(
            # ("30 sheets 3/4\" birch plywood": a size may come first)
            rf"^(?P<u>{CONTAINERS})\s+(?!(?:at|for|each|per|an?|x|in|on|to|and|with|from|@)\b)(?=[^\W\d_]|\d+/\d+)",
            rest,
            re.IGNORECASE,
        )
        if packed and match.group("q").lower() not in ("a", "an"):
            return qty, packed.group("u"), match.end() + packed.end(), match.end()
    if match.group("q").lower() in ("a", "an") and unit == "":
        return Decimal(1), "", match.end(), match.end()
    return qty, unit, match.end(), match.end()


# "a 3-day video shoot", "2-hour workshop": a count joined to its unit by a hyphen.
_HYPHENED_COUNT = re.compile(rf"\b(?P<n>\d+(?:[.,]\d+)?)-(?P<unit>{UNIT_RE})\b", re.IGNORECASE)


def count_by_rate(item: DraftItem, per: str, *, times: Decimal = Decimal(1)) -> DraftItem:
    """ "3-day video shoot" at 2,400 a day is 3 days at 2,400 (it was one day, a third of the
    total). Alone, "2-day workshop 900" is one workshop; only a rate per that same unit counts it.
    `times` of them ("2 x 4-hour shifts at 25/hr") are that many times the units (8 hours). The
    item is changed in place and returned (unchanged when it is not that)."""
    base = UNITS.get(per.lower())
    if base is None or item.quantity != times or (item.unit and UNITS.get(item.unit.lower()) != base):
        return item
    counts = [
        m for m in _HYPHENED_COUNT.finditer(item.description) if UNITS.get(m.group("unit").lower()) == base
    ]
    if len(counts) != 1:
        return item
    item.quantity = times * parse_number(counts[0].group("n"))
    item.unit = unit_label(base, item.quantity)
    return item


def parse_quantity(text: str) -> Decimal | None:
    """ "10", "2.5", "1,5", "three", "a dozen" -> Decimal; None when it is none of these."""
    text = text.strip().lower()
    if text in QTY_WORDS:
        return Decimal(QTY_WORDS[text])
    try:
        return parse_number(text)
    except ValueError:
        return None


def unit_from_total(item: DraftItem, total: Decimal) -> Decimal:
    """The unit price when a total was given for several units; exact to 4 places or the total as one lot."""
    unit_price = total / item.quantity
    if unit_price == unit_price.quantize(Decimal("0.0001")):
        return strip_amount(unit_price)
    # Not divisible exactly: keep the total exact as one lot of N.
    item.description = f"{item.description} ({plain_number(item.quantity)} {item.unit})".replace(" )", ")")
    item.quantity = Decimal(1)
    item.unit = ""
    return total


def price_answer(message: str, item: DraftItem) -> tuple[DraftItem, str | None] | None:
    """ "400", "$80 an hour", "1,200 total": the price of `item` (never the 15 of "net 15", a
    date or an id: only a number that may be a price)."""
    moneys = price_moneys(message)
    if not moneys:
        return None
    money = moneys[-1]
    tail = message[money.end :].strip()
    new = replace(item)
    if (
        TOTAL_TAIL_RE.match(tail) or re.search(r"\b(?:total|altogether|in all)\b", message, re.IGNORECASE)
    ) and (item.quantity != 1):
        new.unit_price = unit_from_total(new, money.amount)
    else:
        new.unit_price = money.amount
        per = PER_UNIT_TAIL.match(tail)
        if per and per.groupdict().get("per"):
            new = count_by_rate(new, per.group("per"))
    return new, money.currency
