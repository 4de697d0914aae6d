"""Dates as people write them on an invoice, relative to a given `today` (never the clock).

Absolute dates are read by `dateutil` ("2026-12-01", "March 5", "5 March 2026", "12/01/2026",
month first when ambiguous); relative ones ("tomorrow", "in 2 weeks", "end of month", "next
Friday") are handled here because dateutil does not read them.
"""

from __future__ import annotations

import datetime as dt
import re

from dateutil import parser as date_parser
from dateutil.relativedelta import relativedelta

from docmesh_agent.builtin.words import MONTH_ABBREVIATIONS, MONTH_NAMES, SPAN_NUMBER_WORDS, WEEKDAYS

_UNIT_DAYS = {"day": 1, "week": 7}

RELATIVE_SPAN_RE = re.compile(
    r"(?P<n>\d+|" + "|".join(sorted(SPAN_NUMBER_WORDS, key=len, reverse=True)) + r")\s*"
    r"(?P<unit>business days?|working days?|days?|weeks?|months?|years?)\b",
    re.IGNORECASE,
)

_MONTHS = f"{MONTH_NAMES}|{MONTH_ABBREVIATIONS}"
# Something that looks like a calendar date: ISO, numeric with separators, or a month name with a day.
ABSOLUTE_DATE_RE = re.compile(
    rf"""
    \d{{4}}-\d{{1,2}}-\d{{1,2}}
    | \d{{1,2}}[/.]\d{{1,2}}(?:[/.]\d{{2,4}})?
    | (?:(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?)
    | (?:\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTHS})\.?(?:,?\s+\d{{4}})?)
    """,
    re.VERBOSE | re.IGNORECASE,
)


def word_number(text: str) -> int | None:
    """ "30" or "thirty" -> 30; None when it is neither."""
    text = text.strip().lower()
    if text.isdigit():
        return int(text)
    return SPAN_NUMBER_WORDS.get(text)


def span_days(n: int, unit: str, start: dt.date) -> tuple[dt.date, int | None]:
    """The date `n` units after `start`, and the span in days when it is a whole number of days.

    Business days skip Saturdays and Sundays. Months and years are calendar months and years
    (Jan 31 + 1 month = Feb 28), which have no fixed "Net N" length.
    """
    unit = unit.lower()
    if unit.startswith(("business", "working")):
        day, left = start, n
        while left:
            day += dt.timedelta(days=1)
            if day.weekday() < 5:
                left -= 1
        return day, None
    unit = unit.rstrip("s")
    if unit in _UNIT_DAYS:
        days = n * _UNIT_DAYS[unit]
        return start + dt.timedelta(days=days), days
    if unit == "month":
        return start + relativedelta(months=n), None
    return start + relativedelta(years=n), None


_SHORT_DAYS = "mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun"


