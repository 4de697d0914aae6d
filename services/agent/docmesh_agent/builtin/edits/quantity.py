"""Changing how many: "set item 2 quantity to 5", "make it 12 hours", "2 more hours"."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from docmesh_agent.builtin.edits.find_line import line_index, line_name
from docmesh_agent.builtin.edits.op import Change, EditError, first_group
from docmesh_agent.builtin.labels import plain_number, relabel_unit, singular
from docmesh_agent.builtin.money import parse_number
from docmesh_common.model.invoice import Invoice

_MORE_RE = re.compile(
    r"^(?:(?:add|bill(?:\s+(?:them|him|her|the\s+client))?(?:\s+for)?|charge(?:\s+(?:them|for))*|plus|include)\s+)?"
    r"(?:(?P<n>\d+(?:[.,]\d+)?)\s+(?:more|extra|additional)|(?:another|an?\s+(?:extra|additional))\s*(?P<n2>\d+(?:[.,]\d+)?)?)"
    r"\s+(?P<unit>[a-z]+)(?:\s+(?:of|on|for)\s+(?P<ref>.+?))?(?:\s+at\s+the\s+same\s+(?:rate|price))?$",
    re.IGNORECASE,
)


def op_more(text: str, data: dict[str, Any], current: Invoice, today: dt.date) -> Change | None:
    """ "2 more hours", "another 2 hours of consulting": more of a line that is already there."""
    match = _MORE_RE.match(text)
    if not match:
        return None
    qty = parse_number(match.group("n") or match.group("n2") or "1")
    said = match.group("unit").lower()
    candidates = [
        i
        for i, item in enumerate(data["line_items"])
        if item["unit"] and singular(item["unit"].lower()) == singular(said)
    ]
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
    index = line_index(ref, data)
    item = data["line_items"][index]
    old = Decimal(item["quantity"])
    item["quantity"] = qty
    if item["unit"]:
        item["unit"] = relabel_unit(item["unit"], qty)
    return data, [
        f"line {index + 1} ({item['description']}) quantity {plain_number(old)} → {plain_number(qty)}"
    ]
