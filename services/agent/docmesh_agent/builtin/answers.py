"""Answers to a question about a line's count or price ("per hour", "total", "70", "the
number"), shared by a new document's draft (generate) and a line an edit added (read_edit)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from decimal import Decimal

from docmesh_agent.builtin.counts import unit_from_total
from docmesh_agent.builtin.drafts import Draft, DraftItem
from docmesh_agent.builtin.labels import capitalised, plain_number, singular, unit_label
from docmesh_agent.builtin.money import parse_number

_ADVERB_UNITS = {"hourly": "hour", "daily": "day"}
_TOTAL_ANSWER = re.compile(
    r"\b(?:total|in\s+all|altogether|all\s+in|for\s+all|for\s+the\s+lot|the\s+lot|insgesamt|gesamt|en\s+total|au\s+total)\b",
    re.IGNORECASE,
)


def asked_about(item: DraftItem) -> bool:
    """The line has a question about its count or price waiting for the answer."""
    return bool(item.nested or item.count_choice or item.pack or item.quantity_asked or item.total_or_rate)


# What a reading of a message left waiting, by (the words read, today): an edit asks it of the
# message before it (read_edit.answer_pending), which the turn before usually read already (the
# request that made the document, what an "add ..." added), so it is noted there and not read
# again. Exact, as read_request is pure; a message noted before 1,000 others were is read again.
_WAITING: dict[tuple[str, dt.date], tuple[bool, bool]] = {}
_WAITING_NOTED = 1000
# answer_pending reads no message longer than this (read_edit.MAX_EDIT_CHARS); none is noted.
_WAITING_CHARS = 300


def note_waiting(words: str, today: dt.date, reading: Draft) -> tuple[bool, bool]:
    """(a line without a price, a question about a line's count or price) in `reading`, which is
    read_request(words, today), noted for `noted_waiting`."""
    waiting = (
        any(i.unit_price is None for i in reading.items),
        bool(reading.unclear) and any(asked_about(i) for i in reading.items),
    )
    if len(words) <= _WAITING_CHARS:
        if len(_WAITING) >= _WAITING_NOTED:
            _WAITING.pop(next(iter(_WAITING)), None)  # the oldest
        _WAITING[(words, today)] = waiting
    return waiting


def noted_waiting(words: str, today: dt.date) -> tuple[bool, bool] | None:
    """What note_waiting noted of read_request(words, today), if it still holds it."""
    return _WAITING.get((words, today))


def answer_nested(draft: Draft, answer: str) -> Draft:
    """The answer to a question about a count ("the number" makes "Chairs 3" 3 chairs), or to
    "per hour" to "Is 100 the price of each “2 hours of coaching”, or per hour?": 3 x 2 hours
    is 6 hours of coaching at 100; any other answer keeps 100 for each."""
    items = []
    still: list[str] = []
    for item in draft.items:
        if item.total_or_rate:
            price = item.unit_price
            if _TOTAL_ANSWER.search(answer) and price is not None:
                item = replace(item, total_or_rate=False)
                item = replace(item, unit_price=unit_from_total(item, price))
            elif re.search(r"\b(?:per|each|an?|por|pro|par|je|la|hourly|daily)\b", answer, re.IGNORECASE):
                item = replace(item, total_or_rate=False)
            else:
                still.append(
                    f"Is the price of the {item.description.lower()} the total or "
                    f"{f'per {singular(item.unit)}' if item.unit else 'for each'}?"
                )
                items.append(item)
                continue
        if item.quantity_asked:
            number = re.match(r"^\s*(?:it'?s\s+|the\s+quantity\s+is\s+)?(?P<n>\d+(?:[.,]\d+)?)\b", answer)
            if number is None:
                # Not a quantity: the question stays (never the count guessed as 1).
                still.append(f"What is the quantity of “{item.description}”? Answer with a number.")
                items.append(item)
                continue
            item = replace(item, quantity=parse_number(number.group("n")), quantity_asked=False)
        if item.pack:
            # "Is 12 the price of the 500 g of coffee, or per g?": "per g" keeps 500 x 12; any
            # other answer makes it one pack of 500 g at 12.
            per = re.search(
                rf"\b(?:per|a|each|por|pro|par|le|el)\s+{re.escape(item.unit)}\b", answer, re.IGNORECASE
            )
            if per is None:
                size = f"{plain_number(item.quantity)} {item.unit}"
                item = replace(item, description=f"{item.description} ({size})", quantity=Decimal(1), unit="")
            item = replace(item, pack=False)
        if item.count_choice is not None:
            # "Is 3 the number of chairs, or part of the name “Chairs 3”?": "the number", "yes",
            # "3 chairs" make it the quantity; anything else keeps the name.
            count = item.count_choice
            if re.search(
                rf"\b(?:yes|yeah|yep|number|quantity|count|qty|sí|si|ja|oui|each|apiece|per\s+(?:person|head|guest)|"
                rf"a\s+head)\b|^\s*{plain_number(count)}\b",
                answer,
                re.IGNORECASE,
            ):
                name = re.sub(rf"\s+(?:for\s+)?{plain_number(count)}\s*$", "", item.description)
                item = replace(item, description=name, quantity=count)
            item = replace(item, count_choice=None)
        if item.nested is not None:
            inner, unit, what = item.nested
            said = re.search(
                r"\b(?:per|an?|by\s+the|par|pro|por|for|la|je)\s+(?P<unit>[a-z]+)\b|\b(?P<ly>hourly|daily)\b",
                answer,
                re.IGNORECASE,
            )
            word = (said.group("unit") or _ADVERB_UNITS.get(said.group("ly") or "", "")) if said else ""
            if word and singular(word.lower()) == singular(unit.lower()):
                quantity = item.quantity * inner
                item = replace(
                    item,
                    description=capitalised(what) or "Services",
                    quantity=quantity,
                    unit=unit_label(unit, quantity),
                )
            item = replace(item, nested=None)
        items.append(item)
    return replace(draft, items=items, unclear=still)
