"""Changing a field the request reader understands: due date, issue date, number, note, terms,
reference and validity ("change the due date to March 5", "put the invoice number as 2026-01")."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from dateutil.relativedelta import relativedelta

from docmesh_agent.builtin.drafts import Draft, DueSpec
from docmesh_agent.builtin.edits.add import add_from_draft
from docmesh_agent.builtin.edits.op import Change, EditError
from docmesh_agent.builtin.labels import capitalised, singular
from docmesh_agent.builtin.read_request import read_request
from docmesh_agent.builtin.words import QTY_WORD_RE, QTY_WORDS
from docmesh_common.model.invoice import Invoice

_FIELD_CHANGE_RE = re.compile(
    r"^(?:change|set|update|make|move|push|extend|put)\s+(?:the\s+)?(?P<field>due\s+date|due|issue\s+date|invoice\s+date|date|number|invoice\s+number|"
    r"quote\s+number|notes?|memo|payment\s+terms|terms|reference|po\s+number|valid(?:ity)?(?:\s+date)?|expiry(?:\s+date)?)\s+(?:to|as|:)?\s*(?P<value>.+)$",
    re.IGNORECASE,
)

# "back a week", "out by 10 days", "by two weeks": how far a date moves (later).
_MOVED_BY = re.compile(
    rf"(?:back|out|forward|later)?\s*(?:by\s+)?(?P<n>\d{{1,3}}|{QTY_WORD_RE})\s+(?P<unit>days?|weeks?|months?)(?:\s+(?:back|out|later))?",
    re.IGNORECASE,
)


def op_field_change(text: str, data: dict[str, Any], current: Invoice, today: dt.date) -> Change | None:
    """ "change the due date to March 5": the value is read as the request reader reads that field."""
    match = _FIELD_CHANGE_RE.match(text)
    if not match:
        return None
    field_name = " ".join(match.group("field").lower().split())
    value = match.group("value").strip().strip("“”\"'")
    moved = _MOVED_BY.fullmatch(value)
    if field_name in ("due date", "due") and moved and current.due_date is not None:
        # "push the due date back a week", "extend the due date by 10 days": from the one it has.
        n = QTY_WORDS.get(moved.group("n").lower()) or int(moved.group("n"))
        unit = singular(moved.group("unit").lower())
        step = (
            relativedelta(months=n)
            if unit == "month"
            else dt.timedelta(days=n * (7 if unit == "week" else 1))
        )
        draft = Draft(due=DueSpec(date=current.due_date + step))
    elif field_name in ("due date", "due"):
        rewritten = value if re.match(r"^net", value, re.IGNORECASE) else f"due {value}"
        draft = read_request(rewritten, today)
    elif field_name in ("issue date", "invoice date", "date"):
        draft = read_request(f"dated {value}", today)
    elif "number" in field_name and "po" not in field_name:
        draft = Draft(number=value.lstrip("#"))
    elif field_name in ("note", "notes", "memo"):
        draft = Draft(notes=capitalised(value))
    elif field_name in ("payment terms", "terms"):
        draft = read_request(f"terms: {value}", today)
    elif field_name in ("reference", "po number"):
        draft = Draft(reference=value.lstrip("#"))
    else:
        draft = read_request(f"valid until {value}", today)
    if not draft.has_content() or draft.unknown:
        raise EditError(f"I couldn't read “{value}” as a {field_name}.")
    return add_from_draft(data, draft, text, current, today)
