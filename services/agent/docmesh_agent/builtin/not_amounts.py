"""Numbers that are never a price: the one rule behind "never silently produce a wrong amount".

A clause such as "support at 75 for the period March 1-15", "hosting 240, delivered March 20",
"call 555-1234" or "payment in 30 days" holds numbers that a price reader would happily take as
the amount (1, 20, 555, 30). Whatever the phrasing, these are never prices:

- a date: "March 20", "20 March 2026", "2026-03-20", "20/03/2026", "20.03.2026", a month and a
  year ("February 2026"), a day range in a month ("March 1-15", "1-15 March"); a time of day
  ("10:30", "9am");
- a duration or a counted quantity: a number directly followed by a unit word ("30 days",
  "1 day", "2 weeks", "10 hours", "100 pcs");
- contact details and identifiers: e-mail addresses, web addresses, phone numbers, VAT and tax
  ids ("DE123456789", "VAT ID GB 123 4567 89"), street addresses ("14 Oak St"), postal codes said as such ("zip 90210"), order
  and reference numbers ("PO 4411", "order #4521", "pedido nº 4521"), bank account numbers and
  IBANs, a part of a count ("5 of them on site").

`price_moneys` is `find_money` without them; the item reader picks a price only from those, so
a clause whose only number is one of these has no price and is asked about.
"""

from __future__ import annotations

import functools
import re

from docmesh_agent.builtin.money import Money, find_money
from docmesh_agent.builtin.words import MONTH_ABBREVIATIONS, MONTH_NAMES, UNIT_RE

_MONTHS = rf"(?:{MONTH_NAMES}|{MONTH_ABBREVIATIONS})\.?"
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_DATE = re.compile(
    rf"""
    \b\d{{4}}-\d{{1,2}}-\d{{1,2}}\b                          # 2026-03-20
    | \b\d{{1,2}}/\d{{1,2}}(?:/\d{{2,4}})?\b                  # 20/03, 20/03/2026
    | \b\d{{1,2}}\.\d{{1,2}}\.\d{{2,4}}\b                     # 20.03.2026 (a year: "4.50" is a price)
    | \b{_MONTHS}\s+{_DAY}(?![.,]\d)(?:\s*[-–]\s*{_DAY})?(?:,?\s+\d{{4}})?\b   # March 20, March 1-15, March 20 2026
    | \b{_DAY}(?:\s*[-–]\s*{_DAY})?\s+(?:of\s+)?{_MONTHS}(?:,?\s+\d{{4}})?\b  # 20 March, 1-15 March
    | \b{_MONTHS}\s+(?:of\s+|de\s+)?\d{{4}}\b                 # February 2026
    """,
    re.VERBOSE | re.IGNORECASE,
)
# A number and the unit it counts ("30 days", "1 day", "10 hours"): a quantity or a span, not money.
_COUNTED = re.compile(
    rf"(?<![$€£¥₹\d.,])\d+(?:[.,]\d+)?\s*(?:business\s+|working\s+)?(?:{UNIT_RE})\b", re.IGNORECASE
)
# Measures a count is said in that are never money: "travel 35 km" has no price (35 is the
# distance), "mileage 120 km at 0.45" is 120 km.
MEASURES = r"km|kms|mi|miles?|kg|kgs|lbs?|ft|sqm|sq\s?ft|cm|mm|litres?|liters?|gal(?:lons)?|tonnes?|tons?"
_MEASURED = re.compile(rf"(?<![$€£¥₹\d.,])\d+(?:[.,]\d+)?\s*(?:{MEASURES}|m[²³23])(?![\w²³])", re.IGNORECASE)
# A street line: "14 Oak St", "415 Birch St Apt 3B", "221 Baker Street" (capitalised words).
STREET = (
    r"\d{1,5}[A-Z]?\s+(?:[A-Z][a-z]+\s+){1,3}(?:St|Street|Rd|Road|Ave|Avenue|Ln|Lane|Dr|Drive|Blvd|Ct|Court|Way|"
    r"Pl|Place|Terrace|Cres|Crescent|Hwy|Highway|Pkwy|Parkway|Sq|Square)\b\.?(?:\s+(?:Apt|Unit|Suite|Ste|\#)\.?\s*\w+)?"
)
_CONTACT = re.compile(
    r"""
    [\w.+-]+@[\w-]+(?:\.[\w-]+)+                              # e-mail
    | (?:https?://|www\.)\S+                                  # web address
    | \+\d[\d\s().-]{6,}\d                                    # +1 555 123 4567
    | \b(?:tel|phone|ph|mobile|mob|cell|fax|call|tél|teléfono|telefono|telefon|handy)\b\.?\s*:?\s*
      \+?\(?\d[\d\s().-]{4,}\d                                # phone: 555 1234
    | \(\d{3}\)\s*\d{3}[-.\s]\d{4}                            # (555) 123-4567
    | \b\d{3}[-.]\d{3}[-.]\d{4}\b | \b\d{3}-\d{4}\b            # 555-123-4567, 555-1234
    | \b(?:vat|tax|tva|iva|ust|uid|gst|abn|ein|cif|nif|siret|siren)\s*[-.]?\s*
      (?:id|no\.?|nr\.?|number|reg(?:istration)?(?:\s+no\.?)?|idnr\.?|-?idnr\.?)?\s*[:#]?\s*
      [A-Z]{0,3}\s?\d[\d\s-]{5,}\d\w*                         # VAT ID GB 123 4567 89
    | \b[A-Z]{2}\d{8,12}\b                                    # DE123456789
    | \b(?:po|p\.o\.|ref|order|inv|invoice|job|ticket)\s*(?:\#|no\.?|nr\.?|number)\s*:?\s*\#?\d[\w-]*  # PO no. 4411
    | \b(?:po|p\.o\.|ref|inv|invoice)\s*:?\s*\#?\d[\w-]*       # PO 4411, ref 12
    | \b(?:order|job|ticket)\s*:?\s*(?:\#\d[\w-]*|\d{4,}[\w-]*|\d+[A-Za-z-][\w-]*)  # job #48, order 20417
    | \b(?:sprint|phase|milestone|stage|release|iteration|episode|season|chapter|module|batch|week|room|
      apartment|apt|floor|level|version)\s*\#?\d{1,2}(?:\s+of\s+\d+)?\b(?![.,]\d|\s*%)  # sprint 7, milestone 2 of 3: a name
    | \b\d+\s+of\s+(?:them|those|these|which|the\s+\w+|\d+)\b  # 5 of them, 2 of 3: part of a count
    | \bin\s+\d+\s+(?:install?ments?|payments|parts|tranches)\b  # payment in 3 installments
    | \bnet[\s-]?\d{1,3}\b                                     # net 30: payment terms
    | (?:\bno\b|\bnr\b|\bnum\b|n[º°]|\bnúm(?:ero)?\b|\bnuméro\b|\bnummer\b)\.?\s*:?\s*\d[\w/-]*  # nº 4521
    | \b(?:account|acct|a/c|iban|bic|swift|sort\s+code|routing|konto(?:nummer)?|cuenta|compte|rib)\b\.?
      \s*(?:no\.?|number|nr\.?|\#)?\s*:?\s*[A-Z0-9][A-Z0-9 -]{4,}                   # account 12345678
    | \b[A-Z]{2}\d{2}(?:\s?[A-Z0-9]{4}){2,7}(?:\s?[A-Z0-9]{1,4})?\b                # an IBAN
    | \b\d{1,2}(?::\d{1,2}|h\d{2})(?:\s*(?:am|pm|h|uhr))?\b | \b\d{1,2}\s*(?:am|pm|a\.m\.|p\.m\.)  # 10:30, 9am
    | \b(?:zip|postal\s+code|post\s*code|plz|code\s+postal)\s*:?\s*[A-Z0-9][A-Z0-9-]{2,9}\b  # zip 90210
    | (?-i:\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*,?\s+[A-Z]{2}\s+\d{5}(?:-\d{4})?\b)  # Burlington VT 05401
    | (?-i:\b[A-Z]{1,2}\d[A-Z\d]?\s\d[A-Z]{2}\b)              # London N1 8BX
    | (?-i:(?:^|(?<=[,:(]\s))\d{5}\s+[A-ZÀ-Ý][a-zà-ÿ]+(?:[\s-][A-ZÀ-Ý][a-zà-ÿ]+)*(?=\s*(?:$|[,:)])))  # 28013 Madrid
    """
    + rf"| (?-i:\b{STREET})",  # 14 Oak St: a street address
    re.VERBOSE | re.IGNORECASE,
)


