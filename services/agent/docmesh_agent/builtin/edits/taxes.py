"""Taxes: "change the tax to 10%", "set VAT to 21%", "make the website tax exempt", "no PST on the catering"."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from docmesh_agent.builtin.edits.find_line import line_index
from docmesh_agent.builtin.edits.op import Change, EditError, first_group
from docmesh_agent.builtin.labels import tax_label
from docmesh_agent.builtin.money import parse_number
from docmesh_agent.builtin.replies import rate_change, tax_added
from docmesh_agent.builtin.words import TAX_WORDS
from docmesh_common.model.invoice import Invoice, Tax


def tax_named(name: str, data: dict[str, Any]) -> dict[str, Any] | None:
    """The document's tax called `name` (any case), or None."""
    name = name.strip().casefold()
    for tax in data["taxes"]:
        if tax["name"].casefold() == name:
            return tax
    return None


_TAX_EXEMPT_RE = re.compile(
    r"^(?:make\s+|mark\s+|set\s+)?(?P<ref>.+?)\s+(?:as\s+)?(?:is\s+|are\s+|should\s+be\s+|isn'?t\s+|is\s+not\s+|aren'?t\s+|shouldn'?t\s+be\s+)?"
    rf"(?:tax[\s-]exempt|tax[\s-]free|(?:{TAX_WORDS})[\s-]exempt|zero[\s-]rated|not\s+taxed|(?<=n't )taxable|(?<=not )taxable|(?<=n't be )taxed|non[\s-]taxable|untaxed|"
    r"exempt\s+from\s+(?:tax|taxes|vat|gst))$"
    # "remove tax from the travel", "take the VAT off the deposit": that line untaxed.
    rf"|^(?:remove|drop|take)\s+(?:the\s+)?(?P<tax4>taxes|sales\s+tax|{TAX_WORDS})\s+(?:from|off)\s+(?P<ref4>.+)$"
    # Any tax name ("no IVA on the chairs", "no MwSt on ..."), not only the English ones.
    rf"|^(?:no|don'?t\s+charge|without)\s+(?P<tax>taxes|sales\s+tax|{TAX_WORDS})\s+(?:on|for)\s+(?P<ref2>.+)$"
    r"|^don'?t\s+tax\s+(?P<ref3>.+)$",
    re.IGNORECASE,
)

# "workbooks are zero-rated, take the VAT off them": the second half says the first again.
_SAID_AGAIN_OF_THEM = re.compile(
    rf"^(?P<first>[^,]+),\s+(?:so\s+)?(?:take|remove|drop)\s+(?:the\s+)?(?:taxes|sales\s+tax|{TAX_WORDS})\s+"
    r"(?:off|from)\s+(?:them|it|those|these)$",
    re.IGNORECASE,
)


def op_tax_exempt(text: str, data: dict[str, Any], current: Invoice, today: dt.date) -> Change | None:
    """ "make the website tax exempt", "no VAT on line 2": that line carries no tax."""
    said_again = _SAID_AGAIN_OF_THEM.match(text)
    match = _TAX_EXEMPT_RE.match(said_again.group("first") if said_again else text)
    if not match:
        return None
    ref = first_group(match.groupdict(), "ref") or "it"
    named_line = re.sub(r"^the\s+", "", ref.strip().lower())
    if re.fullmatch(
        r"(?:the\s+)?(?:shipping|delivery|postage|freight)", ref.strip(), re.IGNORECASE
    ) and not any(i["description"].lower() == named_line for i in data["line_items"]):
        raise EditError("Shipping is never taxed on these documents, so there is nothing to change.")
    index = line_index(ref, data)
    item = data["line_items"][index]
    named = tax_named(first_group(match.groupdict(), "tax") or "", data)
    if named is not None and len(data["taxes"]) > 1:
        # "no PST on the catering": only that tax leaves the line.
        applying = item["tax_names"] or [t["name"] for t in data["taxes"]]
        item["tax_names"] = [n for n in applying if n.casefold() != named["name"].casefold()]
        if not item["tax_names"]:
            item["tax_exempt"] = True
        return data, [f"no {named['name']} on line {index + 1} ({item['description']})"]
    if item["tax_exempt"]:
        raise EditError(f"Line {index + 1} ({item['description']}) is already tax exempt.")
    item["tax_exempt"] = True
    item["tax_names"] = []
    return data, [f"line {index + 1} ({item['description']}) is now tax exempt"]


_TAX_CHANGE_RE = re.compile(
    r"^(?:change|set|update|make|raise|lower|increase|decrease|adjust|put|bump|move|fix)\s+(?:the\s+)?(?P<name>[a-z ]*?tax(?:es)?|vat|gst|hst|pst|qst|iva|tva|mwst)(?:\s+rate)?\s+(?:to|at|=)?\s*(?P<rate>\d+(?:[.,]\d+)?)\s*%?$"
    r"|^(?:the\s+)?(?P<name2>[a-z ]*?tax|vat|gst|hst|pst|qst)(?:\s+rate)?\s+(?:should\s+be|is|=)\s+(?P<rate2>\d+(?:[.,]\d+)?)\s*%?$"
    r"|^(?:change|set|update|make)\s+(?:the\s+)?tax\s+rate\s+(?:to\s+)?(?P<rate3>\d+(?:[.,]\d+)?)\s*%?$",
    re.IGNORECASE,
)


def op_tax_change(text: str, data: dict[str, Any], current: Invoice, today: dt.date) -> Change | None:
    """ "change the tax to 10%", "set VAT to 21%"; a tax the document does not have is added."""
    match = _TAX_CHANGE_RE.match(text)
    if not match:
        return None
    groups = match.groupdict()
    name = (groups["name"] or groups["name2"] or "tax").strip()
    rate = parse_number(groups["rate"] or groups["rate2"] or groups["rate3"])
    taxes = data["taxes"]
    target = tax_named(name, data)
    if target is None and re.fullmatch(r"(?:the\s+)?tax(?:es)?(?:\s+rate)?", name, re.IGNORECASE):
        if len(taxes) == 1:
            target = taxes[0]
        elif len(taxes) > 1:
            names = " or ".join(t["name"] for t in taxes)
            raise EditError(f"Which tax should be {format(rate, 'f')}%: {names}?")
    if target is None:
        label = tax_label(name)
        taxes.append(Tax(name=label, rate_percent=rate).model_dump())
        return data, [tax_added(label, rate)]
    old = Decimal(target["rate_percent"])
    target["rate_percent"] = rate
    return data, [rate_change(target["name"], old, rate)]
