"""Cutting a message into clauses, after taking out the parts that may contain anything (notes, currency).

A clause ends at a line break, a semicolon, the end of a sentence, a comma, or "and"/"plus"/"with"
when what follows starts something new (an amount, a tax, shipping, a due date, ...).
"""

from __future__ import annotations

import re

from docmesh_agent.builtin.labels import capitalised
from docmesh_agent.builtin.money import (
    AMT,
    NAME_RE,
    NAMES,
    NUM,
    currency_from_code,
    currency_from_name,
    find_money,
)
from docmesh_agent.builtin.not_amounts import date_or_contact_spans
from docmesh_agent.builtin.words import (
    MONTH_ABBREVIATIONS,
    MONTH_NAMES,
    QTY_WORD_RE,
    TAX_WORDS,
    UNIT_RE,
    WEEKDAYS,
)

# Words that start a new clause after "and"/"plus"/"with".
_CLAUSE_START = (
    rf"(?:\d|[$€£¥₹]|[A-Z]{{1,2}}\$|(?:{QTY_WORD_RE})\s|(?:{TAX_WORDS})\b|sales tax|shipping|delivery|postage|"
    r"freight|discount|due\b|net\s?\d|notes?\b|a\s+\d|an?\s+(?:flat|fixed|one-off|\d)|add\s|include\s|"
    r"(?:a|the)\s+(?:\d+(?:[.,]\d+)?\s*%|discount|shipping|delivery))"
)

# --- the layout of the whole message ----------------------------------------------------

_MONTH_DAY_COMMA_YEAR = re.compile(
    rf"(?i)\b((?:{MONTH_NAMES}|{MONTH_ABBREVIATIONS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?),\s+(\d{{4}})\b"
)
# "Tuesday, March 24", "Friday, 3/27", "Mon., 24 March": the comma after a weekday belongs to the
# date that follows it (it cut the date off as a clause of its own, then asked its price).
_WEEKDAY_COMMA_DATE = re.compile(
    rf"(?i)\b((?:{'|'.join(WEEKDAYS)}|mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)\.?),\s+"
    rf"(?=(?:{MONTH_NAMES}|{MONTH_ABBREVIATIONS})\b|the\s+\d|\d{{1,2}}(?:\s*[./-]\s*\d{{1,2}}\b|(?:st|nd|rd|th)?\s+"
    rf"(?:of\s+)?(?:{MONTH_NAMES}|{MONTH_ABBREVIATIONS})\b))"
)
# "Bill to:" alone on its line: the name is on the next one.
_LABEL_LINE_RE = re.compile(
    r"(?im)^(\s*(?:bill(?:ed)?\s+to|invoice\s+to|to|from|client|customer|buyer|seller|sold\s+to|ship\s+to)\s*:)[ \t]*\n\s*"
)
# "- Logo design, 1, 1200" / "Business cards, 500 pcs, 0.20": description, quantity, price.
_CSV_ITEM_RE = re.compile(
    # (never "retainer, 1,500": a count directly followed by ",500" is an amount's thousands)
    r"(?m)^[ \t]*(?:[-*•][ \t]+)?(?P<desc>[A-Za-z][^,\n]*?),[ \t]*(?P<q>\d+(?:\.\d+)?)(?!,\d{3}\b)[ \t]*(?P<unit>[a-z]+)?,[ \t]*"
    r"(?P<price>[^\s,\d]{0,3}\d[\d.]*(?:[ \t]?[A-Za-z€£$]{1,3})?(?:[ \t]*/[ \t]*[a-z]+|[ \t]+(?:each|ea|per[ \t]+[a-z]+))?)[ \t]*$"
)
# "Description: bathroom repair" then "Amount: 450" (a form's fields): one line at that amount.
_LABELLED_ITEM_RE = re.compile(
    r"(?im)^[ \t]*(?:description|item|service|work|job)[ \t]*:[ \t]*(?P<desc>[^\n:]+?)[ \t]*\n"
    r"[ \t]*(?:amount|price|total|cost|fee)[ \t]*:[ \t]*(?P<amt>[^\n]+?)[ \t]*$"
)


def _csv_item(match: re.Match[str]) -> str:
    unit = match.group("unit")
    if unit:
        return f"{match.group('q')} {unit} of {match.group('desc')} at {match.group('price')}"
    return f"{match.group('q')} x {match.group('desc')} @ {match.group('price')}"


