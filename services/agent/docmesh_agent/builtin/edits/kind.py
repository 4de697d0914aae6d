"""Changing the kind of document: "make it a quote", "turn this into a receipt"."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from docmesh_agent.builtin.edits.op import Change, EditError
from docmesh_agent.builtin.replies import KIND_NAMES, with_article
from docmesh_agent.builtin.words import KINDS
from docmesh_common.model.invoice import Invoice

_KIND_RE = re.compile(
    r"^(?:make|turn|convert|change|switch)\s+(?:it|this|the\s+(?:document|invoice|quote|receipt))?\s*(?:in)?(?:to|into)?\s+(?:an?\s+)?(?P<kind>invoice|quote|quotation|estimate|receipt|purchase\s+order|po)$"
    r"|^(?:it|this)\s+(?:should\s+be|is)\s+(?:an?\s+)?(?P<kind2>invoice|quote|quotation|estimate|receipt|purchase\s+order)$",
    re.IGNORECASE,
)


def op_kind(text: str, data: dict[str, Any], current: Invoice, today: dt.date) -> Change | None:
    """ "make it a quote", "it should be a receipt"."""
    match = _KIND_RE.match(text)
    if not match:
        return None
    word = " ".join((match.group("kind") or match.group("kind2")).lower().split())
    kind = KINDS[word]
    if kind == current.kind:
        raise EditError(f"It already is {with_article(KIND_NAMES[kind])}.")
    data["kind"] = kind
    return data, [f"now {with_article(KIND_NAMES[kind])}"]
