"""Changing the shipping: "change shipping to 40", "make the delivery free"."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from docmesh_agent.builtin.edits.op import Change
from docmesh_agent.builtin.money import format_amount, one_amount
from docmesh_common.model.invoice import Invoice

_SHIPPING_CHANGE_RE = re.compile(
    r"^(?:change|set|update|make|raise|lower|increase|decrease|adjust)\s+(?:the\s+)?(?:shipping|delivery|postage|freight)(?:\s+(?:fee|cost|charge))?\s+(?:to\s+)?(?P<amt>.+)$",
    re.IGNORECASE,
)


def op_shipping_change(text: str, data: dict[str, Any], current: Invoice, today: dt.date) -> Change | None:
    """ "change shipping to 40", "make the shipping free"."""
    match = _SHIPPING_CHANGE_RE.match(text)
    if not match:
        return None
    money = one_amount(match.group("amt"))
    if money is None:
        if re.fullmatch(r"free|zero|nothing", match.group("amt").strip(), re.IGNORECASE):
            data["shipping"] = Decimal(0)
            return data, ["shipping is now free"]
        return None
    data["shipping"] = money.amount
    return data, [f"shipping {format_amount(money.amount, current.currency_code)}"]
