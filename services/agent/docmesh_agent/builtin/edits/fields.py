"""Changing a field the request reader understands: due date, issue date, number, note, terms,
reference and validity ("change the due date to March 5", "put the invoice number as 2026-01")."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from docmesh_agent.builtin.drafts import Draft
from docmesh_agent.builtin.edits.add import add_from_draft
from docmesh_agent.builtin.edits.op import Change, EditError
from docmesh_agent.builtin.labels import capitalised
from docmesh_agent.builtin.read_request import read_request
from docmesh_common.model.invoice import Invoice

_FIELD_CHANGE_RE = re.compile(
    r"^(?:change|set|update|make|move|push|extend|put)\s+(?:the\s+)?(?P<field>due\s+date|due|issue\s+date|invoice\s+date|date|number|invoice\s+number|"
    r"quote\s+number|notes?|memo|payment\s+terms|terms|reference|po\s+number|valid(?:ity)?(?:\s+date)?|expiry(?:\s+date)?)\s+(?:to|as|:)?\s*(?P<value>.+)$",
    re.IGNORECASE,
)


def op_field_change(text: str, data: dict[str, Any], current: Invoice, today: dt.date) -> Change | None:
    """ "change the due date to March 5": the value is read as the request reader reads that field."""
    match = _FIELD_CHANGE_RE.match(text)
    if not match:
        return None
    field_name = " ".join(match.group("field").lower().split())
    value = match.group("value").strip().strip("“”\"'")
    if field_name in ("due date", "due"):
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
