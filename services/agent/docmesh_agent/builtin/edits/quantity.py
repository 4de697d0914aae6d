"""Changing how many: "set item 2 quantity to 5", "make it 12 hours", "2 more hours"."""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from decimal import Decimal
from typing import Any

from docmesh_agent.builtin.edits.find_line import line_index, line_name
from docmesh_agent.builtin.edits.op import Change, EditError, first_group
from docmesh_agent.builtin.labels import plain_number, relabel_unit, singular
from docmesh_agent.builtin.money import parse_number
from docmesh_agent.builtin.translate import LANGUAGES, to_english
from docmesh_agent.builtin.words import QTY_WORD_RE, QTY_WORDS, UNITS
from docmesh_common.model.invoice import Invoice

_MORE_RE = re.compile(
    r"^(?:(?:add|bill(?:\s+(?:them|him|her|the\s+client))?(?:\s+for)?|charge(?:\s+(?:them|for))*|plus|include|"
    # "they took a second switch": one more of a line that is there.
    r"(?:they|he|she|we)\s+(?:also\s+)?(?:took|had|used|got|bought|ordered|need(?:ed)?|want(?:ed)?))\s+)?"
    rf"(?:(?P<n>\d+(?:[.,]\d+)?|{QTY_WORD_RE})\s+(?:more|extra|additional)|(?:another|an?\s+(?:extra|additional|second))\s*(?P<n2>\d+(?:[.,]\d+)?)?)"
    # Any letters: "2 more Stühle", "3 more cafés" (only a-z missed them: not understood).
    r"\s+(?P<unit>[^\W\d_]+)(?:\s+(?:of|on|for)\s+(?P<ref>.+?))?(?:\s+at\s+the\s+same\s+(?:rate|price))?$",
    re.IGNORECASE,
)


_FEWER_RE = re.compile(
    rf"^(?:remove|take\s+off|take\s+away|drop|minus|subtract)\s+(?P<n>\d+(?:[.,]\d+)?|{QTY_WORD_RE})\s+(?P<what>[^\W\d_]+)$"
    # "one less sandwich platter", "2 fewer chairs": the last word says which line.
    rf"|^(?P<n2>\d+(?:[.,]\d+)?|{QTY_WORD_RE})\s+(?:less|fewer)\s+(?:of\s+the\s+)?(?:[^\W\d_]+\s+){{0,3}}(?P<what2>[^\W\d_]+)$",
    re.IGNORECASE,
)


def op_fewer(text: str, data: dict[str, Any], current: Invoice, today: dt.date) -> Change | None:
    """ "remove one chair", "take off 2 hours": fewer of a line counted in that word, never the
    whole line (removing all six chairs for "one chair" is a wrong total)."""
    match = _FEWER_RE.match(text)
    if not match:
        return None
    candidates = _lines_counted_in(match.group("what") or match.group("what2"), data)
    if len(candidates) != 1:
        return None
    item = data["line_items"][candidates[0]]
    old, fewer = Decimal(item["quantity"]), _count(match.group("n") or match.group("n2"))
    if not 0 < fewer < old:
        return None  # "remove 6 chairs" of 6: the line goes (op_remove)
    item["quantity"] = old - fewer
    item["unit"] = relabel_unit(item["unit"], old - fewer) if item["unit"] else ""
    return data, [
        f"line {candidates[0] + 1} ({item['description']}) quantity {plain_number(old)} → {plain_number(old - fewer)}"
    ]


_TIMES_RE = re.compile(
    r"^(?P<times>double|triple)\s+(?:the\s+)?(?P<ref>.+?)(?:\s+(?:order|quantity|count))?$", re.IGNORECASE
)
_ONE_OFF_RE = re.compile(
    r"^(?:take|knock)\s+(?:one|1)\s+off$|^(?:remove|drop|take\s+away)\s+(?:one|1)$", re.IGNORECASE
)


def op_times(text: str, data: dict[str, Any], current: Invoice, today: dt.date) -> Change | None:
    """ "double the fruit trays": twice (three times) as many of that line; "take one off": one
    fewer of the one line counted, else which line is asked."""
    if _ONE_OFF_RE.match(text):
        counted = [i for i, item in enumerate(data["line_items"]) if Decimal(item["quantity"]) > 1]
        if len(data["line_items"]) != 1 or len(counted) != 1:
            names = ", ".join(
                f"“one less of the {line_name(data, i)}”" for i in range(min(2, len(data["line_items"])))
            )
            raise EditError(f"Which line should have one fewer? Say for example {names}.")
        index, times = counted[0], None
    else:
        match = _TIMES_RE.match(text)
        if not match:
            return None
        try:
            index = line_index(match.group("ref"), data)
        except EditError:
            return None
        times = Decimal(2 if match.group("times").lower() == "double" else 3)
    item = data["line_items"][index]
    old = Decimal(item["quantity"])
    new = old * times if times is not None else old - 1
    item["quantity"] = new
    item["unit"] = relabel_unit(item["unit"], new) if item["unit"] else ""
    return data, [
        f"line {index + 1} ({item['description']}) quantity {plain_number(old)} → {plain_number(new)}"
    ]


