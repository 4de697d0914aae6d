"""Changing the shipping: "change shipping to 40", "make the delivery free"."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from docmesh_agent.builtin.edits.op import Change
from docmesh_agent.builtin.money import find_money, format_amount
from docmesh_common.model.invoice import Invoice

_SHIPPING_CHANGE_RE = re.compile(
    r"^(?:change|set|update|make|raise|lower|increase|decrease|adjust)\s+(?:the\s+)?(?:shipping|delivery|postage|freight)(?:\s+(?:fee|cost|charge))?\s+(?:to\s+)?(?P<amt>.+)$",
    re.IGNORECASE,
)


def op_shipping_change(text: str, data: dict[str, Any], current: Invoice, today: dt.date) -> Change | None:
    match = _SHIPPING_CHANGE_RE.match(text)
    if not match:
        return None
    moneys = find_money(match.group("amt"))
    if not moneys:
        if re.fullmatch(r"free|zero|nothing", match.group("amt").strip(), re.IGNORECASE):
            data["shipping"] = Decimal(0)
            return data, ["shipping is now free"]
        return None
    data["shipping"] = moneys[-1].amount
    return data, [f"shipping {format_amount(moneys[-1].amount, current.currency_code)}"]
