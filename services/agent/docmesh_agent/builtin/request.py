"""Reading a request ("Invoice Acme for 10 hours of consulting at $150, 8% tax, due in 30 days") into a Draft.

The text is cut into clauses (lines, semicolons, sentences, commas, and "and"/"plus"/"with"
when what follows starts something new), and each clause is read by the first rule that
recognises it: lead-in ("create an invoice for ..."), parties, tax, discount, shipping, dates
and terms, number, currency, notes, and finally a line item. What no rule reads is kept in
`Draft.unknown` so that the caller can say what it did not understand.
"""

from __future__ import annotations

import datetime as dt
import re
import string
from dataclasses import dataclass, field
from decimal import Decimal

from docmesh_agent.builtin.dates import RELATIVE_SPAN_RE, parse_date, span_days, word_number
from docmesh_agent.builtin.money import (
    NAMES,
    SYMBOLS,
    Money,
    currency_from_code,
    currency_from_name,
    currency_from_word,
    find_money,
    parse_number,
    strip_amount,
)
from docmesh_agent.builtin.words import NUMBER_WORDS
from docmesh_common.model.invoice import Discount, DocumentKind, Party, Tax

# --- the draft --------------------------------------------------------------------------


@dataclass
class DraftItem:
    """A line as read; `unit_price` is None when the person did not say it."""

    description: str
    quantity: Decimal = Decimal(1)
    unit: str = ""
    unit_price: Decimal | None = None
    discount: Discount | None = None


@dataclass(frozen=True)
class LineDiscount:
    """A discount on the line `target` names; when not `strict`, a target that is no line is the reason."""

    target: str
    discount: Discount
    strict: bool


@dataclass
class DueSpec:
    """When payment is due: a number of days after issue, a calendar span, a date, or on receipt."""

    days: int | None = None
    span: tuple[int, str] | None = None
    date: dt.date | None = None
    on_receipt: bool = False


@dataclass
class Draft:
    """Everything read from one message; None / empty means "not said"."""

    kind: DocumentKind | None = None
    buyer: Party | None = None
    seller: Party | None = None
    items: list[DraftItem] = field(default_factory=list)
    taxes: list[Tax] = field(default_factory=list)
    discounts: list[Discount] = field(default_factory=list)
    line_discounts: list[LineDiscount] = field(default_factory=list)
    shipping: Decimal | None = None
    currency: str | None = None
    currency_hint: str | None = None
    number: str | None = None
    reference: str | None = None
    issue_date: dt.date | None = None
    due: DueSpec | None = None
    payment_terms: str | None = None
    valid_until: dt.date | None = None
    notes: str | None = None
    amount_paid: Decimal | None = None
    paid_in_full: bool = False
    payment_method: str | None = None
    unknown: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def has_content(self) -> bool:
        """True when anything at all was understood."""
        return any(
            (
                self.kind,
                self.buyer,
                self.seller,
                self.items,
                self.taxes,
                self.discounts,
                self.line_discounts,
                self.shipping is not None,
                self.currency,
                self.number,
                self.reference,
                self.issue_date,
                self.due,
                self.payment_terms,
                self.valid_until,
                self.notes,
                self.amount_paid is not None,
                self.paid_in_full,
                self.payment_method,
            )
        )


# --- vocabulary -------------------------------------------------------------------------

_KINDS = {
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

_QTY_WORDS = {
    **NUMBER_WORDS,
    "a dozen": 12,
    "dozen": 12,
    "a couple of": 2,
    "a pair of": 2,
}
_QTY_WORD_RE = "|".join(re.escape(w) for w in sorted(_QTY_WORDS, key=len, reverse=True))

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
}
UNIT_PLURAL = {"pc": "pcs", "kg": "kg", "lb": "lbs"}
UNIT_RE = "|".join(sorted(UNITS, key=len, reverse=True))

_TAX_WORDS = r"tax|vat|gst|hst|pst|qst|iva|tva|mwst|ust|igst|cgst|sgst"
_TAX_NAME_RE = rf"(?:[a-z]+\s+){{0,2}}?(?:{_TAX_WORDS})"
_TAX_ACRONYMS = {"vat", "gst", "hst", "pst", "qst", "iva", "tva", "ust", "igst", "cgst", "sgst"}

NUM = r"\d+(?:[.,]\d+)?"
# A loose amount (its exact reading is left to `find_money`).
AMT = (
    r"(?:[A-Za-z]{3}\s?)?(?:[A-Z]{1,2}\$|[$€£¥₹])?\s?\d[\d,.']*(?:\s?[kK](?![a-z]))?"
    r"(?:\s?(?:[$€£¥₹]|[A-Za-z]{3}\b))?"
    rf"(?:\s(?:{'|'.join(re.escape(n) for n in sorted(NAMES, key=len, reverse=True))})\b)?"
)

_CURRENCY_NAME_RE = "|".join(re.escape(n) for n in sorted(NAMES, key=len, reverse=True))
_SYMBOL_RE = "|".join(re.escape(s) for s in sorted(SYMBOLS, key=len, reverse=True))