def op_more(text: str, data: dict[str, Any], current: Invoice, today: dt.date) -> Change | None:
    """ "2 more hours", "another 2 hours of consulting": more of a line that is already there."""
    match = _MORE_RE.match(text)
    if not match:
        return None
    qty = _count(match.group("n") or match.group("n2") or "1")
    said = match.group("unit").lower()
    candidates = _lines_counted_in(said, data)
    if match.group("ref"):
        index = line_index(match.group("ref"), data)
    elif len(candidates) == 1:
        index = candidates[0]
    elif not candidates:
        return None  # "another 2 widgets at $5" is a new line, read by the general rules
    else:
        raise EditError(
            f"More {said} of which line? Say for example “2 more {said} of {line_name(data, candidates[0])}”."
        )
    item = data["line_items"][index]
    old = Decimal(item["quantity"])
    item["quantity"] = old + qty
    item["unit"] = relabel_unit(item["unit"], old + qty)
    return data, [
        f"line {index + 1} ({item['description']}) quantity {plain_number(old)} → {plain_number(old + qty)}"
    ]


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


def op_quantity(text: str, data: dict[str, Any], current: Invoice, today: dt.date) -> Change | None:
    """ "set item 2 quantity to 5", "make it 12 hours", "make the business cards 3 boxes"."""
    match = _QTY_RE.match(text)
    if not match:
        return None
    groups = match.groupdict()
    ref = first_group(groups, "ref") or "it"
    qty = parse_number(first_group(groups, "q") or "0")
    if groups["ref6"]:
        # "make the business cards 3 boxes": only when the word is the line's unit.
        try:
            index = line_index(ref, data)
        except EditError:
            return None
        unit = data["line_items"][index]["unit"].lower()
        said = groups["unit6"].lower()
        if not unit or said.rstrip("s") != unit.rstrip("s"):
            return None
    if qty <= 0:
        raise EditError("A quantity must be more than zero; to drop a line say “remove item 2”.")
    counted = _lines_counted_in(groups["unit5"], data) if groups["unit5"] and not groups["ref5"] else []
    # "it was 7 hours, not 5" with two lines: the one line counted in hours (it asked which line).
    index = counted[0] if len(counted) == 1 else line_index(ref, data)
    item = data["line_items"][index]
    old = Decimal(item["quantity"])
    item["quantity"] = qty
    if item["unit"]:
        item["unit"] = relabel_unit(item["unit"], qty)
    return data, [
        f"line {index + 1} ({item['description']}) quantity {plain_number(old)} → {plain_number(qty)}"
    ]


def _count(text: str) -> Decimal:
    """ "2", "6.5", "two", "a dozen" as a number."""
    word = " ".join(text.lower().split())
    return Decimal(QTY_WORDS[word]) if word in QTY_WORDS else parse_number(text)


def _lines_named(*refs: str | None, data: dict[str, Any]) -> list[int]:
    """The line the first of `refs` names ("labour", "le cocktail"); none when none names one
    ("it", "finalement ce")."""
    for ref in refs:
        if ref:
            try:
                return [line_index(ref, data)]
            except EditError:
                continue
    return []


@functools.lru_cache(maxsize=256)
def _unit_key(unit: str) -> str:
    """A unit as one key in any of the four languages ("hours", "h", "Std.", "horas" -> "hour")."""
    word = unit.lower().rstrip(".")
    if word in UNITS:
        return UNITS[word]
    for code in LANGUAGES:
        english = to_english(f"2 {unit}", code).split()[-1].lower().rstrip(".")
        if english in UNITS:
            return UNITS[english]
    return singular(word)


def _lines_counted_in(word: str, data: dict[str, Any]) -> list[int]:
    """The lines counted in `word`: by their unit ("hours" for "Std."), or, with no unit, by what
    they are ("chairs" for a line "Chairs", "lessons" for "Piano lessons"); when no line's last
    word says so, by any word of one line's description ("cours" for "Cours de yoga",
    "revisiones" for "Revisión completa", "switch" for "Network switch")."""
    said = _unit_key(word)
    found = [
        i
        for i, item in enumerate(data["line_items"])
        if (item["unit"] and _unit_key(item["unit"]) == said)
        or (
            not item["unit"]
            and item["description"].split()
            and singular(item["description"].split()[-1].lower()) == said
        )
    ]
    if found:
        return found
    stem = _stem(word)
    return [
        i
        for i, item in enumerate(data["line_items"])
        if not item["unit"] and stem in {_stem(w) for w in re.findall(r"[^\W\d_]{3,}", item["description"])}
    ]


def _stem(word: str) -> str:
    """A word without accents, case and plural ending, to compare across the four languages."""
    plain = "".join(c for c in unicodedata.normalize("NFD", word.casefold()) if not unicodedata.combining(c))
    for ending in ("es", "s", "x"):
        if plain.endswith(ending) and len(plain) - len(ending) >= 3:
            return plain[: -len(ending)]
    return plain


