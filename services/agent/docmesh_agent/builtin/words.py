"""The word tables the interpreter reads with: numbers, document kinds, units, taxes, company names.

English: the readers read English. Spanish, German and French requests are first rewritten into
English phrasing by their own tables (`builtin/languages/`, `builtin/translate.py`).
"""

from __future__ import annotations

import re

from docmesh_common.model.invoice import DocumentKind

# Numbers written as words, shared by quantities ("two licences") and dates ("in two weeks").
NUMBER_WORDS: dict[str, int] = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "twenty": 20,
}

# Spans of time also use these ("net thirty", "in forty-five days").
SPAN_NUMBER_WORDS = {
    **NUMBER_WORDS,
    "fourteen": 14,
    "fifteen": 15,
    "thirty": 30,
    "forty-five": 45,
    "sixty": 60,
    "ninety": 90,
}

# Quantities: the number words and a few counting phrases ("a dozen", "a couple of").
QTY_WORDS = {
    **NUMBER_WORDS,
    "a dozen": 12,
    "dozen": 12,
    "a couple of": 2,
    "a pair of": 2,
}
QTY_WORD_RE = "|".join(re.escape(w) for w in sorted(QTY_WORDS, key=len, reverse=True))

# What each word for a document means ("bill" is read as a kind only after an article).
KINDS = {
    "invoice": DocumentKind.INVOICE,
    "bill": DocumentKind.INVOICE,
    "quote": DocumentKind.QUOTE,
    "quotation": DocumentKind.QUOTE,
    "estimate": DocumentKind.QUOTE,
    "receipt": DocumentKind.RECEIPT,
    "purchase order": DocumentKind.PURCHASE_ORDER,
    "po": DocumentKind.PURCHASE_ORDER,
}
KIND_WORDS = r"invoice|quotation|quote|estimate|receipt|purchase\s+order|bill|po"

# Units of measure, to their printed form (plural; singular when the quantity is 1).
UNITS = {
    "h": "hour",
    "hr": "hour",
    "hrs": "hour",
    "hour": "hour",
    "hours": "hour",
    "min": "minute",
    "mins": "minute",
    "minute": "minute",
    "minutes": "minute",
    "day": "day",
    "days": "day",
    "week": "week",
    "weeks": "week",
    "wk": "week",
    "wks": "week",
    "month": "month",
    "months": "month",
    "mo": "month",
    "year": "year",
    "years": "year",
    "night": "night",
    "nights": "night",
    "pc": "pc",
    "pcs": "pc",
    "piece": "piece",
    "pieces": "piece",
    "unit": "unit",
    "units": "unit",
    "kg": "kg",
    "kgs": "kg",
    "lb": "lb",
    "lbs": "lb",
    "page": "page",
    "pages": "page",
    "word": "word",
    "words": "word",
    "m2": "m2",
    "m²": "m²",
    "sqm": "sqm",
    "sq ft": "sq ft",
    # Distances and dozens, said in words ("38 miles at 0.67", "30 dozen eggs at 3.20 a dozen").
    "mile": "mile",
    "miles": "mile",
    "mi": "mile",
    "dozen": "dozen",
    "doz": "dozen",
}
UNIT_PLURAL = {
    "pc": "pcs",
    "dozen": "dozen",
    "kg": "kg",
    "lb": "lbs",
    "m2": "m2",
    "m²": "m²",
    "sqm": "sqm",
    "sq ft": "sq ft",
}
UNIT_RE = "|".join(sorted(UNITS, key=len, reverse=True))

# Names of taxes; the acronyms are printed in capitals ("vat" -> "VAT").
TAX_WORDS = r"tax|vat|gst|hst|pst|qst|iva|tva|tps|tvq|mwst|ust|igst|cgst|sgst"
TAX_ACRONYMS = {"vat", "gst", "hst", "pst", "qst", "iva", "tva", "tps", "tvq", "igst", "cgst", "sgst"}

# Words that are never a party's name ("invoice me", "bill to: the following").
STOP_NAMES = {
    "me",
    "it",
    "them",
    "him",
    "her",
    "this",
    "that",
    "please",
    "the following",
    "us",
    "you",
    "to",
    "for",
    "from",
    "number",
    "no",
    "date",
    "items",
    "item",
    "details",
}
# Company suffixes as they are printed when a name was written all in lower case.
COMPANY_SUFFIX = {
    "llc": "LLC",
    "ltd": "Ltd",
    "ltd.": "Ltd.",
    "inc": "Inc",
    "inc.": "Inc.",
    "gmbh": "GmbH",
    "plc": "PLC",
    "ag": "AG",
    "bv": "BV",
    "sa": "SA",
    "llp": "LLP",
    "co": "Co",
    "co.": "Co.",
    "corp": "Corp",
    "corp.": "Corp.",
}

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTH_NAMES = r"january|february|march|april|may|june|july|august|september|october|november|december"
MONTH_ABBREVIATIONS = r"jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec"


# "4 and a half hours", "two and a half days": a count and a half, said in words.
_AND_A_HALF = re.compile(rf"\b(?P<n>\d+|{'|'.join(NUMBER_WORDS)})\s+and\s+a\s+half\b", re.IGNORECASE)


# "half a day of training", "half an hour": a half of one unit ("a half day workshop" is a thing).
_HALF_A = re.compile(r"\bhalf\s+an?\s+(?P<unit>day|hour|week|month)\b", re.IGNORECASE)
# "1 hr 30 min", "4 hours and 15 minutes": hours and a quarter, half or three quarters of one.
_HOURS_AND_MINUTES = re.compile(
    r"\b(?P<h>\d{1,3})\s*(?P<unit>h|hrs?|hours?)\s*(?:and\s+)?(?P<m>15|30|45)\s*(?:m|mins?|minutes?)\b",
    re.IGNORECASE,
)


# "@ 25pp", "25 p.p.", "25 p/p": per person (glued, it was no number at all).
_PER_PERSON = re.compile(r"(\d)\s*(?:pp|p\.p\.|p/p)(?![\w.])", re.IGNORECASE)


def plain_counts(text: str) -> str:
    """ "4 and a half hours" as "4.5 hours", "1 hr 30 min" as "1.5 hr" (neither was read as a
    count: the first was not understood, the second asked what its 30 is)."""

    def half(match: re.Match[str]) -> str:
        said = match.group("n").lower()
        whole = int(said) if said.isdigit() else NUMBER_WORDS.get(said)
        return f"{whole}.5" if isinstance(whole, int) else match.group(0)

    def hours(match: re.Match[str]) -> str:
        fraction = {"15": ".25", "30": ".5", "45": ".75"}[match.group("m")]
        return f"{match.group('h')}{fraction} {match.group('unit')}"

    low = text.lower()
    if "half" in low:
        text = _HALF_A.sub(r"0.5 \g<unit>", _AND_A_HALF.sub(half, text))
    text = _PER_PERSON.sub(r"\1 per person", text)
    return _HOURS_AND_MINUTES.sub(hours, text)
