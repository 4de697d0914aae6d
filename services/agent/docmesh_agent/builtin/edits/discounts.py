"""Discounts: "make the discount 10%", "change the discount to $50", and the reason a discount is given."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from docmesh_agent.builtin.edits.op import Change
from docmesh_agent.builtin.labels import capitalised, plain_number
from docmesh_agent.builtin.money import format_amount, one_amount, parse_number
from docmesh_common.model.invoice import Discount, Invoice

_DISCOUNT_CHANGE_RE = re.compile(
    r"^(?:change|set|update|make|raise|lower|increase|decrease|adjust)\s+(?:the\s+)?discount\s+(?:to\s+)?(?P<value>.+)$"
    r"|^(?:the\s+)?discount\s+(?:should\s+be|is|=)\s+(?P<value2>.+)$",
    re.IGNORECASE,
)


def op_discount_change(text: str, data: dict[str, Any], current: Invoice, today: dt.date) -> Change | None:
    """ "make the discount 10%", "change the discount to $50": one discount, keeping its reason."""
    match = _DISCOUNT_CHANGE_RE.match(text)
    if not match:
        return None
    value = (match.group("value") or match.group("value2")).strip()
    pct = re.fullmatch(r"(?P<p>\d+(?:[.,]\d+)?)\s*(?:%|percent)", value, re.IGNORECASE)
    description = data["discounts"][0]["description"] if data["discounts"] else ""
    if pct:
        disc = Discount(description=description, percent=parse_number(pct.group("p")))
        shown = f"{plain_number(disc.percent)}%" if disc.percent is not None else ""
    else:
        money = one_amount(value)
        if money is None:
            return None
        disc = Discount(description=description, amount=money.amount)
        shown = format_amount(money.amount, current.currency_code)
    data["discounts"] = [disc.model_dump()]
    return data, [f"discount set to {shown}"]


def reason_discount(target: str, disc: Discount) -> Discount:
    """ "5% discount for early payment": a target that is no line is the discount's reason."""
    if disc.description:
        return disc
    reason = re.sub(r"^(?:the|a|an)\s+", "", target.strip(), flags=re.IGNORECASE)
    return disc.model_copy(update={"description": (capitalised(reason) + " discount") if reason else ""})
