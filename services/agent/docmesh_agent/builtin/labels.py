"""How words read from a message are written on the document: names, descriptions, units, taxes, numbers."""

from __future__ import annotations

import re
import string
from decimal import Decimal

from docmesh_agent.builtin.words import COMPANY_SUFFIX, TAX_ACRONYMS, UNIT_PLURAL, UNITS

# German tax abbreviations are written in mixed case.
_GERMAN_TAXES = {"mwst": "MwSt", "ust": "USt"}


def capitalised(text: str) -> str:
    """The text with its first letter in upper case ("thanks" -> "Thanks"); the rest as written."""
    return text[:1].upper() + text[1:]


def uncapitalised(text: str) -> str:
    """The text with its first letter in lower case, to stand inside a sentence ("the logo design")."""
    return text[:1].lower() + text[1:]


def plain_number(value: Decimal) -> str:
    """10 for 10.00, 12.5 for 12.50: a quantity or a rate as a person writes it."""
    return format(value.normalize(), "f")


def clean_name(text: str) -> str:
    """Trim a party name and give all-lower-case names capitals ("acme corp" -> "Acme Corp")."""
    name = text.strip().strip(" ,:;-–\"'").strip()
    if name.endswith(".") and not re.search(
        r"\b(?:Ltd|Inc|Co|Corp|Bros|Jr|Sr|S\.A|S\.L|S\.L\.U|S\.R\.L|S\.A\.S|e\.K|L\.L\.C)\.$",
        name,
        re.IGNORECASE,
    ):
        name = name.rstrip(".")
    name = re.sub(r"\s+(?:please|pls|thanks|thank you)$", "", name, flags=re.IGNORECASE)
    name = re.sub(r"^the\s+(?=[A-Z])", "", name)  # "the Acme Corporation"; "The Hartford" keeps its capital
    if name and name == name.lower():
        words = []
        for word in name.split():
            words.append(COMPANY_SUFFIX.get(word, string.capwords(word)))
        name = " ".join(words)
    return name


def clean_description(text: str) -> str:
    """Trim an item description, drop leading articles, capitalise the first letter."""
    desc = text.strip().strip(" .,:;-–\"'").strip()
    desc = re.sub(
        r"^(?:(?:the|a|an|some|of|at\s+the|in\s+the|at|on\s+the|on)\s+)+", "", desc, flags=re.IGNORECASE
    )
    # "die Beleuchtung im Laden", "la instalación del termo", "le nettoyage": an article of the
    # other languages (a German one only before a noun, which is capitalised: "die cutting" stays).
    desc = re.sub(r"^(?i:die|der|das|den|dem)\s+(?=[A-ZÄÖÜ])", "", desc)
    desc = re.sub(
        r"^(?i:la|el|los|las|le|les|une|una|unos|unas)\s+(?=[a-zà-ÿ])|^(?i:l)['’](?=[a-zà-ÿ])", "", desc
    )
    desc = re.sub(r"\s+(?:each|apiece|ea\.?)$", "", desc, flags=re.IGNORECASE)
    return capitalised(desc)


def unit_label(raw: str, quantity: Decimal) -> str:
    """ "hrs" with 10 -> "hours"; "hour" with 1 -> "hour"; unknown words as written."""
    base = UNITS.get(raw.lower())
    if base is None:
        return raw.lower()
    if quantity == 1:
        return base
    return UNIT_PLURAL.get(base, base + "s")


def relabel_unit(unit: str, quantity: Decimal) -> str:
    """A line's unit for a new quantity ("hours" at 1 -> "hour"); a unit we do not know stays as it is."""
    for raw in (unit, unit.rstrip("s")):
        if raw.lower() in UNITS:
            return unit_label(raw, quantity)
    return unit


def singular(unit: str) -> str:
    """ "hours" -> "hour", "boxes" -> "box": the unit in "the price per hour"."""
    known = unit_label(unit, Decimal(1))
    if known != unit.lower():
        return known
    if re.search(r"(?:x|s|sh|ch)es$", unit):
        return unit[:-2]
    return unit[:-1] if unit.endswith("s") and not unit.endswith("ss") else unit


def tax_label(raw: str) -> str:
    """ "vat" -> "VAT", "sales tax" -> "Sales tax", "gst" -> "GST", "tax" -> "Tax"."""
    words = raw.strip().split()
    out = []
    for index, word in enumerate(words):
        low = word.lower()
        if low in TAX_ACRONYMS:
            out.append(low.upper())
        elif low in _GERMAN_TAXES:
            out.append(_GERMAN_TAXES[low])
        else:
            out.append(low.capitalize() if index == 0 else low)
    return " ".join(out)
