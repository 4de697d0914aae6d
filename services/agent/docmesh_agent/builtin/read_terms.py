"""Reading when a document is dated and due: "due in 30 days", "net 15", "due on receipt",
"due March 5", "issued yesterday", "valid for 30 days", "payment terms: 50% upfront"."""

from __future__ import annotations

import datetime as dt
import re

from docmesh_agent.builtin.dates import (
    RELATIVE_SPAN_RE,
    date_this_year,
    month_period,
    parse_date,
    span_days,
    word_number,
)
from docmesh_agent.builtin.drafts import Draft, DueSpec
from docmesh_agent.builtin.labels import capitalised
from docmesh_agent.builtin.words import MONTH_NAMES

_DUE_IN = re.compile(
    rf"^(?:(?:payment|payable|it'?s|it\s+is|is)\s+)*(?:due|payable)\s+(?:(?:with)?in\s+)?{RELATIVE_SPAN_RE.pattern}"
    r"(?:\s+(?:of|from|after)\s+(?:the\s+)?(?:issue|invoice)(?:\s+date)?)?$",
    re.IGNORECASE,
)
_WITHIN = re.compile(
    rf"^(?:pay(?:able)?|payment|settle(?:ment)?)(?:\s+(?:is\s+)?due)?\s+(?:with)?in\s+{RELATIVE_SPAN_RE.pattern}(?:\s+net)?$",
    re.IGNORECASE,
)
_DAYS_TERMS = re.compile(
    r"^(?P<n>\d{1,3})[\s-]*(?P<unit>days?|weeks?)\s+(?:payment\s+terms|terms|to\s+pay|credit)$", re.IGNORECASE
)
_NET = re.compile(
    r"^(?:(?:payment\s+)?terms?\s*(?:are|:|is)?\s*)?(?:net[\s-]?(?P<n>\d{1,3})(?:\s+days)?|(?P<n2>\d{1,3})\s+days\s+net)"
    r"(?:\s+terms)?$",
    re.IGNORECASE,
)
_ON_RECEIPT = re.compile(
    r"^(?:(?:payment\s+)?(?:terms?\s*:?\s*)?)?(?:payment\s+)?(?:is\s+)?(?:due|payable)\s+(?:on|upon)\s+receipt$",
    re.IGNORECASE,
)
# "balance due on delivery", "rest payable on completion": when the rest is paid, said as terms.
_ON_EVENT = re.compile(
    r"^(?:the\s+)?(?P<what>balance|rest|remainder)(?:\s+(?:is|to\s+be|will\s+be))?\s+(?:due|payable|paid)\s+"
    r"(?:on|at|upon)\s+(?P<event>delivery|completion|pick-?\s?up|collection|installation|handover)$",
    re.IGNORECASE,
)
_DUE_DATE = re.compile(
    r"^(?:(?:payment|it'?s|it\s+is|is)\s+)*(?:due|payable)(?:\s+date)?\s*(?:on|by|:|is|date\s+is)?\s*(?P<date>.+)$",
    re.IGNORECASE,
)
# "payment in 3 installments": terms written as said (the amounts of each are not guessed).
_INSTALLMENTS = re.compile(
    r"^(?:payment|pay(?:able)?|paid)\s+in\s+\d+\s+(?:install?ments?|payments|parts|tranches)$"
    # "50% upfront", "30% deposit, rest on completion": how the total is paid, kept as the terms
    r"|^\d{1,2}\s*%\s+(?:upfront|up\s+front|deposit|in\s+advance|on\s+signing|now)"
    r"(?:\s+(?:to\s+(?:book|start|confirm)|required|needed|on\s+signing|on\s+acceptance))?$",
    re.IGNORECASE,
)
# "payment terms: 30 days": the terms' days.
_DAYS_TERMS_BARE = re.compile(r"^(?P<n>\d{1,3})(?P<n2>)\s+days$", re.IGNORECASE)
_TERMS = re.compile(r"^(?:payment\s+)?terms\s*(?::|are|is)?\s*(?P<terms>.+)$", re.IGNORECASE)
_ISSUED = re.compile(
    r"^(?:(?:it\s+was|was)\s+)?(?:issued|dated|date|issue\s+date|invoice\s+date|created)\s*(?:on|:|is)?\s*(?P<date>.+)$",
    re.IGNORECASE,
)
_VALID = re.compile(
    rf"^(?:the\s+)?(?:quote\s+|offer\s+|estimate\s+|prices?\s+)?(?:is\s+|are\s+)?(?:valid|good)\s+(?:(?:for\s+)?{RELATIVE_SPAN_RE.pattern}|"
    r"(?:until|till|through|thru|to|up\s+to)\s+(?P<date>.+))$",
    re.IGNORECASE,
)

