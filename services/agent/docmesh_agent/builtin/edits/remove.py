"""Removing: a line, the shipping, a discount, a tax, the note, the due date, the number, the seller."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from docmesh_agent.builtin.edits.find_line import line_index
from docmesh_agent.builtin.edits.op import Change, EditError
from docmesh_agent.builtin.edits.taxes import tax_named
from docmesh_agent.builtin.money import find_money, parse_number
from docmesh_common.model.invoice import Invoice, Party

_REMOVE_RE = re.compile(
    r"^(?:remove|delete|drop|take\s+(?:off|out)|get\s+rid\s+of|cut|scrap|clear|strike|no(?:\s+more)?|without|lose)\s+(?P<what>.+?)(?:\s+(?:line|item))?$",
    re.IGNORECASE,
)


def op_remove(text: str, data: dict[str, Any], current: Invoice, today: dt.date) -> Change | None:
    """ "remove the logo line", "no tax", "drop the 5% discount", several at once ("the cards and the shipping")."""
    match = _REMOVE_RE.match(text)
    if not match:
        return None
    verb = text[: match.start("what")].strip()
    parts = re.split(r"\s*,\s*(?:and\s+)?|\s+(?:and|&)\s+", match.group("what").strip())
    descriptions = {str(i["description"]).casefold() for i in data["line_items"]}
    whole = re.sub(r"^(?:the\s+)", "", match.group("what").strip().casefold())
    if (
        len(parts) > 1
        and whole not in descriptions
        and not re.fullmatch(r"shipping\s+(?:and|&)\s+handling", whole)
    ):
        # "remove the business cards and the shipping": each one in turn.
        changes: list[str] = []
        for part in parts:
            done = op_remove(f"{verb} {part}", data, Invoice.model_validate(data), today)
            if done is None:
                return None
            data, more = done
            changes.extend(more)
        return data, changes
    what = re.sub(
        r"^(?:the|a|an|all(?:\s+the)?|any|that|this)\s+", "", match.group("what").strip(), flags=re.IGNORECASE
    )
    low = what.lower()
    return (
        _remove_shipping(low, data)
        or _remove_discount(what, low, data, current)
        or _remove_tax(low, data, current)
        or _remove_field(low, data)
        or _remove_line(what, data)
    )


def _remove_shipping(low: str, data: dict[str, Any]) -> Change | None:
    """ "remove the shipping", "no delivery fee"."""
    if not re.fullmatch(
        r"shipping(?:\s+(?:and|&)\s+handling)?(?:\s+(?:fee|charge|cost))?|delivery(?:\s+(?:fee|charge))?|postage|freight",
        low,
    ):
        return None
    if data["shipping"] is None:
        if any(re.fullmatch(rf"{re.escape(low)}s?", i["description"].lower()) for i in data["line_items"]):
            return None  # "remove the delivery" with a line "Delivery": that line goes
        raise EditError("There is no shipping on the document.")
    data["shipping"] = None
    return data, ["removed the shipping"]


def _remove_discount(what: str, low: str, data: dict[str, Any], current: Invoice) -> Change | None:
    """ "remove the discount on line 2", "drop the 5% discount", "no discount"."""
    line_disc = re.fullmatch(r"discounts?\s+(?:on|from|for)\s+(?P<ref>.+)", low)
    if line_disc:
        index = line_index(line_disc.group("ref"), data)
        if data["line_items"][index]["discount"] is None:
            raise EditError(f"Line {index + 1} has no discount.")
        data["line_items"][index]["discount"] = None
        return data, [
            f"removed the discount on line {index + 1} ({data['line_items'][index]['description']})"
        ]
    named_discount = re.fullmatch(
        r"(?:(?P<pct>[\d.,]+)\s*%\s+|(?P<amt>\S*\d\S*)\s+)?(?P<desc>[a-z][a-z -]*?\s+)?discount", low
    )
    if named_discount and (
        named_discount.group("pct") or named_discount.group("amt") or named_discount.group("desc")
    ):
        # "remove the 5% discount", "drop the early payment discount": the one that matches.
        keep: list[dict[str, Any]] = []
        removed: list[dict[str, Any]] = []
        pct, amt, desc = (
            named_discount.group("pct"),
            named_discount.group("amt"),
            named_discount.group("desc"),
        )
        for disc in data["discounts"]:
            hit = (
                (
                    pct is not None
                    and disc["percent"] is not None
                    and Decimal(disc["percent"]) == parse_number(pct)
                )
                or (
                    amt is not None
                    and disc["amount"] is not None
                    and any(m.amount == Decimal(disc["amount"]) for m in find_money(amt))
                )
                or (desc is not None and desc.strip() in disc["description"].lower())
            )
            (removed if hit else keep).append(disc)
        if not removed:
            raise EditError(f"There is no {what} on the document.")
        data["discounts"] = keep
        return data, [f"removed the {what}"]
    if not re.fullmatch(r"discounts?", low):
        return None
    had_line = any(i["discount"] for i in data["line_items"])
    if not data["discounts"] and not had_line:
        raise EditError("There is no discount on the document.")
    data["discounts"] = []
    if not current.discounts and had_line:
        for item in data["line_items"]:
            item["discount"] = None
    return data, ["removed the discount"]


def _remove_tax(low: str, data: dict[str, Any], current: Invoice) -> Change | None:
    """ "no tax", "remove all taxes", "remove GST"; asks which one when "the tax" could be several."""
    if re.fullmatch(r"tax(?:es)?|all\s+tax(?:es)?|vat|gst|hst|pst|sales\s+tax", low) and not tax_named(
        low, data
    ):
        if not data["taxes"]:
            raise EditError("There is no tax on the document.")
        if low in ("taxes", "all taxes", "all tax") or len(data["taxes"]) == 1:
            data["taxes"] = []
            for item in data["line_items"]:
                item["tax_names"] = []
            return data, ["removed the tax" if len(current.taxes) == 1 else "removed all taxes"]
        if low == "tax":
            names = " or ".join(t["name"] for t in data["taxes"])
            raise EditError(f"Which tax should I remove: {names}? Or say “remove all taxes”.")
    tax = tax_named(re.sub(r"\s+tax$", "", low) if low not in ("sales tax",) else low, data) or tax_named(
        low, data
    )
    if tax is None:
        return None
    data["taxes"] = [t for t in data["taxes"] if t["name"] != tax["name"]]
    for item in data["line_items"]:
        item["tax_names"] = [n for n in item["tax_names"] if n.casefold() != tax["name"].casefold()]
    return data, [f"removed {tax['name']}"]


def _remove_field(low: str, data: dict[str, Any]) -> Change | None:
    """ "remove the note", "remove the due date", "remove the number", "remove the seller"."""
    if re.fullmatch(r"notes?|memo|comments?", low):
        data["notes"] = ""
        return data, ["removed the note"]
    if re.fullmatch(r"due\s+date|due|payment\s+terms|terms", low):
        data["due_date"] = None
        data["payment_terms"] = ""
        return data, ["removed the due date and terms"]
    if re.fullmatch(r"(?:invoice\s+)?number", low):
        data["number"] = ""
        return data, ["removed the number"]
    if re.fullmatch(r"(?:the\s+)?seller|sender", low):
        data["seller"] = Party().model_dump()
        return data, ["removed the seller"]
    return None


def _remove_line(what: str, data: dict[str, Any]) -> Change | None:
    """ "remove item 2", "delete the last line", "drop the logo"; never the only line."""
    if not data["line_items"]:
        return None
    index = line_index(what, data)
    if len(data["line_items"]) == 1:
        raise EditError("That is the only line; a document needs at least one. Add another line first.")
    gone = data["line_items"].pop(index)
    return data, [f"removed line {index + 1} ({gone['description']})"]