_CELL_SEPARATOR = re.compile(r"\s*(?:\||\t+)\s*")
_HEADER_CELLS = frozenset(
    "item items description desc service product qty quantity units unit price rate amount total cost each hours".split()
)


def _table_row(line: str) -> str:
    """ "Logo | 1 | 400", "Cards\t2\t50": a table row as the comma line it is ("Logo, 1, 400"; the
    count was left in the description: one card at 50); a header row ("Item | Qty | Price") is
    dropped."""
    cells = [c for c in _CELL_SEPARATOR.split(line.strip().strip("|")) if c]
    if len(cells) < 2:
        return line
    if all(c.lower().strip(" .:") in _HEADER_CELLS for c in cells):
        return ""
    if len(cells) == 4 and _line_total_matches(cells[1], cells[2], cells[3]):
        cells = cells[:3]  # "Cards | 2 | 50 | 100": the line total adds nothing (any other is asked)
    return ", ".join(cells)


def _line_total_matches(qty: str, price: str, total: str) -> bool:
    moneys = [find_money(cell) for cell in (qty, price, total)]
    if any(len(m) != 1 for m in moneys):
        return False
    return moneys[0][0].amount * moneys[1][0].amount == moneys[2][0].amount


def rewrite_layout(text: str) -> str:
    """Forms and lists written as prose: "Bill to:" with the name on the next line, "March 1, 2026"
    (the comma belongs to the date, not between two clauses), "Logo design, 1, 1200" (one item)."""
    if "|" in text or "\t" in text:
        text = "\n".join(_table_row(line) for line in text.split("\n"))
    text = _LABEL_LINE_RE.sub(r"\1 ", text)
    text = _MONTH_DAY_COMMA_YEAR.sub(r"\1 \2", text)
    text = _WEEKDAY_COMMA_DATE.sub(r"\1 ", text)
    text = _BRACKETED_ADDRESS_RE.sub(r"\g<name>, \g<address>: ", text)
    text = _LABELLED_ITEM_RE.sub(r"\g<desc> \g<amt>", text)
    low = text.lower()
    if " inc." in low:
        text = _INC_AFTER_AMOUNT.sub(" incl.", text)  # "6,200 inc. materials" (not "Acme Inc.")
    if "exempt" in low or "free" in low:
        text = _DASH_BEFORE_EXEMPT.sub(" ", text)
    if "%" in text:
        text = _DASH_BEFORE_TAX.sub(", ", text)
    return _CSV_ITEM_RE.sub(_csv_item, text)


_INC_AFTER_AMOUNT = re.compile(r"(?<=\d)\s+inc\.(?=\s+[a-z])", re.IGNORECASE)
# "..., don't charge tax on it - tax 6%": a dash before the document's tax ends a clause.
_DASH_BEFORE_TAX = re.compile(
    rf"\s+[-–—]\s+(?=(?:(?:sales\s+)?(?:{TAX_WORDS})\s*(?:of\s+)?\d[\d.,]*\s*%|\d[\d.,]*\s*%\s*(?:sales\s+)?(?:{TAX_WORDS}))\s*(?:$|[,;\n]))",
    re.IGNORECASE | re.MULTILINE,
)
# "Court filing fee £120 - exempt": a dash before the remark ties it to its line (it was a line
# "Exempt", asked its price).
_DASH_BEFORE_EXEMPT = re.compile(
    rf"(?<=\d)\s+[-–—]\s+(?=(?:(?:{TAX_WORDS})[- ]?)?(?:exempt|free)\s*(?:$|[,;\n]))",
    re.IGNORECASE | re.MULTILINE,
)