_STOP_NAMES = {
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
_COMPANY_SUFFIX = {
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

# Words that start a new clause after "and"/"plus"/"with".
_CLAUSE_START = (
    rf"(?:\d|[$€£¥₹]|[A-Z]{{1,2}}\$|(?:{_QTY_WORD_RE})\s|(?:{_TAX_WORDS})\b|sales tax|shipping|delivery|postage|"
    r"freight|discount|due\b|net\s?\d|notes?\b|a\s+\d|an?\s+(?:flat|fixed|one-off|\d)|add\s|include\s|"
    r"(?:a|the)\s+(?:\d+(?:[.,]\d+)?\s*%|discount|shipping|delivery))"
)


# --- small helpers ----------------------------------------------------------------------


def clean_name(text: str) -> str:
    """Trim a party name and give all-lower-case names capitals ("acme corp" -> "Acme Corp")."""
    name = text.strip().strip(" ,:;-–\"'").strip()
    if name.endswith(".") and not re.search(
        r"\b(?:Ltd|Inc|Co|Corp|Bros|Jr|Sr|S\.A|L\.L\.C)\.$", name, re.IGNORECASE
    ):
        name = name.rstrip(".")
    name = re.sub(r"\s+(?:please|pls|thanks|thank you)$", "", name, flags=re.IGNORECASE)
    name = re.sub(r"^the\s+(?=[A-Z])", "", name)  # "the Acme Corporation"; "The Hartford" keeps its capital
    if name and name == name.lower():
        words = []
        for word in name.split():
            words.append(_COMPANY_SUFFIX.get(word, string.capwords(word)))
        name = " ".join(words)
    return name


def clean_description(text: str) -> str:
    """Trim an item description, drop leading articles, capitalise the first letter."""
    desc = text.strip().strip(" .,:;-–\"'").strip()
    desc = re.sub(
        r"^(?:(?:the|a|an|some|of|at\s+the|in\s+the|at|on\s+the|on)\s+)+", "", desc, flags=re.IGNORECASE
    )
    desc = re.sub(r"\s+(?:each|apiece|ea\.?)$", "", desc, flags=re.IGNORECASE)
    if desc:
        desc = desc[0].upper() + desc[1:]
    return desc


def unit_label(raw: str, quantity: Decimal) -> str:
    """ "hrs" with 10 -> "hours"; "hour" with 1 -> "hour"; unknown words as written."""
    base = UNITS.get(raw.lower())
    if base is None:
        return raw.lower()
    if quantity == 1:
        return base
    return UNIT_PLURAL.get(base, base + "s")


def tax_label(raw: str) -> str:
    """ "vat" -> "VAT", "sales tax" -> "Sales tax", "gst" -> "GST", "tax" -> "Tax"."""
    words = raw.strip().split()
    out = []
    for index, word in enumerate(words):
        low = word.lower()
        if low in _TAX_ACRONYMS:
            out.append(low.upper())
        elif low == "mwst":
            out.append("MwSt")
        else:
            out.append(low.capitalize() if index == 0 else low)
    return " ".join(out)


def parse_quantity(text: str) -> Decimal | None:
    """ "10", "2.5", "1,5", "three", "a dozen" -> Decimal; None when it is none of these."""
    text = text.strip().lower()
    if text in _QTY_WORDS:
        return Decimal(_QTY_WORDS[text])
    try:
        return parse_number(text)
    except ValueError:
        return None


def one_amount(text: str) -> Money | None:
    """The single amount in `text` (the last one if several)."""
    found = find_money(text)
    return found[-1] if found else None


def _percent(text: str) -> Decimal:
    return parse_number(text)


# --- clause splitting -------------------------------------------------------------------

_ABBREV = r"(?<!\bSt)(?<!\bCorp)(?<!\bInc)(?<!\bLtd)(?<!\bCo)(?<!\bNo)(?<!\bMr)(?<!\bMs)(?<!\bDr)(?<!\bJr)(?<!\bAve)"


def split_clauses(text: str) -> list[str]:
    """Cut a message into clauses (see the module docstring)."""
    clauses: list[str] = []
    for line in re.split(r"[\n;]+", text):
        for sentence in re.split(_ABBREV + r"(?<=[A-Za-z%)\]\d])[.!?]+\s+(?=[A-Za-z$€£¥])", line):
            for part in re.split(r",(?=\s)|,(?=[^\d\s])", sentence):
                clauses.extend(_split_joiners(part))
    return [c.strip() for c in clauses if c.strip(" .!?")]


def _split_joiners(part: str) -> list[str]:
    pieces = re.split(
        rf"\s+(?:and|&|plus|also|then|with|as well as)\s+(?={_CLAUSE_START})", part, flags=re.IGNORECASE
    )
    out: list[str] = []
    for piece in pieces:
        # "logo design $400 and business cards $150": two priced items joined by "and".
        while True:
            match = re.search(r"\s+(?:and|&)\s+", piece)
            if not match:
                break
            left, right = piece[: match.start()], piece[match.end() :]
            if (
                find_money(left)
                and find_money(right)
                and re.search(r"[A-Za-z]", right.split()[0] if right.split() else "")
            ):
                out.append(left)
                piece = right
            else:
                break
        out.append(piece)
    return out


_CONNECTOR_RE = re.compile(
    r"^(?:(?:and|&|plus|also|then|with|as well as|please|pls|oh|ok|okay|so|actually|sorry|wait|oops)\b[,:]?\s*|[-*•·]\s+|\d{1,2}[.)]\s+(?=\D)|"
    r"(?:\d+\s+)?(?:items?|lines?|services?|products?|line\s+items?|details|things)\s*:\s*)+",
    re.IGNORECASE,
)
_SMALL_TALK_RE = re.compile(
    r"^(?:hi|hello|hey|hiya|good\s+(?:morning|afternoon|evening)|thanks|thank\s+you|thx|cheers|please|ok|okay|"
    r"no|nope|yes|yeah|yep|sure|right|correct|exactly|sorry|oops|actually|hmm|well|"
    r"great|perfect|cool|(?:make|change|switch|set|put|do)\s+(?:it|that|this|everything)(?:\s+(?:to|into))?)"
    r"(?:\s+(?:there|so\s+much|a\s+lot))?[!.,]*$",
    re.IGNORECASE,
)


def strip_connectors(clause: str) -> str:
    clause = _CONNECTOR_RE.sub("", clause.strip()).strip(" .!?,:")
    return "" if _SMALL_TALK_RE.match(clause) else clause


# --- notes and currency, read before splitting because they may contain anything --------

_NOTE_RE = re.compile(
    r"(?:^|(?<=[\n;.,])\s*|\s)(?:(?:add|with|include|put)\s+)?(?:(?:a|the|this)\s+)?"
    r"(?:notes?|memo|comment|message)\s*(?::|-|saying|that says|reading|=)\s*(?P<note>[^\n]+)",
    re.IGNORECASE,
)
_QUOTED_NOTE_RE = re.compile(
    r"(?:(?:add|with|include|put)\s+(?:a|the)?\s*)?(?:notes?|memo|message)\s+[\"“'](?P<note>[^\"”']+)[\"”']",
    re.IGNORECASE,
)
# Codes also accepted in lower case after "in" ("in cad"); other three-letter words ("in all",
# "in top") are too often English to be read as ALL or TOP.
_LOWER_CASE_CODES = frozenset(
    "USD EUR GBP CAD AUD NZD JPY CHF INR SEK NOK DKK MXN CNY HKD SGD ZAR BRL PLN KWD AED SAR".split()
)
_CURRENCY_PHRASE_RE = re.compile(
    rf"(?:,\s*)?\b(?:in|currency(?:\s+is)?:?|billed in|bill in|priced in|paid in|all in|everything in)\s+"
    rf"(?P<cur>(?:{_CURRENCY_NAME_RE})\b|[A-Z]{{3}}\b)(?!\s*[\d$€£¥])",
    re.IGNORECASE,
)


_BARE_NOTE_RE = re.compile(
    r"^(?:(?:add|include|put)\s+)?(?:a\s+|the\s+|this\s+)?note\s+(?:saying\s+|that\s+says\s+)?(?P<note>[^:\-\s].*)$",
    re.IGNORECASE,
)


def take_notes(text: str) -> tuple[str, str | None]:
    """Cut "note: ..." (to the end of its line) out of the text."""
    for regex in (_QUOTED_NOTE_RE, _NOTE_RE, _BARE_NOTE_RE):
        match = regex.search(text)
        if match:
            note = match.group("note").strip().strip("\"“”'").strip()
            if note:
                note = note[0].upper() + note[1:]
            return text[: match.start()] + "\n" + text[match.end() :], note or None
    return text, None


def take_currency(text: str) -> tuple[str, str | None]:
    """Cut "in EUR" / "in euros" / "currency: GBP" out of the text."""
    for match in _CURRENCY_PHRASE_RE.finditer(text):
        raw = match.group("cur")
        code = currency_from_name(raw) if not re.fullmatch(r"[A-Za-z]{3}", raw) else None
        if code is None and (raw.isupper() or raw.upper() in _LOWER_CASE_CODES):
            code = currency_from_code(raw)
        if code is None and raw.lower() in NAMES:
            code = NAMES[raw.lower()]
        if code:
            return text[: match.start()] + " " + text[match.end() :], code
    return text, None


# --- the clause rules -------------------------------------------------------------------

_MONTHS_RE = r"january|february|march|april|may|june|july|august|september|october|november|december"
_MONTH_ABBR = r"jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec"
_PERIOD_RE = re.compile(
    rf"^(?:for\s+)?(?:(?:last|this|the\s+past|the\s+previous)\s+(?:month|week|quarter|year)|(?:the\s+month\s+of\s+)?(?:{_MONTHS_RE})(?:\s+\d{{4}})?)\s*[.,]?\s*$",
    re.IGNORECASE,
)
_NAME_END = re.compile(
    rf"\s+for\b|\s*[:;]|\s+-\s|\s+–\s|\s+(?:due|net|with|starting|dated|issued|at)\b|\s+to\s+(?=[A-Z])|"
    rf"\s+in\s+(?:{_CURRENCY_NAME_RE}|[A-Z]{{3}})\b|\s+(?=(?:\d|[$€£¥₹])(?!\d*\s*:)|(?:{_QTY_WORD_RE})\s+\d)|"
    r"\s+(?:#|no\.|number)\s*\w|\s+(?=(?:the|a|an)\s)",
)

LEAD_RE = re.compile(
    rf"""^(?:(?:hi|hello|hey)\b[,!]?\s*)?
    (?:(?:please|pls|kindly|can\s+you|could\s+you|would\s+you|i\s+need(?:\s+you)?(?:\s+to)?|i'd\s+like(?:\s+to)?|
        i\s+want(?:\s+to)?|we\s+need(?:\s+to)?|let's|lets|help\s+me|i\s+have\s+to|i\s+must)\s+)*
    (?P<verb>(?:create|make|generate|draft|prepare|write|do|send|issue|raise|build|produce|start|get|need|give\s+me|
        put\s+together|whip\s+up|draw\s+up|set\s+up|knock\s+up)\s+)?
    (?:(?:me|us)\s+)?
    (?P<art>(?:a|an|the|new|another|my)\s+)*
    (?:new\s+)?
    (?P<kind>{KIND_WORDS})\b
    (?:\s*(?:\#\s*|no\.\s*|no\s+(?=\d)|number\s*:?\s*)(?P<num>[A-Za-z0-9][\w\-/]*))?
    [:,]?\s*""",
    re.IGNORECASE | re.VERBOSE,
)
_BUYER_MARK_RE = re.compile(
    r"^(?:bill(?:ed)?\s+to|invoice\s+to|sold\s+to|ship\s+to|to|client|customer|buyer|recipient|"
    r"for\s+(?:the\s+)?(?:client|customer)|the\s+(?:client|customer|buyer)\s+is|(?:client|customer)\s+is|"
    r"(?:(?:the\s+)?(?:invoice|bill|quote|estimate|receipt|it)\s+)?(?:should\s+go|goes|is\s+going|should\s+be\s+addressed)\s+to|"
    r"send\s+(?:it|this|the\s+(?:invoice|quote|bill|receipt))\s+to|address(?:ed)?\s+(?:it\s+)?to)"
    r"\s*:?\s+(?P<rest>.+)$",
    re.IGNORECASE,
)
_BUYER_VERB_RE = re.compile(r"^(?:bill|charge|invoice|quote)\s+(?!for\b|to\b)(?P<rest>.+)$", re.IGNORECASE)
_SELLER_MARK_RE = re.compile(
    r"^(?:from|seller|sender|vendor|supplier|issued\s+by|my\s+company\s+is|my\s+business\s+is|i\s+am|i'm|"
    r"we\s+are|company)\s*:?\s+(?P<rest>.+)$",
    re.IGNORECASE,
)

_TAX_PCT_FIRST = re.compile(
    rf"^(?:(?:incl\.?|including|add|apply|charge)\s+)?(?:an?\s+)?(?P<rate>{NUM})\s*(?:%|percent|per\s?cent)\s*"
    rf"(?P<name>{_TAX_NAME_RE})(?:\s+rate)?(?:\s+(?:on\s+(?:everything|all|it|the\s+total)))?$",
    re.IGNORECASE,
)
_TAX_NAME_FIRST = re.compile(
    rf"^(?:(?:add|apply|charge|incl\.?|including)\s+)?(?P<name>{_TAX_NAME_RE})(?:\s+rate)?\s*(?:of|at|is|=|:|@)?\s*"
    rf"(?P<rate>{NUM})\s*(?:%|percent|per\s?cent)$",
    re.IGNORECASE,
)
_DISCOUNT_FIRST_VALUE = re.compile(
    rf"^(?:(?:apply|give(?:\s+them)?|add|take|with)\s+)?(?:an?\s+)?(?:(?:another|additional|extra|second)\s+)?(?:(?P<pct>{NUM})\s*(?:%|percent|per\s?cent)|(?P<amt>{AMT}))\s*"
    r"(?P<desc>[a-z][a-z -]*?)?\s*(?P<word>discount|off|rebate|reduction)"
    r"(?:\s+(?:(?P<conn>on|off|for|to)\s+)?(?P<target>.+))?$",
    re.IGNORECASE,
)
_DISCOUNT_WORD_FIRST = re.compile(
    rf"^(?:(?:apply|give|add)\s+)?(?:an?\s+)?(?:(?:another|additional|extra|second)\s+)?(?P<desc>[a-z][a-z -]*?\s)?(?:discount|rebate|reduction)\s*(?:of|:|=|at)?\s*"
    rf"(?:(?P<pct>{NUM})\s*(?:%|percent|per\s?cent)|(?P<amt>{AMT}))"
    r"(?:\s+(?P<conn>on|off|for|to)\s+(?P<target>.+))?$",
    re.IGNORECASE,
)
_DISCOUNT_LESS = re.compile(
    rf"^(?:less|minus)\s+(?:(?P<pct>{NUM})\s*%|(?P<amt>{AMT}))(?:\s+(?P<desc>[a-z][a-z -]*))?$",
    re.IGNORECASE,
)
_SHIP_WORDS = r"shipping(?:\s+(?:and|&)\s+handling)?|delivery|postage(?:\s+(?:and|&)\s+packing)?|freight|s&h|p&p|courier"
_SHIPPING_AMOUNT_FIRST = re.compile(
    rf"^(?:(?:add|charge)\s+)?(?P<amt>{AMT})\s+(?:for\s+|in\s+)?(?:{_SHIP_WORDS})(?:\s+(?:fee|charge|costs?))?$",
    re.IGNORECASE,
)
_SHIPPING_WORD_FIRST = re.compile(
    rf"^(?:(?:add|charge)\s+)?(?:the\s+)?(?:{_SHIP_WORDS})(?:\s+(?:fee|charge|costs?|cost))?\s*(?:of|is|:|=|at|for)?\s*(?P<amt>{AMT})$",
    re.IGNORECASE,
)
_FREE_SHIPPING = re.compile(r"^(?:free|no\s+charge\s+for)\s+(?:shipping|delivery)$", re.IGNORECASE)

_DUE_IN = re.compile(
    rf"^(?:(?:payment|payable|it'?s|it\s+is|is)\s+)*(?:due|payable)\s+(?:(?:with)?in\s+)?{RELATIVE_SPAN_RE.pattern}"
    r"(?:\s+(?:of|from|after)\s+(?:the\s+)?(?:issue|invoice)(?:\s+date)?)?$",
    re.IGNORECASE,
)
_WITHIN = re.compile(rf"^(?:pay(?:able)?|payment)\s+within\s+{RELATIVE_SPAN_RE.pattern}$", re.IGNORECASE)
_DAYS_TERMS = re.compile(
    r"^(?P<n>\d{1,3})[\s-]*(?P<unit>days?|weeks?)\s+(?:payment\s+terms|terms|to\s+pay|credit)$", re.IGNORECASE
)
_NET = re.compile(
    r"^(?:(?:payment\s+)?terms?\s*(?:are|:|is)?\s*)?net[\s-]?(?P<n>\d{1,3})(?:\s+days)?(?:\s+terms)?$",
    re.IGNORECASE,
)
_ON_RECEIPT = re.compile(
    r"^(?:(?:payment\s+)?(?:terms?\s*:?\s*)?)?(?:payment\s+)?(?:is\s+)?(?:due|payable)\s+(?:on|upon)\s+receipt$",
    re.IGNORECASE,
)
_DUE_DATE = re.compile(
    r"^(?:(?:payment|it'?s|it\s+is|is)\s+)*(?:due|payable)(?:\s+date)?\s*(?:on|by|:|is|date\s+is)?\s*(?P<date>.+)$",
    re.IGNORECASE,
)
_TERMS = re.compile(r"^(?:payment\s+)?terms\s*(?::|are|is)?\s*(?P<terms>.+)$", re.IGNORECASE)
_ISSUED = re.compile(
    r"^(?:(?:it\s+was|was)\s+)?(?:issued|dated|date|issue\s+date|invoice\s+date|created)\s*(?:on|:|is)?\s*(?P<date>.+)$",
    re.IGNORECASE,
)
_VALID = re.compile(
    rf"^(?:the\s+)?(?:quote\s+|offer\s+|estimate\s+)?(?:is\s+)?valid\s+(?:(?:for\s+)?{RELATIVE_SPAN_RE.pattern}|"
    r"(?:until|till|through|thru|to|up\s+to)\s+(?P<date>.+))$",
    re.IGNORECASE,
)
_NUMBER = re.compile(
    rf"^(?:(?:{KIND_WORDS}|document)\s*)?(?:number|no\.?|num|\#)\s*(?:is|:)?\s*\#?(?P<num>[A-Za-z0-9][\w\-/.]*)$"
    r"|^\#(?P<num2>[A-Za-z0-9][\w\-/.]*)$",
    re.IGNORECASE,
)
_REFERENCE = re.compile(
    r"^(?:ref(?:erence)?|your\s+ref(?:erence)?|po\s*(?:number|no\.?|\#)|p\.o\.\s*(?:number|no\.?|\#)?|order\s+(?:number|no\.?|\#))"
    r"\s*[:\#]?\s*(?P<ref>[A-Za-z0-9][\w\-/.]*)$",
    re.IGNORECASE,
)
_CURRENCY_ONLY = re.compile(
    rf"^(?:(?:in|currency|use|using|bill\s+in|billed\s+in|priced\s+in|all\s+amounts\s+in|everything\s+in|paid\s+in)"
    rf"\s*:?\s*)?(?P<cur>{_CURRENCY_NAME_RE}|[A-Za-z]{{3}}|{_SYMBOL_RE})$",
    re.IGNORECASE,
)
_PAID = re.compile(
    rf"^(?:it\s+was\s+|they\s+)?paid\s*(?P<full>in\s+full)?\s*(?P<amt>{AMT})?"
    r"(?:\s*(?:by|with|via|using|in)\s+(?P<method>.+)|\s*(?P<method2>cash|card|cheque|check|visa|mastercard|amex|"
    r"paypal|bank\s+transfer|wire|venmo|zelle|apple\s+pay|google\s+pay))?$",
    re.IGNORECASE,
)
_PAYMENT_METHOD = re.compile(r"^(?:payment\s+method|paid\s+by|method)\s*:?\s*(?P<method>.+)$", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(
    r"^(?:phone|tel|ph|mobile|cell)\.?\s*:?\s*(?P<phone>\+?[\d][\d\s().-]{5,})$", re.IGNORECASE
)
_TAX_ID = re.compile(
    r"^(?:(?:their|our|my|buyer'?s?|seller'?s?)\s+)?(?:vat|tax|gst|abn|ein|tin)\s*(?:id|no\.?|number|\#|reg(?:istration)?(?:\s+no\.?)?)\s*:?\s*"
    r"(?P<id>[A-Za-z0-9][A-Za-z0-9 -]{3,})$",
    re.IGNORECASE,
)
_STREET = re.compile(
    r"^(?:(?i:\d+[A-Za-z]?\s+[\w .'-]*\b(?:st|street|ave|avenue|rd|road|blvd|boulevard|lane|ln|way|dr|drive|court|ct|"
    r"place|pl|square|sq|highway|hwy|parkway|pkwy|terrace|strasse|straße|str|row|close|crescent|alley|loop|circle|plaza|walk|hill|gardens|mews|quay|wharf)\b\.?.*)"
    r"|(?i:(?:suite|ste|unit|apt|floor|po\s+box|p\.o\.\s+box|building)\b.*)"
    r"|[A-Z][\w .'-]*\s+[A-Z]{2}\s+\d{5}(?:-\d{4})?"
    r"|\d{4,5}\s+[A-Z][\w .'-]*"
    r"|[A-Z][\w .'-]*\s+[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2})$"
)

_PER_UNIT_TAIL = re.compile(
    rf"^(?:/\s?|per\s+|an?\s+|each\s+|every\s+)(?P<per>{UNIT_RE}|[a-z]+)\b\.?|^(?:each|apiece|ea\.?|per\s+(?:unit|item|piece|one))\b",
    re.IGNORECASE,
)
# "consulting 150/h x 10": the rate first, then the quantity.
_RATE_TIMES_QTY = re.compile(
    rf"^(?P<desc>[A-Za-z].*?)\s*(?:at|@|:|-)?\s+(?P<price>[^\s\d]{{0,3}}\d[\d,.']*(?:\s?[A-Z]{{3}})?)\s*(?:/\s?(?P<per>[a-z]+)|per\s+(?P<per2>[a-z]+))?"
    rf"\s*(?:x|×|\*)\s*(?P<q>\d+(?:[.,]\d+)?)\s*(?P<unit>{UNIT_RE})?\.?$",
    re.IGNORECASE,
)
# "$80/hour for 12.5 hours of QA", "consulting at 150 per hour for 10 hours".
_RATE_FOR_QTY = re.compile(
    rf"^(?P<desc>.*?)\s*(?P<price>[^\s\d]{{0,3}}\d[\d,.']*(?:\s?[A-Z]{{3}})?)\s*(?:/\s?[a-z]+|per\s+[a-z]+|an?\s+[a-z]+)?"
    rf"\s+for\s+(?P<q>\d+(?:[.,]\d+)?)\s*(?P<unit>{UNIT_RE})\b\.?(?:\s+of\s+(?P<desc2>.+))?$",
    re.IGNORECASE,
)
_FEE_PREFIX = re.compile(
    r"^(?:an?\s+|the\s+)?(?:flat\s+|fixed\s+|one-off\s+|one-time\s+)?(?:fee|charge|price|rate|sum)\s+of\s+(?=\S*\d)",
    re.IGNORECASE,
)
TOTAL_TAIL_RE = re.compile(
    r"^(?:in\s+)?(?:total|all\s+in|altogether|for\s+all|for\s+the\s+lot|flat)\b", re.IGNORECASE
)


MAX_CLAUSE_CHARS = 300

_MONTH_DAY_COMMA_YEAR = re.compile(
    rf"(?i)\b((?:{_MONTHS_RE}|{_MONTH_ABBR})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?),\s+(\d{{4}})\b"
)
# "Bill to:" alone on its line: the name is on the next one.
_LABEL_LINE_RE = re.compile(
    r"(?im)^(\s*(?:bill(?:ed)?\s+to|invoice\s+to|to|from|client|customer|buyer|seller|sold\s+to|ship\s+to)\s*:)[ \t]*\n\s*"
)
# "- Logo design, 1, 1200" / "Business cards, 500 pcs, 0.20": description, quantity, price.
_CSV_ITEM_RE = re.compile(
    r"(?m)^[ \t]*(?:[-*•][ \t]+)?(?P<desc>[A-Za-z][^,\n]*?),[ \t]*(?P<q>\d+(?:\.\d+)?)[ \t]*(?P<unit>[a-z]+)?,[ \t]*"
    r"(?P<price>[^\s,\d]{0,3}\d[\d.]*(?:[ \t]?[A-Za-z€£$]{1,3})?)[ \t]*$"
)


def _csv_item(match: re.Match[str]) -> str:
    unit = match.group("unit")
    if unit:
        return f"{match.group('q')} {unit} of {match.group('desc')} at {match.group('price')}"
    return f"{match.group('q')} x {match.group('desc')} @ {match.group('price')}"


class _Reader:
    """Reads the clauses of one message into a Draft."""

    def __init__(self, today: dt.date) -> None:
        self.today = today
        self.draft = Draft()
        self.last_party: str | None = None

    # The lead-in and parties consume a prefix and hand the rest back.

    def read(self, text: str) -> Draft:
        text = _LABEL_LINE_RE.sub(r"\1 ", text)
        # "March 1, 2026": the comma belongs to the date, not between two clauses.
        text = _MONTH_DAY_COMMA_YEAR.sub(r"\1 \2", text)
        text = _CSV_ITEM_RE.sub(_csv_item, text)
        text, note = take_notes(text)
        if note:
            self.draft.notes = note
        text, currency = take_currency(text)
        if currency:
            self.draft.currency = currency
        pending_price: DraftItem | None = None
        for raw in split_clauses(text):
            if len(raw) > MAX_CLAUSE_CHARS:
                # No field is that long (descriptions and names stop at 200), and the rules are
                # not meant for it: say it was not understood rather than spend time on it.
                self.draft.unknown.append(raw[:60] + "…")
                continue
            clause = strip_connectors(raw)
            if not clause:
                continue
            party_before = self.last_party
            consumed = self.clause(clause, party_before)
            if consumed is None:
                continue
            # A clause that is only a price completes the previous item ("2 licences, 99 each").
            item = consumed
            if item.description == "" and item.unit_price is not None and pending_price is not None:
                pending_price.unit_price = self._price_for(pending_price, item)
                pending_price = None
                continue
            if item.description == "" and not item.unit:
                self.draft.unknown.append(clause)
                continue
            self.draft.items.append(item)
            pending_price = item if item.unit_price is None else None
        return self.draft

    def _price_for(self, target: DraftItem, priced: DraftItem) -> Decimal | None:
        # `priced` carries the amount in unit_price and, when it was a total, quantity -1 as a marker.
        if priced.quantity == -1 and priced.unit_price is not None and target.quantity != 1:
            return unit_from_total(target, priced.unit_price)
        return priced.unit_price

    def clause(self, clause: str, party_before: str | None) -> DraftItem | None:
        """Read one clause; returns a line item when the clause is one, None otherwise."""
        self.last_party = None
        if self.dates(clause):
            return (
                None  # "quote valid for 30 days", "invoice date: March 1": before "quote"/"invoice" lead-ins
            )
        rest = self.lead(clause)
        if not rest:
            return None
        rest = strip_connectors(rest)
        if not rest:
            return None
        if party_before:
            # "Acme, Springfield IL 62701 for 5 hours of work": an address line, then the items.
            split = re.match(r"^(?P<head>.+?)\s+for\s+(?P<tail>.+)$", rest, re.IGNORECASE)
            if split and self.party_detail(split.group("head"), party_before):
                rest = split.group("tail")
        if self.fragment(rest, party_before):
            return None
        # "an audit at $2,500 due 2026-12-01": a date phrase glued to the end of an item.
        glued = re.search(
            r"\s+(?=(?:due|payable|net\s?\d|valid\s+(?:for|until|till)|issued|dated)\b)", rest, re.IGNORECASE
        )
        if glued and glued.start() > 0 and self.dates(rest[glued.end() :]):
            rest = rest[: glued.start()].rstrip(" ,")
        return self.item(rest)

    def lead(self, clause: str) -> str | None:
        """The kind lead-in and the parties; returns what is left to read."""
        text = clause
        for _ in range(4):
            before = text
            match = LEAD_RE.match(text)
            if match:
                kind_word = " ".join(match.group("kind").lower().split())
                after = text[match.end() :]
                # "bill" is a verb ("bill Acme") far more often than a noun; "PO" only as a noun.
                if kind_word == "po" and not (
                    match.group("art")
                    or match.group("verb")
                    or re.match(r"^(?:to|for)\s|^[#:]", after.lstrip())
                ):
                    break
                if kind_word != "bill" or match.group("art"):
                    self.draft.kind = _KINDS[kind_word]
                if match.group("num"):
                    self.draft.number = match.group("num")
                bare_verb = not match.group("verb") and not match.group("art") and kind_word != "po"
                text = self.after_kind(after, bare_verb=bare_verb)
            else:
                text = self.party_prefix(text)
            if text == before or not text:
                break
        return text.strip()

    def after_kind(self, text: str, *, bare_verb: bool) -> str:
        text = text.strip()
        if not text:
            return text
        match = re.match(
            r"^(?:#\s*|no\.\s*|no\s+(?=\d)|number\s*:?\s*)(?P<num>[A-Za-z0-9][\w\-/]*)[:,]?\s*",
            text,
            re.IGNORECASE,
        )
        if match:
            self.draft.number = match.group("num")
            text = text[match.end() :]
        match = re.match(r"^(?:to|for)\s*:?\s+(?P<rest>.+)$", text, re.IGNORECASE)
        if match:
            word = text.split()[0].lower()
            rest = match.group("rest")
            if word == "to":
                return self.take_party("buyer", rest)
            return self.for_target(rest)
        if bare_verb and not re.match(r"^(?:from\b|\d+(?:[.,]\d+)?(?!\w)|[$€£¥₹])", text, re.IGNORECASE):
            taken = self.take_party("buyer", text, strict=True)
            return taken
        return text

    def for_target(self, rest: str) -> str:
        """ "an invoice for X ...": X is the buyer unless it is clearly what is sold."""
        rest = re.sub(r"^(?:the\s+)?(?:client|customer)\s*:?\s+", "", rest, flags=re.IGNORECASE)
        if re.match(
            rf"^(?:\d+(?:[.,]\d+)?(?!\w)|[$€£¥₹]|(?:{_QTY_WORD_RE})\s|the\s|my\s|our\s|some\s)",
            rest,
            re.IGNORECASE,
        ):
            return rest
        match = _NAME_END.search(rest)
        name_part = rest[: match.start()] if match else rest
        after = rest[match.start() :] if match else ""
        if name_part.strip() == name_part.strip().lower() and re.match(
            r"^\s*(?:[-:–]\s*)?[$€£¥₹]|^\s+(?:at|@)\s", after
        ):
            return rest  # "for travel $200": a lower-case thing with a price is what is sold
        second_for = re.match(r"^\s+for\s+(?P<what>.+)$", after, re.IGNORECASE)
        if second_for:
            what = second_for.group("what")
            if re.fullmatch(rf"\s*{AMT}\s*(?:each|total|in total|flat)?\s*", what, re.IGNORECASE):
                return rest  # "logo design for 400 EUR": an item, not a buyer
        if any(m.currency for m in find_money(name_part)) or not name_part.strip():
            return rest
        return self.take_party("buyer", rest)

    def party_prefix(self, text: str) -> str:
        match = _BUYER_MARK_RE.match(text)
        if match:
            return self.take_party("buyer", match.group("rest"))
        match = _SELLER_MARK_RE.match(text)
        if match:
            return self.take_party("seller", match.group("rest"))
        match = _BUYER_VERB_RE.match(text)
        if match and not re.match(r"^(?:\d|[$€£¥₹])", match.group("rest")):
            return self.take_party("buyer", match.group("rest"), strict=True)
        return text

    def take_party(self, role: str, text: str, *, strict: bool = False) -> str:
        """Read a name at the start of `text` into buyer/seller; returns the rest."""
        text = re.sub(r"^(?:my|our|the)\s+(?:client|customer|buyer)\s+", "", text, flags=re.IGNORECASE)
        match = _NAME_END.search(text)
        name = text[: match.start()] if match else text
        rest = text[match.start() :].strip() if match else ""
        # "for last month", "for March": the period of the work, not what was sold.
        rest = _PERIOD_RE.sub("", rest).strip()
        email = _EMAIL.search(name)
        party_email = ""
        if email:
            party_email = email.group(0)
            name = (name[: email.start()] + name[email.end() :]).strip(" <>()")
        name = clean_name(name)
        if not name or name.lower() in _STOP_NAMES or (strict and find_money(name)):
            return text
        party = Party(name=name, email=party_email)
        if role == "buyer":
            self.draft.buyer = party
        else:
            self.draft.seller = party
        self.last_party = role
        rest = rest.strip()
        rest = re.sub(r"^(?:for|:|-|–)\s*", "", rest, flags=re.IGNORECASE)
        return rest

    # Whole-clause fragments.

    def fragment(self, text: str, party_before: str | None) -> bool:
        """Read a clause that is not a line item; False when it is not one of these."""
        d = self.draft
        for regex in (_TAX_PCT_FIRST, _TAX_NAME_FIRST):
            match = regex.match(text)
            if match:
                self.add_tax(tax_label(match.group("name")), _percent(match.group("rate")))
                return True
        for regex in (_DISCOUNT_FIRST_VALUE, _DISCOUNT_WORD_FIRST, _DISCOUNT_LESS):
            match = regex.match(text)
            if match and self.discount(match):
                return True
        if _FREE_SHIPPING.match(text):
            d.shipping = Decimal(0)
            return True
        for regex in (_SHIPPING_WORD_FIRST, _SHIPPING_AMOUNT_FIRST):
            match = regex.match(text)
            if match:
                money = one_amount(match.group("amt"))
                if money is not None:
                    d.shipping = money.amount
                    self.hint(money)
                    return True
        if self.dates(text):
            return True
        match = _REFERENCE.match(text)
        if match:
            if d.kind == DocumentKind.PURCHASE_ORDER and re.match(r"^p\.?o", text, re.IGNORECASE):
                d.number = match.group("ref")
            else:
                d.reference = match.group("ref")
            return True
        match = _NUMBER.match(text)
        if match:
            d.number = match.group("num") or match.group("num2")
            return True
        match = _CURRENCY_ONLY.match(text)
        if match:
            code = currency_from_word(match.group("cur"))
            raw = match.group("cur")
            if code and (not re.fullmatch(r"[a-z]{3}", raw) or text.lower() != raw.lower() or raw.isupper()):
                d.currency = code
                return True
        match = _PAID.match(text)
        if match and (
            match.group("full") or match.group("amt") or match.group("method") or match.group("method2")
        ):
            if match.group("amt"):
                money = one_amount(match.group("amt"))
                if money is not None:
                    d.amount_paid = money.amount
                    self.hint(money)
            if match.group("full"):
                d.paid_in_full = True
            if match.group("method") or match.group("method2"):
                method = (match.group("method") or match.group("method2")).strip().rstrip(".")
                d.payment_method = method[:1].upper() + method[1:]
            if d.kind is None:
                d.kind = DocumentKind.RECEIPT
            return True
        match = _PAYMENT_METHOD.match(text)
        if match:
            d.payment_method = match.group("method").strip()
            return True
        # Last: an address line is the loosest reading ("Springfield" is any capitalised word).
        return bool(party_before and self.party_detail(text, party_before))

    def party_detail(self, text: str, role: str) -> bool:
        """An address line, e-mail, phone or tax id right after a party's name."""
        party = self.draft.buyer if role == "buyer" else self.draft.seller
        if party is None:
            return False
        update: dict[str, object] = {}
        email = _EMAIL.fullmatch(text.strip(" <>()"))
        phone = _PHONE.match(text)
        tax_id = _TAX_ID.match(text)
        attn = re.match(
            r"^(?:attn|attention|c/o|care\s+of)\.?\s*:?\s*(?P<who>.+)$", text.strip(), re.IGNORECASE
        )
        if email:
            update["email"] = email.group(0)
        elif attn:
            update["address_lines"] = [*party.address_lines, f"Attn: {attn.group('who').strip()}"]
        elif phone:
            update["phone"] = phone.group("phone").strip()
        elif tax_id:
            update["tax_id"] = tax_id.group("id").strip()
        elif _STREET.match(text) or _looks_like_place(text):
            update["address_lines"] = [*party.address_lines, text.strip()]
        else:
            return False
        new = party.model_copy(update=update)
        if role == "buyer":
            self.draft.buyer = new
        else:
            self.draft.seller = new
        self.last_party = role
        return True

    def add_tax(self, name: str, rate: Decimal) -> None:
        taxes = [t for t in self.draft.taxes if t.name.casefold() != name.casefold()]
        taxes.append(Tax(name=name, rate_percent=rate))
        self.draft.taxes = taxes

    def discount(self, match: re.Match[str]) -> bool:
        desc = (match.groupdict().get("desc") or "").strip()
        word = (match.groupdict().get("word") or "discount").lower()
        if desc.lower() in ("a", "an", "the", "flat", ""):
            desc = ""
        if desc:
            desc = desc[0].upper() + desc[1:] + (" discount" if word in ("off", "discount") else f" {word}")
        if match.group("pct"):
            disc = Discount(description=desc, percent=_percent(match.group("pct")))
        else:
            money = one_amount(match.group("amt"))
            if money is None:
                return False
            self.hint(money)
            disc = Discount(description=desc, amount=money.amount)
        target = (match.groupdict().get("target") or "").strip()
        if target and not re.fullmatch(
            r"(?:the\s+)?(?:total|subtotal|everything|all|whole\s+(?:thing|invoice|bill)|invoice|bill|it)",
            target,
            re.IGNORECASE,
        ):
            # "10% off the logo", "discount on line 2" name a line; "discount for early payment"
            # may name one or give the reason.
            conn = (match.groupdict().get("conn") or ("off" if word == "off" else "for")).lower()
            self.draft.line_discounts.append(LineDiscount(target, disc, strict=conn in ("on", "off")))
        else:
            self.draft.discounts.append(disc)
        return True

    def dates(self, text: str) -> bool:
        d = self.draft
        match = _ON_RECEIPT.match(text)
        if match:
            d.due = DueSpec(on_receipt=True)
            d.payment_terms = "Due on receipt"
            return True
        match = _DUE_IN.match(text) or _WITHIN.match(text) or _DAYS_TERMS.match(text)
        if match:
            n = word_number(match.group("n"))
            if n is None:
                return False
            d.due = _span_spec(n, match.group("unit"))
            if d.due.days is not None:
                d.payment_terms = f"Net {d.due.days}"
            return True
        match = _NET.match(text)
        if match:
            days = int(match.group("n"))
            d.due = DueSpec(days=days)
            d.payment_terms = f"Net {days}"
            return True
        match = _VALID.match(text)
        if match:
            if match.group("date"):
                when = parse_date(match.group("date"), self.today)
                if when is None:
                    return False
                d.valid_until = when
            else:
                n = word_number(match.group("n"))
                if n is None:
                    return False
                d.valid_until = span_days(n, match.group("unit"), self.today)[0]
            return True
        match = _DUE_DATE.match(text)
        if match:
            when = parse_date(match.group("date"), self.today)
            if when is None:
                return False
            d.due = DueSpec(date=when)
            return True
        match = _ISSUED.match(text)
        if match:
            when = parse_date(match.group("date"), self.today, future=False)
            if when is None:
                return False
            d.issue_date = when
            return True
        match = _TERMS.match(text)
        if match:
            terms = match.group("terms").strip()
            net = _NET.match(terms)
            if net:
                d.due = DueSpec(days=int(net.group("n")))
                d.payment_terms = f"Net {net.group('n')}"
            else:
                d.payment_terms = terms[0].upper() + terms[1:]
            return True
        return False

    def hint(self, money: Money) -> None:
        if not money.currency:
            return
        if self.draft.currency_hint is None:
            self.draft.currency_hint = money.currency
        elif money.currency != self.draft.currency_hint:
            warning = (
                f"amounts were written in {self.draft.currency_hint} and {money.currency}; one document has "
                "one currency and nothing was converted"
            )
            if warning not in self.draft.warnings:
                self.draft.warnings.append(warning)

    # Line items.

    def item(self, text: str) -> DraftItem | None:
        """A line item, or a bare price (description "") that belongs to the previous item."""
        text = re.sub(r"^(?:add|include|put|charge\s+for|for)\s+", "", text.strip(), flags=re.IGNORECASE)
        # "a flat fee of $500 for setup" reads as "$500 for setup".
        text = _FEE_PREFIX.sub("", text)
        text = re.sub(
            r"^(?:another|an\s+additional|an\s+extra|additional|extra|roughly|about|around|approximately|"
            r"approx\.?|circa|~|worked|spent|did|(?:hourly\s+|unit\s+|daily\s+)?(?:rate|price)(?:\s+is|\s+of|:|=)?"
            r"(?=\s*\S*\d))\s*",
            "",
            text,
            flags=re.IGNORECASE,
        )
        # "consulting (10 h @ 150)": brackets only group.
        text = re.sub(r"\s*[()]\s*", " ", text).strip()
        text = re.sub(
            r"^(?:(?:i|we)\s+(?:also\s+)?(?:did|have\s+done|'ve\s+done|completed|provided|delivered|sold|worked|spent)"
            r"|(?:they|he|she|it)\s+(?:also\s+)?owes?\s+(?:me|us)(?:\s+another)?)\s+",
            "",
            text,
            flags=re.IGNORECASE,
        )
        rate_for = _RATE_FOR_QTY.match(text)
        if rate_for:
            money = one_amount(rate_for.group("price"))
            qty = parse_number(rate_for.group("q"))
            desc = rate_for.group("desc2") or rate_for.group("desc") or ""
            desc = self.trailing_buyer(re.sub(r"\s+(?:at|@|for|:|-)$", "", desc.strip(), flags=re.IGNORECASE))
            if money is not None and qty > 0 and desc:
                self.hint(money)
                unit = rate_for.group("unit")
                return DraftItem(
                    description=clean_description(desc),
                    quantity=qty,
                    unit=unit_label(unit, qty),
                    unit_price=money.amount,
                )
        rate_first = _RATE_TIMES_QTY.match(text)
        if rate_first:
            money = one_amount(rate_first.group("price"))
            qty = parse_number(rate_first.group("q"))
            if money is not None and qty > 0:
                self.hint(money)
                unit = rate_first.group("unit") or rate_first.group("per") or ""
                unit = unit if unit.lower() in UNITS else ""
                return DraftItem(
                    description=clean_description(rate_first.group("desc")),
                    quantity=qty,
                    unit=unit_label(unit, qty) if unit else "",
                    unit_price=money.amount,
                )
        moneys = find_money(text)
        qty, unit, desc_start, qty_match_end = self.leading_quantity(text)
        price = None
        for money in reversed(moneys):
            if money.start >= desc_start or money.currency:
                price = money
                break
        if price is not None and (
            price.start < desc_start
            or (
                price.start <= desc_start
                and re.match(r"^\s*(?:for|of|-|–|:)\s*[A-Za-z]", text[price.end :], re.IGNORECASE)
            )
        ):
            # "$500 for setup": the price comes first; what follows "for" is the description.
            qty, unit = Decimal(1), ""
            head = text[: price.start]
            tail = text[price.end :]
            match = re.match(r"^\s*(?:for|of|-|–|:)\s*(?P<desc>.+)$", tail, re.IGNORECASE)
            desc = match.group("desc") if match else tail
            desc = re.sub(r"^(?:the|a|an)\s+", "", desc.strip(), flags=re.IGNORECASE)
            desc = self.trailing_buyer(desc)
            if not desc.strip():
                head_desc = re.sub(
                    r"^(?:a\s+|an\s+)?(?:flat\s+|fixed\s+|one-off\s+)?(?:fee|charge|price|rate)?\s*(?:of)?\s*$",
                    "",
                    head,
                    flags=re.IGNORECASE,
                )
                desc = head_desc
            self.hint(price)
            return DraftItem(description=clean_description(desc), unit_price=price.amount)
        if price is None:
            if qty_match_end == 0 and not text.strip():
                return None
            desc = text[desc_start:]
            desc = re.sub(r"^\s*(?:x|×|\*)\s*", "", desc)
            return DraftItem(
                description=clean_description(desc), quantity=qty, unit=unit_label(unit, qty) if unit else ""
            )
        self.hint(price)
        head = text[desc_start : price.start]
        tail = text[price.end :].strip()
        head_for = re.search(
            r"\s+for\s+(?P<name>[A-Z][\w&.'-]*(?:\s+[A-Z][\w&.'-]*)*)\s+(?:at|@|for|:|-)\s*$", head
        )
        if head_for and self.draft.buyer is None:
            # "6 hours of gardening for Mrs Brown at 25 an hour": the buyer sits before the price.
            self.take_party("buyer", head_for.group("name"))
            head = head[: head_for.start()] + " at "
        tail = self.trailing_buyer(tail)
        if re.search(
            r"\b(?:incl\.?|including|inclusive\s+of|inc\.)\s.*\b(?:tax|vat|gst|hst)\b", tail, re.IGNORECASE
        ):
            self.draft.warnings.append(
                "prices that include tax are not supported: the amounts are taken before tax and no tax was added"
            )
        connector = ""
        match = re.search(
            r"\s*(?:\b(?P<word>at|for|costing|costs?|priced\s+at|of|x|@|is|=|,|:|-|–)\s*|(?P<sym>@|=|,|:|-|–|×|\*)\s*)$",
            head,
        )
        if match:
            connector = (match.group("word") or match.group("sym") or "").lower()
            head = head[: match.start()]
        if re.search(r"\s(?:at|@)$", head):
            head = re.sub(r"\s(?:at|@)$", "", head)
        head = re.sub(r"^\s*(?:x|×|\*)\s*", "", head)
        # "Widget x 3 at 5", "consulting 10 hours at 150": the quantity after the description.
        trailing_qty = re.search(r"\s*(?:x|×|\*)\s*(?P<q>\d+(?:[.,]\d+)?)\s*$", head) or re.search(
            rf"\s+(?P<q>\d+(?:[.,]\d+)?)\s*(?P<unit>{UNIT_RE})\.?\s*$", head, re.IGNORECASE
        )
        if trailing_qty and qty == 1 and not unit:
            qty = parse_number(trailing_qty.group("q"))
            unit = trailing_qty.groupdict().get("unit") or ""
            head = head[: trailing_qty.start()]
        per = _PER_UNIT_TAIL.match(tail)
        total = TOTAL_TAIL_RE.match(tail)
        if per and not unit:
            per_word = (per.groupdict().get("per") or "").lower()
            if per_word in UNITS:
                unit = per_word
        desc = clean_description(head)
        if unit and not desc and head == "" and desc_start:
            desc = ""
        amount = price.amount
        is_total = bool(total) or (connector == "for" and qty != 1 and not per)
        if not desc and qty == 1 and not unit:
            # Only a price: "99 each", "$400 total".
            item = DraftItem(description="", unit_price=amount)
            if total:
                item.quantity = Decimal(-1)
            return item
        item = DraftItem(description=desc, quantity=qty, unit=unit_label(unit, qty) if unit else "")
        if is_total and qty != 1:
            item.unit_price = unit_from_total(item, amount)
        else:
            item.unit_price = amount
        return item

    def trailing_buyer(self, text: str) -> str:
        """ "3 x Widget @ 12.50 for Globex": a capitalised name after "for" at the end is the buyer."""
        for_buyer = re.search(r"(?:^|\s)(?:for|to)\s+(?P<name>[A-Z][\w&.' -]*)$", text)
        if for_buyer and self.draft.buyer is None:
            self.take_party("buyer", for_buyer.group("name"))
            return text[: for_buyer.start()].strip()
        return text

    def leading_quantity(self, text: str) -> tuple[Decimal, str, int, int]:
        """(quantity, unit word, where the description starts, where the quantity ended)."""
        match = re.match(
            rf"^(?P<q>\d+(?:[.,]\d+)?|(?:{_QTY_WORD_RE})\b)\s*(?:(?:x|×|\*)\s*|(?P<unit>{UNIT_RE})\b\.?\s*(?:of\s+)?)?",
            text,
            re.IGNORECASE,
        )
        if not match:
            return Decimal(1), "", 0, 0
        qty = parse_quantity(match.group("q"))
        if qty is None or qty <= 0:
            return Decimal(1), "", 0, 0
        rest = text[match.end() :]
        unit = match.group("unit") or ""
        # A quantity must be followed by what is sold; "$" or "%" after it means it is not one.
        if (
            re.match(r"^\s*(?:%|[$€£¥₹])", rest)
            or (not rest.strip() and not unit)
            or (
                not unit and (_PER_UNIT_TAIL.fullmatch(rest.strip()) or TOTAL_TAIL_RE.fullmatch(rest.strip()))
            )
            or (not unit and re.match(r"^(?:for|of)\s", rest, re.IGNORECASE) and re.match(r"^\d", text))
        ):
            return Decimal(1), "", 0, 0
        if re.match(r"^\d", text) and re.match(r"^[.,]\d", text[match.end("q") :]):
            return Decimal(1), "", 0, 0
        if not unit:
            # "3 sessions of coaching": a word followed by "of" is a unit of its own.
            of_unit = re.match(r"^(?P<u>[a-z]+)\s+of\s+(?=\w)", rest, re.IGNORECASE)
            if of_unit and match.group("q").lower() not in ("a", "an"):
                unit = of_unit.group("u")
                return qty, unit, match.end() + of_unit.end(), match.end()
        if match.group("q").lower() in ("a", "an") and unit == "":
            return Decimal(1), "", match.end(), match.end()
        return qty, unit, match.end(), match.end()


def _looks_like_place(text: str) -> bool:
    """ "Springfield", "London SW1A 1AA", "Berlin, Germany": capitalised words, no amounts."""
    words = text.split()
    if re.match(r"^[A-Za-z][\w ]*:", text):
        return False  # "Date: March 1": a labelled field, not a place
    if not 1 <= len(words) <= 4 or (find_money(text) and not re.search(r"\b\d{4,5}\b", text)):
        return False
    return all(w[0].isupper() or w[0].isdigit() for w in words if w) and not re.search(
        r"%|\b(?:tax|vat|gst|discount|shipping|due|net)\b", text, re.IGNORECASE
    )


def _span_spec(n: int, unit: str) -> DueSpec:
    low = unit.lower()
    if low.startswith(("day", "week")):
        return DueSpec(days=n * (7 if low.startswith("week") else 1))
    return DueSpec(span=(n, unit))


def unit_from_total(item: DraftItem, total: Decimal) -> Decimal:
    """The unit price when a total was given for several units; exact to 4 places or the total as one lot."""
    unit_price = total / item.quantity
    if unit_price == unit_price.quantize(Decimal("0.0001")):
        return strip_amount(unit_price)
    # Not divisible exactly: keep the total exact as one lot of N.
    item.description = f"{item.description} ({_fmt_qty(item.quantity)} {item.unit})".replace(" )", ")")
    item.quantity = Decimal(1)
    item.unit = ""
    return total


def _fmt_qty(q: Decimal) -> str:
    return format(q.normalize(), "f")


def read_request(text: str, today: dt.date) -> Draft:
    """Read one message into a Draft."""
    return _Reader(today).read(text)