_COUNT_SAID_RE = re.compile(
    # "labour should be 2.5 hours", "la mano de obra fueron 3 horas": the line named first.
    r"^(?:(?:the\s+|la\s+|el\s+|le\s+|die\s+|der\s+|das\s+)?(?P<line>[^\W\d_][^\d,]*?)\s+"
    r"(?:should\s+be|was|were|is|are|fueron|fue|eran|era|son|waren|war|sind|ist|était|étaient|sera|est)\s+)?"
    r"(?:(?:make\s+(?:that|it)|it\s+(?:was|is|should\s+be)|(?:we|they|i|he|she)\s+(?:need|want)(?:s|ed)?|there\s+(?:were|are)|"
    r"should\s+be|only|just|actually|put|set|finalement|finalmente|schließlich|ce\s+sera|ça\s+fera|c'est|"
    # "they only took 15 loaves", "al final fueron 5 revisiones": who took how many, in the end.
    r"(?:they|he|she|we|i)\s+(?:only\s+|just\s+)?(?:took|had|used|got|ordered|bought|wanted|needed)|"
    r"al\s+final(?:\s+(?:fueron|son|eran|ser[aá]n))?|in\s+the\s+end|am\s+ende(?:\s+waren)?|au\s+final|"
    # the same words in es/de/fr, which the language tables leave as typed ("doch nur 5 Stühle",
    # "seulement 5 chaises", "solo 5 sillas", "mets 10 chaises au lieu de 6")
    r"doch|nur|bloß|bloss|eigentlich|seulement|juste|mets|en\s+fait|solo|sólo|solamente|pon|en\s+realidad)\s+)*"
    # "chairs are 80 each": a price (it was 80 chairs: a wrong total), never a count.
    rf"(?P<n>\d+(?:[.,]\d+)?|{QTY_WORD_RE})(?P<dozen>\s+dozen)?\s+"
    r"(?!(?:each|apiece|ea|per|an?|total|flat|dollars?|euros?|bucks|pounds|francs?|usd|eur|gbp|chf)\b)(?P<what>[^\W\d_]+)"
    r"(?:,?\s+(?:not|instead\s+of|rather\s+than|nicht|statt|anstatt|au\s+lieu\s+de|et\s+non|pas|"
    rf"en\s+vez\s+de|en\s+lugar\s+de|no)\s+(?:\d+(?:[.,]\d+)?|{QTY_WORD_RE}))?"
    # "90 personnes pour le cocktail": the line named after the count.
    r"(?:\s+(?:for|pour|para|für)\s+(?:the\s+|le\s+|la\s+|les\s+|l'|el\s+|los\s+|die\s+|den\s+|das\s+)?(?P<for>[^\d,]+))?"
    r"(?:\s+(?:in\s+the\s+end|after\s+all|in\s+total|total|al\s+final|en\s+total|au\s+total|insgesamt))?$",
    re.IGNORECASE,
)


_DOZENS_RE = re.compile(
    rf"^(?:make|change|set|put)\s+(?:the\s+)?(?P<line>[^\d,]+?)\s+(?:to\s+)?(?P<n>\d+(?:[.,]\d+)?|{QTY_WORD_RE})"
    r"(?P<dozen>\s+dozen)$",
    re.IGNORECASE,
)


def op_count_said(text: str, data: dict[str, Any], current: Invoice, today: dt.date) -> Change | None:
    """ "make that 10 chairs", "actually 6.5 hours", "we need a dozen chairs", "it was 7 hours,
    not 5", "make the croissants 4 dozen": a count of something one line is counted in, with no
    price, is that line's count."""
    dozens = _DOZENS_RE.match(text)
    if dozens:
        candidates = _lines_named(dozens.group("line"), data=data)
        return _set_count(data, candidates, _count(dozens.group("n")) * 12)
    match = _COUNT_SAID_RE.match(text)
    if not match:
        return None
    candidates = _lines_named(match.group("line"), match.group("for"), data=data)
    if not candidates:
        candidates = _lines_counted_in(match.group("what"), data)
    return _set_count(data, candidates, _count(match.group("n")) * (12 if match.group("dozen") else 1))


def _set_count(data: dict[str, Any], candidates: list[int], new: Decimal) -> Change | None:
    """The one candidate line's quantity set to `new`; None unless exactly one line is meant."""
    if len(candidates) != 1:
        return None  # no such line (a new one, read by the general rules) or several (asked there)
    index = candidates[0]
    item = data["line_items"][index]
    old = Decimal(item["quantity"])
    if new <= 0:
        return None
    item["quantity"] = new
    item["unit"] = relabel_unit(item["unit"], new) if item["unit"] else ""
    return data, [
        f"line {index + 1} ({item['description']}) quantity {plain_number(old)} → {plain_number(new)}"
    ]