# "Bill Initech (500 Oracle Pkwy, Redwood City) for 3 licences": an address in brackets after
# the name is written as the address lines that end in a colon.
_BRACKETED_ADDRESS_RE = re.compile(
    # ("the Nguyen family (12 Willow Ct, Eugene OR 97401) for ...": a family, a household)
    r"(?P<name>[A-Z][\w&.'-]*(?:\s+[A-Z][\w&.'-]*)*(?:\s+(?:family|household))?)\s*"
    r"\((?P<address>(?:\d+\s+[A-Za-z]|"
    # the kind of street first ("Av. de la Paz 3", "12 rue ...") or in the name ("Lindenweg 7")
    r"(?i:rue|avenue|av\.|avda\.?|boulevard|bd|chemin|calle|c/|avenida|plaza|pza\.|paseo|camino|carrer)\s+\w|"
    r"[A-ZÄÖÜ][\w-]*(?:straße|strasse|str\.|weg|platz|allee|gasse|ring|damm)\s+\d)[^()]*)\)\s*(?:for\s+|:\s*|[-–—]\s+)"
)


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
_BARE_NOTE_RE = re.compile(
    r"^(?:(?:add|include|put)\s+)?(?:a\s+|the\s+|this\s+)?note\s+(?:saying\s+|that\s+says\s+)?(?P<note>[^:\-\s].*)$",
    re.IGNORECASE,
)
# Codes also accepted in lower case after "in" ("in cad"); other three-letter words ("in all",
# "in top") are too often English to be read as ALL or TOP.
_LOWER_CASE_CODES = frozenset(
    "USD EUR GBP CAD AUD NZD JPY CHF INR SEK NOK DKK MXN CNY HKD SGD ZAR BRL PLN KWD AED SAR".split()
)
_CURRENCY_PHRASE_RE = re.compile(
    rf"(?:,\s*)?\b(?:in|currency(?:\s+is)?:?|billed in|bill in|priced in|paid in|all in|everything in)\s+"
    rf"(?P<cur>(?:{NAME_RE})\b|[A-Z]{{3}}\b)(?!\s*[\d$€£¥])",
    re.IGNORECASE,
)


def take_notes(text: str) -> tuple[str, str | None]:
    """Cut "note: ..." (to the end of its line) out of the text."""
    for regex in (_QUOTED_NOTE_RE, _NOTE_RE, _BARE_NOTE_RE):
        match = regex.search(text)
        if match:
            note = match.group("note").strip().strip("\"“”'").strip()
            return text[: match.start()] + "\n" + text[match.end() :], capitalised(note) or None
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


# --- clauses ------------------------------------------------------------------------------

# A discount said of its own line, a percentage or an amount ("15% off", "100 off", "$20 discount").
# "1 day off" is time off, not an amount.
LINE_DISCOUNT = rf"(?:{NUM}\s*%|(?!{NUM}\s*(?:{UNIT_RE})\b){AMT})\s*(?:off|discount)\b"
# Abbreviations whose full stop ends no sentence (names, titles, addresses: "Av. de la Paz 3" was cut
# at "Av." and its street number and postcode became lines, a wrong total).
_ABBREV = r"(?<!\bSt)(?<!\bCorp)(?<!\bInc)(?<!\bLtd)(?<!\bCo)(?<!\bNo)(?<!\bMr)(?<!\bMs)(?<!\bDr)(?<!\bMrs)(?<!\bM)(?<!\bMme)(?<!\bSr)(?<!\bSra)(?<!\bHr)(?<!\bFr)(?<!\bJr)(?<!\bAve)(?<!\bAv)(?<!\bav)(?<!\bAvda)(?<!\bavda)(?<!\bPza)(?<!\bBd)(?<!\bBlvd)(?<!\bCtra)(?<!\bNr)(?<!\bS\.L)(?<!\bS\.A)(?<!\bincl)(?<!\bIncl)(?<!\binc)(?<!\bInc)"


def split_clauses(text: str) -> list[str]:
    """Cut a message into clauses (see the module docstring)."""
    clauses: list[str] = []
    lines = re.split(r"[\n;]+", text)
    # Lines with an amount that is no percentage: the lines of the list (not "VAT 21%").
    said_off = "off" in text or "discount" in text.lower()  # (the common case: no discount said)
    listed = [n for n, line in enumerate(lines) if said_off and _AMOUNT_NOT_PERCENT.search(line)]
    for n, line in enumerate(lines):
        if len(listed) > 1 and n in listed[:-1]:
            # (after the last line, "..., 10% discount" may be said of the whole list: not read here)
            line = _discount_of_the_line(line)
        for sentence in re.split(_ABBREV + r"(?<=[A-Za-z%)\]\d])[.!?]+\s+(?=[A-Za-z$€£¥])", line):
            for part in re.split(r",(?=\s)|,(?=[^\d\s])", sentence):
                for piece in _split_dashes(part):
                    clauses.extend(_split_joiners(piece))
    return [c.strip() for c in clauses if c.strip(" .!?")]


