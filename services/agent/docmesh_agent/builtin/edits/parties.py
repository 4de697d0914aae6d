"""Changing who the document is for or from: "bill Initech instead", "client address: ...", "their email ..."."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from docmesh_agent.builtin.edits.op import Change
from docmesh_agent.builtin.labels import clean_name
from docmesh_agent.builtin.money import find_money
from docmesh_agent.builtin.replies import party_change
from docmesh_common.model.invoice import Invoice, Party

_BUYER_CHANGE_RE = re.compile(
    r"^(?:bill|invoice|charge|send\s+(?:it|this)\s+to|address\s+(?:it|this)\s+to|make\s+(?:it|this)\s+out\s+to|"
    r"(?:change|switch|set|update|rename)\s+(?:the\s+)?(?:client|customer|buyer|recipient|bill[\s-]to)(?:'?s)?(?:\s+name)?\s+(?:to|as)|"
    r"(?:the\s+)?(?:client|customer|buyer|recipient)\s+(?:is|should\s+be)|it'?s\s+for|(?:it\s+should\s+be\s+)?for)\s+(?P<name>.+)$",
    re.IGNORECASE,
)
_SELLER_CHANGE_RE = re.compile(
    r"^(?:(?:change|switch|set|update|rename)\s+(?:the\s+)?(?:seller|sender|supplier|vendor|from)(?:'?s)?(?:\s+name)?\s+(?:to|as)|"
    r"(?:the\s+)?(?:seller|sender|supplier|vendor)\s+(?:is|should\s+be)|(?:it'?s\s+)?from|i'?m|i\s+am|we\s+are)\s+(?P<name>.+)$",
    re.IGNORECASE,
)
_ADDRESS_RE = re.compile(
    r"^(?:(?:add|set|change|update)\s+(?:the\s+)?)?(?P<role>buyer|client|customer|seller|my|our|their)(?:'s)?\s+address\s*(?:to|is|:)?\s*(?P<addr>.+)$",
    re.IGNORECASE,
)
_EMAIL_RE = re.compile(
    r"^(?:(?:add|set|change|update)\s+(?:the\s+)?)?(?P<role>buyer|client|customer|seller|my|our|their)(?:'s)?\s+e-?mail\s*(?:to|is|:)?\s*(?P<email>[\w.+-]+@[\w-]+(?:\.[\w-]+)+)$",
    re.IGNORECASE,
)


def op_party(text: str, data: dict[str, Any], current: Invoice, today: dt.date) -> Change | None:
    """A party's address or e-mail, or a new buyer or seller ("bill Initech instead", "from Jane Doe")."""
    match = _ADDRESS_RE.match(text)
    if match:
        role = _role(match.group("role"))
        lines = [p.strip() for p in match.group("addr").split(",") if p.strip()]
        data[role]["address_lines"] = lines
        return data, [f"{role} address: {', '.join(lines)}"]
    match = _EMAIL_RE.match(text)
    if match:
        role = _role(match.group("role"))
        data[role]["email"] = match.group("email")
        return data, [f"{role} e-mail: {match.group('email')}"]
    for role, regex in (("buyer", _BUYER_CHANGE_RE), ("seller", _SELLER_CHANGE_RE)):
        match = regex.match(text)
        if not match:
            continue
        raw = match.group("name").strip()
        if re.match(r"^(?:number|no\.|#)", raw, re.IGNORECASE):
            return None
        if re.match(r"^(?:it\s+should\s+be\s+)?for\s", text, re.IGNORECASE) and not raw[:1].isupper():
            return None  # "for the logo, 500" is not a new buyer
        parts = [p.strip() for p in raw.split(",") if p.strip()]
        first = parts[0] if parts else ""
        if find_money(first) or "%" in raw or re.search(r"\b(?:days?|hours?)\b", first, re.IGNORECASE):
            return None
        name = clean_name(parts[0])
        if not name or name.lower() in ("it", "this", "that", "me", "free"):
            return None
        old = data[role]["name"]
        data[role] = Party(name=name, address_lines=parts[1:]).model_dump()
        return data, [party_change(role, old, name)]
    return None


def _role(word: str) -> str:
    """ "my address", "our email" are the seller's; "their", "client's" the buyer's."""
    return "seller" if word.lower() in ("seller", "my", "our") else "buyer"
