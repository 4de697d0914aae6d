"""Changing the currency: "make it EUR", "switch to pounds" (amounts are kept, not converted)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from docmesh_agent.builtin.edits.op import Change, EditError
from docmesh_agent.builtin.money import currency_from_word
from docmesh_agent.builtin.replies import currency_change
from docmesh_common.model.invoice import Invoice

_CURRENCY_RE = re.compile(
    r"^(?:(?:make|change|switch|convert|set|put|turn)\s+(?:it|this|everything|currency|the\s+(?:invoice|quote|document|currency|receipt|prices))?\s*(?:to|in|into)?|"
    r"(?:use|bill\s+in|invoice\s+in|price\s+(?:it\s+)?in|do\s+it\s+in|in|currency(?:\s+should\s+be|\s+is)?:?|change\s+currency\s+to|"
    r"change\s+the\s+currency\s+to|set\s+the\s+currency\s+to|switch\s+(?:the\s+)?currency\s+to))\s*(?P<cur>[A-Za-z$€£¥₹ .]+?)$",
    re.IGNORECASE,
)


def op_currency(text: str, data: dict[str, Any], current: Invoice, today: dt.date) -> Change | None:
    """ "make it EUR", "switch to pounds": the currency code only; amounts are not converted."""
    match = _CURRENCY_RE.match(text)
    if not match:
        return None
    code = currency_from_word(match.group("cur").strip())
    if code is None:
        return None
    if code == current.currency_code:
        raise EditError(f"The document is already in {code}.")
    data["currency_code"] = code
    return data, [currency_change(current.currency_code, code)]