def parse_date(text: str, today: dt.date, *, future: bool = True) -> dt.date | None:
    """A single date phrase to a date, or None when it is not one.

    `future` picks the next occurrence of a date written without a year ("March 5" on
    2026-06-01 is 2027-03-05); otherwise the most recent one.
    """
    phrase = " ".join(text.strip().strip(".,;").lower().split())
    phrase = re.sub(r"^(?:on|by|at|the|for)\s+", "", phrase)
    phrase = re.sub(r"^(?:the\s+)", "", phrase)
    # "Wed 18th", "Friday, March 20": the weekday before a written date only names its day.
    phrase = re.sub(
        r"^(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*\.?,?\s+(?:the\s+)?(?=\d|[a-z]{3,}\s+\d)",
        "",
        phrase,
    )
    if not phrase:
        return None
    simple = {"today": 0, "now": 0, "tomorrow": 1, "yesterday": -1, "the day after tomorrow": 2}
    if phrase in simple:
        return today + dt.timedelta(days=simple[phrase])
    if phrase in ("end of month", "end of the month", "eom", "month end", "end of this month"):
        return today + relativedelta(day=31)
    match = re.fullmatch(rf"end\s+of\s+({MONTH_NAMES})(?:\s+(\d{{4}}))?", phrase)
    if match:
        # "the end of April": its last day, this year unless a year is written.
        month = MONTH_NAMES.split("|").index(match.group(1)) + 1
        year = int(match.group(2)) if match.group(2) else today.year
        return dt.date(year, month, 1) + relativedelta(day=31)
    if phrase in ("end of next month", "end of the next month"):
        return today + relativedelta(months=1, day=31)
    if phrase in ("next week",):
        return today + dt.timedelta(days=7)
    if phrase in ("next month",):
        return today + relativedelta(months=1)
    match = re.fullmatch(r"(?:the\s+)?(\d{1,2})(?:st|nd|rd|th)(?:\s+of\s+(?:the|this)\s+month)?", phrase)
    if match:
        # "the 15th": that day this month, or next month when it has passed.
        day = int(match.group(1))
        if not 1 <= day <= 31:
            return None
        candidate = today + relativedelta(day=day)
        if candidate < today:
            candidate = today + relativedelta(months=1, day=day)
        return candidate
    match = re.fullmatch(
        r"(?:(next|this|last)\s+)?(" + "|".join(WEEKDAYS) + r"|" + _SHORT_DAYS + r")\.?", phrase
    )
    if match:
        which, name = match.groups()
        # "next fri", "due thurs": a weekday written short is that weekday.
        target = next(i for i, day in enumerate(WEEKDAYS) if day.startswith(name[:3]))
        if which == "last":
            delta = (today.weekday() - target) % 7 or 7
            return today - dt.timedelta(days=delta)
        delta = (target - today.weekday()) % 7 or 7
        if which == "next" and delta < 3:
            # "next Friday" said on a Thursday or Wednesday is not the one a day or two away
            # (that one is "this Friday", "Friday" or "tomorrow"): it is the week after. Said
            # earlier in the week it is this week's (the corpus's reading on a Tuesday).
            delta += 7
        return today + dt.timedelta(days=delta)
    match = re.fullmatch(r"in\s+" + RELATIVE_SPAN_RE.pattern, phrase, re.IGNORECASE)
    if match:
        n = word_number(match.group("n"))
        if n is not None:
            return span_days(n, match.group("unit"), today)[0]
    match = re.fullmatch(RELATIVE_SPAN_RE.pattern + r"\s+ago", phrase, re.IGNORECASE)
    if match:
        n = word_number(match.group("n"))
        if n is not None:
            unit = match.group("unit").lower().rstrip("s")
            if unit == "day":
                return today - dt.timedelta(days=n)
            if unit == "week":
                return today - dt.timedelta(days=7 * n)
            if unit == "month":
                return today - relativedelta(months=n)
    if not ABSOLUTE_DATE_RE.fullmatch(phrase):
        return None
    return _absolute(phrase, today, future=future)


def _absolute(phrase: str, today: dt.date, *, future: bool) -> dt.date | None:
    default = dt.datetime(today.year, today.month, today.day)
    try:
        parsed = date_parser.parse(phrase, default=default, dayfirst=False, fuzzy=False).date()
    except (ValueError, OverflowError):
        return None
    has_year = bool(re.search(r"\d{4}|[/.]\d{2}$", phrase))
    if not has_year:
        if future and parsed < today:
            parsed = parsed + relativedelta(years=1)
        elif not future and parsed > today:
            parsed = parsed - relativedelta(years=1)
    return parsed


def month_period(text: str, today: dt.date) -> tuple[dt.date, dt.date] | None:
    """ "February 2026" or "February": its first and last day (this year unless written)."""
    match = re.fullmatch(rf"({MONTH_NAMES})(?:\s+(\d{{4}}))?", " ".join(text.lower().split()))
    if not match:
        return None
    month = MONTH_NAMES.split("|").index(match.group(1)) + 1
    start = dt.date(int(match.group(2)) if match.group(2) else today.year, month, 1)
    return start, start + relativedelta(day=31)


def date_this_year(text: str, today: dt.date) -> dt.date | None:
    """A date phrase where a day and month without a year are in this year ("delivered on March 2",
    "January 1 to March 31"); relative phrases count from today."""
    when = parse_date(text, today)
    if when is not None and when.year != today.year and not re.search(r"\d{4}", text):
        when = when.replace(year=today.year)
    return when
