"""What the interpreter's tests of amounts share: the day they read relative dates from, and the
total of the document a request writes (failing when it asks instead)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from docmesh_agent.builtin import interpret
from docmesh_common.model.totals import compute_totals

TODAY = dt.date(2026, 3, 12)  # a Thursday


def written_total(message: str) -> Decimal:
    """The total of the document the request writes; the test fails if it asks instead."""
    result = interpret(message, None, today=TODAY)
    assert result.action == "generate", result.reply
    assert result.invoice is not None
    return compute_totals(result.invoice).total
