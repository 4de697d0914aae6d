"""Renaming a line: "rename item 1 to Strategy workshop", "change 'Website' to 'Web app'"."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from docmesh_agent.builtin.edits.find_line import line_index
from docmesh_agent.builtin.edits.op import Change, first_group
from docmesh_agent.builtin.labels import clean_description
from docmesh_common.model.invoice import Invoice

_RENAME_RE = re.compile(
    r"^(?:rename|retitle|call|relabel)\s+(?P<ref>.+?)\s+(?:to|as)\s+(?P<new>.+)$"
    r"|^(?:change|set|update|make)\s+the\s+(?:description|name|title|label)\s+of\s+(?P<ref2>.+?)\s+(?:to|as)\s+(?P<new2>.+)$"
    r"|^(?:change|set|update)\s+(?P<ref3>.+?)(?:'s)?\s+(?:description|name|label)\s+to\s+(?P<new3>.+)$"
    r"|^(?:change|set|update)\s+(?:the\s+)?(?:description|item\s+name|line\s+name)\s+(?:to|as)\s+(?P<new5>.+)$"
    r"|^(?:change|rename|replace)\s+[\"'“‘](?P<ref4>[^\"'”’]+)[\"'”’]\s+(?:to|with)\s+[\"'“‘](?P<new4>[^\"'”’]+)[\"'”’]$",
    re.IGNORECASE,
)


def op_rename(text: str, data: dict[str, Any], current: Invoice, today: dt.date) -> Change | None:
    """ "rename item 1 to Strategy workshop", "change 'Website' to 'Web app'"."""
    match = _RENAME_RE.match(text)
    if not match or re.match(
        r"^\w+\s+(?:the\s+)?(?:buyer|client|customer|seller|recipient|sender|company)\b", text, re.IGNORECASE
    ):
        return None
    ref = first_group(match.groupdict(), "ref") or "it"
    new = clean_description((first_group(match.groupdict(), "new") or "").strip("“”\"'"))
    index = line_index(ref, data)
    old = data["line_items"][index]["description"]
    data["line_items"][index]["description"] = new
    return data, [f"renamed line {index + 1} from {old} to {new}"]