# When goods are delivered or a service is done: fields of the document, never line items.
_DELIVERY = re.compile(
    # ("need them delivered on the 27th", "we want it delivered by Friday": who wants it, then when)
    r"^(?:(?:we|i)\s+)?(?:(?:need|want|would\s+like)\s+(?:it|them|these|those|this|everything|the\s+goods)\s+)?"
    # ("ship by Friday", "to be shipped on March 20": when the goods leave, the date they are due)
    r"(?:(?:to\s+be|please|was|were|goods|it\s+was|the|set\s+the)\s+)*(?:deliver(?:ed|y)?|delivery\s+date|ship(?:ped)?(?=\s+(?:by|on|before)\b)|"
    # "need them by the 20th", "required by March 5": when the goods must arrive.
    r"(?:we\s+|i\s+)?(?:need(?:ed)?|required|wanted)(?:\s+(?:it|them|these|those|this))?(?=\s+(?:by|on|before)\b))"
    r"(?:\s+(?:on|by|before|date|is|will\s+be|should\s+be|to)\b|\s*:)*\s*(?P<date>.+)$",
    re.IGNORECASE,
)
# "service period February 2026", "for the period March 1-15", "covering January 1 to March 31",
# "from March 1 to March 20": what the period words lead, read by `_period` (a month or a range of
# dates), never a line.
_SERVICE_PERIOD = re.compile(
    r"^(?:(?:for\s+|the\s+|set\s+the\s+)*(?:service|billing)\s+period|(?:for\s+)?(?:the\s+)?period|"
    r"services?\s+(?:from|for|in)|cover(?:s|ing)|from|during|for|in|"
    # "work done 2/2 thru 2/27", "services rendered March 1-15": when the work billed was done.
    r"(?:(?:the\s+)?(?:work|services?|jobs?|visits?)\s+)?(?:done|performed|rendered|carried\s+out|provided)"
    r"(?:\s+(?:from|between|during))?)\b\s*(?:(?:of|from|is|will\s+be|to)\b|:)?\s*"
    r"(?P<period>.+)$",
    re.IGNORECASE,
)
_RANGE = re.compile(
    r"^(?P<a>.+?)\s*(?:-|–|to|through|thru|until|till)\s*(?P<b>.+)$",
    re.IGNORECASE,
)


# "2-27 March", "2 to 27 March": the days first, then their month (as "March 2-27").
_DAYS_THEN_MONTH = re.compile(
    rf"^(?P<a>\d{{1,2}})\s*(?:-|–|to|through|until|till)\s*(?P<b>\d{{1,2}})\s+(?P<month>(?:{MONTH_NAMES})(?:\s+\d{{4}})?)$",
    re.IGNORECASE,
)


def _period(text: str, today: dt.date) -> tuple[dt.date, dt.date] | None:
    """ "February 2026", "March 1-15", "January 1 to March 31": first and last day."""
    whole = month_period(text, today)
    if whole is not None:
        return whole
    text = _DAYS_THEN_MONTH.sub(r"\g<month> \g<a>-\g<b>", text.strip())
    months = re.match(
        r"^(?P<a>.+?)\s+(?:-|–|to|through|thru|until|till|and)\s+(?P<b>.+)$", text, re.IGNORECASE
    )
    if months:
        # "January and February", "January to March 2026": from the first month's first day to the
        # last month's last day.
        first, last = month_period(months.group("a"), today), month_period(months.group("b"), today)
        if first is not None and last is not None and first[0] <= last[1]:
            return first[0], last[1]
    match = _RANGE.match(text)
    if not match:
        return None
    start = date_this_year(match.group("a"), today)
    b = match.group("b").strip()
    if start is None:
        return None
    # "March 1-15": the end is a day of the start's month.
    end = start.replace(day=int(b)) if b.isdigit() and 1 <= int(b) <= 31 else date_this_year(b, today)
    if end is None or end < start:
        return None
    return start, end