@functools.lru_cache(maxsize=512)
def _spans(text: str) -> tuple[tuple[tuple[int, int], ...], tuple[tuple[int, int], ...]]:
    """(dates and contact details or ids, counted quantities and measures) in `text`, each pattern
    run once per text: the item reader and the accounting ask about the same clause."""
    if not any(c.isdigit() for c in text):
        return (), ()
    roles = tuple(m.span() for regex in (_DATE, _CONTACT) for m in regex.finditer(text))
    counts = tuple(m.span() for regex in (_COUNTED, _MEASURED) for m in regex.finditer(text))
    return roles, counts


def not_amount_spans(text: str) -> tuple[tuple[int, int], ...]:
    """Where the text has dates, counted quantities and contact details (see the module docstring)."""
    roles, counts = _spans(text)
    return roles + counts


def date_or_contact_spans(text: str) -> tuple[tuple[int, int], ...]:
    """Where the text has dates and contact details or ids: numbers whose role is that."""
    return _spans(text)[0]


def is_not_amount(text: str, start: int, end: int) -> bool:
    """True when text[start:end] lies inside a date, a counted quantity or a contact detail."""
    return any(a < end and start < b for a, b in not_amount_spans(text))


def price_moneys(text: str) -> list[Money]:
    """The amounts in `text` that may be a price: `find_money` without dates, counted quantities,
    e-mails, phone numbers and ids."""
    spans = not_amount_spans(text)
    return [m for m in find_money(text) if not any(a < m.end and m.start < b for a, b in spans)]


def has_date(text: str) -> bool:
    """True when the text contains a calendar date (or a month and year, or a day range)."""
    return _DATE.search(text) is not None
