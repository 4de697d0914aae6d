"""What an edit operation is, and the two ways an understood edit can stop."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from docmesh_common.model.invoice import Invoice

# The document's data after the change (an `Invoice.model_dump()`, changed in place), and what
# changed, in words, for the reply.
Change = tuple[dict[str, Any], list[str]]

# (the edit's text, the data to change, the document before this edit, today) -> Change, or None
# when the text is not this operation's kind of change.
Op = Callable[[str, dict[str, Any], Invoice, dt.date], Change | None]


class EditError(Exception):
    """An edit that was understood but cannot be done; the message says why."""


class NeedPrice(Exception):
    """A new item was added without a price."""

    def __init__(self, index: int, description: str, quantity: Decimal, unit: str) -> None:
        super().__init__(description)
        self.index = index
        self.description = description
        self.quantity = quantity
        self.unit = unit


def first_group(groups: dict[str, str | None], name: str) -> str | None:
    """The first group called `name`, `name2`, `name3`, ... that matched (regex alternatives)."""
    for key, value in groups.items():
        if value is not None and re.fullmatch(rf"{name}\d*", key):
            return value
    return None