_AMOUNT_NOT_PERCENT = re.compile(r"\d(?![\d.,]*\s*%)")
# "- label design: 12 h at 45/h, 15% off": a discount after the last comma of a line of a list.
_DISCOUNT_ONLY = re.compile(
    rf"\s*(?:with\s+)?(?:an?\s+)?(?P<discount>{LINE_DISCOUNT})\s*\.?\s*", re.IGNORECASE
)
_BULLET = re.compile(r"^\s*(?:[-*•·]|\d{1,2}[.)])\s+")


def _discount_of_the_line(line: str) -> str:
    """In a list with one item per line (or per ";"), a discount after a comma at the end of a
    line that holds one priced item is that item's ("... 12 h at 45/h with 15% off"): it was taken
    off the whole document, a wrong total. A discount on a line of its own stays the document's."""
    head, comma, tail = line.rpartition(",")
    said = _DISCOUNT_ONLY.fullmatch(tail) if comma else None
    if said is None:
        return line
    parts = head.split(",")
    if not re.search(r"\d", parts[-1]) or re.search(r"\s(?:and|&|\+|plus)\s", parts[-1], re.IGNORECASE):
        return line  # "design 400 and printing 100, 15% off": said of both
    if not _BULLET.match(head) and sum(bool(re.search(r"\d", p)) for p in parts) != 1:
        # "design 400, printing 100, 15% off": said of both ("- label design, 12 h, 45/h, 15% off"
        # is one item: a bullet holds one)
        return line
    return f"{head} with {said.group('discount')}"


def _split_dashes(part: str) -> list[str]:
    """A spaced dash after an amount separates like a comma ("bike repair 120 - paid in cash");
    before one it joins a description to its price ("Consulting - 10 hrs @ $200")."""
    out: list[str] = []
    while True:
        match = next(
            # "... at $150 and deep clean - USD 95": only the amount of the dash's own item counts.
            (
                m
                for m in re.finditer(r"\s+[-–—]\s+", part)
                if _has_amount(_last_item(part[: m.start()])) and not _counted_then_each(part, m)
            ),
            None,
        )
        if match is None:
            return [*out, part]
        out.append(part[: match.start()])
        part = part[match.end() :]


def _counted_then_each(part: str, dash: re.Match[str]) -> bool:
    """ "supply and fit 2 ceiling fans - $340 each": the count before the dash, the price of each
    after it; one line (the price was read alone and the 2 fans asked about)."""
    return bool(_ENDS_IN_COUNT.search(part[: dash.start()]) and _PRICE_OF_EACH.match(part[dash.end() :]))


_ENDS_IN_COUNT = re.compile(r"(?<=[a-z])\s+\d{1,4}\s+(?:[a-z][\w'-]*\s+){0,2}[a-z][\w'-]*s$")
_PRICE_OF_EACH = re.compile(r"\S*\d[\d,.]*\S*\s+(?:each|ea\.?|apiece|per\s+[a-z]+)\s*$", re.IGNORECASE)


def _last_item(text: str) -> str:
    """What follows the last "and" / "plus" / "&" of `text` (the item a dash after it belongs to)."""
    return re.split(r"\s+(?:and|&|plus)\s+", text)[-1]


def _has_amount(text: str) -> bool:
    """An amount that may be money ("sprint 3 - 4800": the 3 is part of a name, not an amount)."""
    ids = date_or_contact_spans(text)
    return any(not any(a < m.end and m.start < b for a, b in ids) for m in find_money(text))


def _split_joiners(part: str) -> list[str]:
    return [piece for plus in _split_plus(part) for piece in _split_words(plus)]


def _split_plus(part: str) -> list[str]:
    """ "piano tuning 110 + 5% GST", "callout 95 + materials": a "+" after an amount joins two
    clauses; before one ("call-out fee + 1st hour 95") it joins the words of one description."""
    pieces: list[str] = []
    for piece in re.split(r"\s+\+\s+", part):
        if pieces and not re.search(r"\d", pieces[-1]):
            pieces[-1] = f"{pieces[-1]} + {piece}"
        else:
            pieces.append(piece)
    return pieces


