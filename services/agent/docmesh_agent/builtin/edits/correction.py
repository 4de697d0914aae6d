"""Corrections that say the old value ("the desk should be 2, not 1") and bare numbers that do
not say what they are ("make it 4" with several lines): the old value decides whether it is the
quantity or the price; when nothing decides, one question, never a guessed amount."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from docmesh_agent.builtin.edits.find_line import line_index
from docmesh_agent.builtin.edits.op import Change, EditError
from docmesh_agent.builtin.labels import plain_number, relabel_unit, uncapitalised
from docmesh_agent.builtin.money import parse_number
from docmesh_common.model.invoice import Invoice

_N = r"\d+(?:[.,]\d+)?"
_CORRECTION_RE = re.compile(
    rf"^(?:(?:the\s+)?(?P<ref>.+?)\s+)?(?:should\s+(?:be|have\s+been)|was|were|is|are)\s+(?P<new>{_N})"
    rf"(?:\s+[a-z]+)?,?\s+(?:not|instead\s+of|rather\s+than)\s+(?P<old>{_N})(?:\s+[a-z]+)?$",
    re.IGNORECASE,
)
_BARE_NUMBER_RE = re.compile(
    rf"^(?:(?:make|change|set|put)\s+(?:it|that|this)(?:\s+to)?|it\s+should\s+be|it'?s)\s+(?P<n>{_N})$",
    re.IGNORECASE,
)


def op_correction(text: str, data: dict[str, Any], current: Invoice, today: dt.date) -> Change | None:
    """ "the desk should be 2, not 1": the line's quantity when it was 1, its price when that was 1."""
    match = _CORRECTION_RE.match(text)
    if not match:
        return None
    try:
        index = line_index(match.group("ref") or "it", data)
    except EditError:
        return None
    item = data["line_items"][index]
    new, old = parse_number(match.group("new")), parse_number(match.group("old"))
    quantity, price = Decimal(item["quantity"]), Decimal(item["unit_price"])
    name = item["description"]
    if old == quantity and old != price and new > 0:
        item["quantity"] = new
        if item["unit"]:
            item["unit"] = relabel_unit(item["unit"], new)
        return data, [f"line {index + 1} ({name}) quantity {plain_number(old)} → {plain_number(new)}"]
    if old == price and old != quantity:
        item["unit_price"] = new
        return data, [f"{name} price {plain_number(old)} → {plain_number(new)}"]
    raise EditError(
        f"Is {plain_number(new)} the quantity or the price of the {uncapitalised(name)}? It is "
        f"{plain_number(quantity)} at {plain_number(price)} now."
    )


def op_bare_number(text: str, data: dict[str, Any], current: Invoice, today: dt.date) -> Change | None:
    """ "make it 4" with several lines: which line, and is 4 a quantity or a price? Asked."""
    match = _BARE_NUMBER_RE.match(text)
    lines = data["line_items"]
    if not match or len(lines) < 2:
        return None
    n = plain_number(parse_number(match.group("n")))
    first = uncapitalised(lines[0]["description"])
    raise EditError(
        f"Which line should change to {n}, and is {n} its quantity or its price? Say for example "
        f"“set item 1 quantity to {n}” or “change the price of the {first} to {n}”."
    )
