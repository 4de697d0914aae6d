"""Changing a line's price: "change the price of consulting to 175", "make the rate 175", "make the logo 450"."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from docmesh_agent.builtin.edits.find_line import line_index
from docmesh_agent.builtin.edits.op import Change, EditError, first_group
from docmesh_agent.builtin.labels import uncapitalised
from docmesh_agent.builtin.money import format_amount
from docmesh_agent.builtin.not_amounts import is_not_amount, price_moneys
from docmesh_common.model.invoice import Invoice

_PRICE_RE = re.compile(
    r"^(?:set|change|update|make|raise|lower|increase|decrease)\s+(?:the\s+)?(?P<ref3>(?:unit\s+|hourly\s+|daily\s+)?(?:price|rate))\s+(?:to\s+)?"
    r"(?P<amt3>[^a-z\s]*\d[\d,.']*(?:\s?[A-Z]{3})?\s*(?:/\s?[a-z]+|per\s+[a-z]+|an?\s+[a-z]+|each)?)$"
    # ("bump it to 110 an hour", "raise it to 95 each": the rate, said with the verb)
    r"|^(?:make\s+it|it'?s|it\s+should\s+be|charge|(?:bump|raise|lower|increase|decrease|drop)\s+it\s+to)\s+(?P<amt8>[^a-z\s]*\d[\d,.']*(?:\s?[A-Z]{3})?)\s*(?:each|per\s+[a-z]+|/\s?[a-z]+|an?\s+[a-z]+)$"
    r"|^(?:set|change|update|make|put|raise|lower|increase|decrease|bump)\s+(?:the\s+)?(?:unit\s+)?(?:price|rate|hourly\s+rate|cost|fee|amount)\s+(?:of|on|for)\s+(?P<ref>.+?)\s+(?:to|at)\s+(?P<amt>.+)$"
    r"|^(?:set|change|update|make|raise|lower|increase|decrease)\s+(?P<ref2>.+?)(?:'s)?\s+(?:unit\s+)?(?:price|rate|cost|fee)\s+(?:to\s+)?(?P<amt2>.+)$"
    # "chairs are 80 each", "the lamps were $40": a price said of the line (a bare "were 80" may
    # be a count: not read here).
    r"|^(?P<ref9>.+?)\s+(?:are|were|was)\s+(?P<amt9>\S*\d[\d,.']*\s?(?:each|apiece|ea|per\s+\w+|/\w+|an?\s+\w+)"
    r"|[$€£¥₹]\s?\d[\d,.']*|\d[\d,.']*\s?(?:[$€£]|(?-i:[A-Z]{3})|dollars?|euros?))$"
    r"|^(?P<ref4>.+?)\s+(?:should\s+(?:be|cost)|costs?|is|at)\s+(?P<amt4>\S*\d\S*(?:\s?(?:each|per\s+\w+|/\w+|an?\s+\w+))?)$"
    r"|^(?:change|set|update|make)\s+(?P<ref5>.+?)\s+(?:to\s+)?(?P<amt5>\S*\d\S*)\s*(?:each|per\s+\w+|/\w+|an\s+hour|a\s+day)$"
    r"|^(?:make|set|change|update)\s+(?P<ref7>.+?)\s+(?:to\s+)?(?P<amt7>[^\sa-z]*\d[\d,.']*(?:\s?[A-Z]{3}|[^\s\d]{0,2}))$",
    re.IGNORECASE,
)


def op_price(text: str, data: dict[str, Any], current: Invoice, today: dt.date) -> Change | None:
    """ "change the price of consulting to 175", "make the rate 175"; asks when a number may be a count."""
    match = _PRICE_RE.match(text)
    if not match:
        return None
    groups = match.groupdict()
    ref = first_group(groups, "ref")
    amount_text = first_group(groups, "amt") or ""
    if groups["amt8"] or (ref is not None and ref.strip().lower() in ("the", "a", "its", "it")):
        ref = "the price"
    if groups["ref4"] and re.search(
        r"\b(?:tax|vat|gst|shipping|delivery|discount|total|due)\b", groups["ref4"], re.IGNORECASE
    ):
        return None
    if groups["ref3"]:
        ref = "the price"
    # "change the desk to March 20" is not a price of 20: dates and the like are never prices,
    # read in the whole edit (the amount group alone is "20").
    said = next(name for name, value in groups.items() if name.startswith("amt") and value is not None)
    moneys = [] if is_not_amount(text, *match.span(said)) else price_moneys(amount_text)
    if not moneys or "%" in amount_text:
        return None
    if ref is None:
        return None
    try:
        index = line_index(ref, data)
    except EditError:
        if groups["ref4"] or groups["ref7"]:
            return None
        raise
    item = data["line_items"][index]
    old = Decimal(item["unit_price"])
    money = moneys[-1]
    if (
        groups["ref7"]
        and money.currency is None
        and not item["unit"]
        and Decimal(item["quantity"]) != 1
        and money.amount == money.amount.to_integral_value()
    ):
        # "change the chairs to 4": a line counted in its own word (6 chairs, no unit) is
        # changed to 4 chairs; a clerk would not read a whole number there as a price.
        old_qty = Decimal(item["quantity"])
        item["quantity"] = money.amount
        return data, [f"{item['description']} quantity {format(old_qty, 'f')} → {format(money.amount, 'f')}"]
    if groups["ref7"] and money.currency is None and (item["unit"] or Decimal(item["quantity"]) != 1):
        # "change the cards to 3": a count or a price? Both are plausible; ask.
        amount = format(money.amount, "f")
        unit = item["unit"] or "units"
        name = uncapitalised(item["description"])
        raise EditError(
            f"Should line {index + 1} ({item['description']}) be {amount} {unit}, or cost {amount} each? "
            f"Say “set item {index + 1} quantity to {amount}” or “change the price of {name} to {amount}”."
        )
    item["unit_price"] = money.amount
    change = f"{item['description']} price {format_amount(old, current.currency_code)} → {format_amount(money.amount, current.currency_code)}"
    changes = [change]
    if money.currency and money.currency != current.currency_code:
        changes.append(
            f"note: the amount was written in {money.currency} but the document is in {current.currency_code}"
        )
    return data, changes