def _split_words(part: str) -> list[str]:
    pieces = re.split(
        # "with" before "15% off" or "100 off" ties the discount to its line ("design at 90 with
        # 15% off"), also when another line follows ("... with 15% off and 2 hours of QA at 50").
        rf"\s+(?:and|&|plus|also|then|with(?!\s+(?:an?\s+)?{LINE_DISCOUNT}\s*\)?\s*(?:$|(?:and|&|plus)\s))|as well as)\s+(?={_CLAUSE_START})",
        part,
        flags=re.IGNORECASE,
    )
    out: list[str] = []
    for piece in pieces:
        # "logo design $400 and business cards $150", "2 days at 800/day plus expenses of 230.40":
        # two priced items joined by "and" or "plus". An "and"
        # or "&" before any amount ("Weber & Sons: consulting 1250 and travel 180") is part of a
        # name: the next one may still join two lines (stopping there made one line at 180).
        while True:
            match = next(
                (
                    m
                    for m in re.finditer(r"\s+(?:and|&|plus)\s+", piece)
                    if _joins_two_lines(piece[: m.start()], piece[m.end() :])
                    # "10 bath & tidy at 30 each": a count, one word and "&" is one thing's name
                    and not (m.group().strip() == "&" and _COUNT_AND_WORD.search(piece[: m.start()]))
                ),
                None,
            )
            if match is None:
                break
            out.append(piece[: match.start()])
            piece = piece[match.end() :]
        out.append(piece)
    return out


_COUNT_AND_WORD = re.compile(r"(?:^|[\s:–—-])\d+\s+[^\W\d_]+$")


def _joins_two_lines(left: str, right: str) -> bool:
    """Whether an "and" between `left` and `right` joins two priced lines."""
    return bool(
        find_money(left)
        # ("callout 95 and materials": a line that ends in its amount, then another thing; the
        # materials were dropped without a word, now their price is asked)
        and (find_money(right) or _ENDS_IN_PRICE.search(left) or _ENDS_IN_AMOUNT.search(left))
        and re.search(r"[A-Za-z]", right.split()[0] if right.split() else "")
    )


_ENDS_IN_AMOUNT = re.compile(r"[^\W\d_]\s+[$€£¥₹]?\d[\d,.']*\s*(?:[$€£¥₹]|[A-Z]{3})?$")
# "12 at 85 and tables": a line that ends in its price, then another thing (it was dropped).
_ENDS_IN_PRICE = re.compile(
    r"(?:\bat|@|\bfor|[-:])\s*[$€£]?\s?\d[\d,.']*\s*(?:[$€£]|[A-Z]{3}|each|ea|apiece|per\s+\w+|/\w+)?\s*$"
)
_CONNECTOR_RE = re.compile(
    r"^(?:(?:and|&|plus|also|then|with|as well as|please|pls|oh|ok|okay|so|actually|sorry|wait|oops)\b[,:]?\s*|[-–—*•·+]\s+|\d{1,2}[.)]\s+(?=\D)|"
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
    """A clause without its leading "and", "please", bullet or "Items:"; "" when it is only small talk."""
    raw = _POLITE_TAIL_RE.sub("", _CONNECTOR_RE.sub("", clause.strip()))
    clause = raw.strip(" .!?,:")
    if _ENDS_IN_ABBREVIATION.search(raw.rstrip(" ,:;")):
        clause += "."  # "Acme S.A.", "Globex Inc.": the full stop is the name's
    return "" if _SMALL_TALK_RE.match(clause) else clause


# "..., due next Friday pls": a polite word at the end says nothing about the document.
_POLITE_TAIL_RE = re.compile(
    r"(?:(?:[\s,]+|\s+[-–—]\s*)(?:please|pls|plz|thanks|thank\s+you|thx|ty|cheers))+[\s.!]*$", re.IGNORECASE
)

_ENDS_IN_ABBREVIATION = re.compile(
    # (and a street's: "301 Pier Ave.")
    r"\b(?:Inc|Ltd|Co|Corp|Bros|Jr|Sr|S\.A|S\.L|S\.L\.U|S\.R\.L|S\.A\.S|e\.K|L\.L\.C|Ave|Blvd|Rd|Ln|Ct|Dr|Pl|Pkwy|Hwy)\.$"
)