# "due in 14 days without deduction", "payable within 30 days strictly net": a remark that the
# whole amount is to be paid, said after the terms (it made the terms an unpriced line).
_NO_DEDUCTION = re.compile(
    r"\s*,?\s+(?:without\s+(?:any\s+)?(?:deductions?|discount)|no\s+deductions?|strictly(?:\s+net)?|net)\s*$",
    re.IGNORECASE,
)
# The same remark as a clause of its own ("net 30, without deduction"): nothing to write.
_NO_DEDUCTION_ALONE = re.compile(
    r"^(?:without\s+(?:any\s+)?|no\s+)deductions?$|^strictly\s+net$", re.IGNORECASE
)


def read_terms(text: str, d: Draft, today: dt.date) -> bool:
    """Read a clause about dates or payment terms into `d`; False when it is none."""
    if _NO_DEDUCTION_ALONE.match(text):
        return True
    terms = _NO_DEDUCTION.sub("", text)
    if terms != text and terms.strip() and _read_terms(terms, d, today):
        return True
    return _read_terms(text, d, today)


def _read_terms(text: str, d: Draft, today: dt.date) -> bool:
    match = _DELIVERY.match(text)
    if match:
        when = date_this_year(match.group("date"), today)
        if when is not None:
            d.delivery_date = when
            return True
    match = _SERVICE_PERIOD.match(text)
    if match:
        try:
            period = _period(match.group("period"), today)
        except ValueError:  # "February 1-31": no such day
            period = None
        if period is not None:
            d.service_period = period
            return True
        if re.match(r"^(?:the\s+)?(?:service|billing)\s+period\b", text, re.IGNORECASE) and not re.search(
            r"\b(?:at|for|costs?)\b|[@$€£¥]", match.group("period"), re.IGNORECASE
        ):
            # A service period we cannot read is asked about, never a line priced at its digits
            # ("service period 01.02.–28.02.2026" was a line at 1.02).
            d.unclear.append(
                f"What is the service period in “{text}”? Say for example “service period March 1 to March 31”."
            )
            return True
    match = _ON_EVENT.match(text)
    if match:
        d.payment_terms = f"{match.group('what').capitalize()} due on {match.group('event').lower()}"
        return True
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
        d.due = DueSpec.after(n, match.group("unit"))
        if d.due.days is not None:
            d.payment_terms = f"Net {d.due.days}"
        return True
    match = _NET.match(text)
    if match:
        days = int(match.group("n") or match.group("n2"))
        d.due = DueSpec(days=days)
        d.payment_terms = f"Net {days}"
        return True
    match = _VALID.match(text)
    if match:
        if match.group("date"):
            when = parse_date(match.group("date"), today)
            if when is None:
                return False
            d.valid_until = when
        else:
            n = word_number(match.group("n"))
            if n is None:
                return False
            d.valid_until = span_days(n, match.group("unit"), today)[0]
        return True
    match = _DUE_DATE.match(text)
    if match:
        when = parse_date(match.group("date"), today)
        if when is None:
            return False
        d.due = DueSpec(date=when)
        return True
    match = _ISSUED.match(text)
    if match:
        when = parse_date(match.group("date"), today, future=False)
        if when is None:
            return False
        d.issue_date = when
        return True
    if _INSTALLMENTS.match(text):
        d.payment_terms = capitalised(text)
        return True
    match = _TERMS.match(text)
    if match:
        terms = match.group("terms").strip()
        net = _NET.match(terms) or _DAYS_TERMS_BARE.match(terms)
        if net:
            days = int(net.group("n") or net.group("n2"))
            d.due = DueSpec(days=days)
            d.payment_terms = f"Net {days}"
        else:
            d.payment_terms = capitalised(terms)
        return True
    return False


# "Unterhaltsreinigung Februar 2026", "office cleaning (March)", "lawn care - April": a month
# ending what a line is for is the service period, and the line is what is left. A month said
# with "of" ("gestión de nóminas de febrero", "payroll of March") names the thing sold, and stays.
_MONTH_ENDING = re.compile(
    rf"(?:\s+(?:for|in|[-–—]))?(?<!\bof)(?<!\bde)(?<!\bdel)(?<!\bd')\s+\(?(?P<month>(?:{MONTH_NAMES})(?:\s+\d{{4}})?)\)?$",
    re.IGNORECASE,
)


def take_month_of_service(description: str, d: Draft, today: dt.date) -> str:
    """The description without a month ending it, which becomes the draft's service period; the
    description as it is when nothing is left of it or another period was said."""
    match = _MONTH_ENDING.search(description)
    if match is None or not description[: match.start()].strip():
        return description
    period = month_period(match.group("month"), today)
    if period is None or (d.service_period is not None and d.service_period != period):
        return description
    d.service_period = period
    return description[: match.start()]
