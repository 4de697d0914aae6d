"""SocialCalc value types: how they combine, how a number shows as text, how typed text reads.

A value type is ``n`` (number) or a number subtype (``n%``, ``n$``, ``nd``, ``nt``, ``ndt``,
``nl``), ``t`` or a text subtype (``th``, ``tw``, ``tl``, ``tr``), ``b`` (blank) or an error
``e#…``. The engine decides the type of every result from constant tables
(:data:`TYPES`, ``LookupResultType``); :func:`display_number` is
``format_number_for_display`` with a type's default format (used by ``&``, comparisons and
criteria), and :func:`determine_value_type` is ``DetermineValueType`` (used by ``VALUE``,
criteria and text read as a number). Dates are day serials counted from 1899-12-30, as in the
engine (:func:`julian_to_ymd`, :func:`ymd_to_julian`).
"""

from __future__ import annotations

import math
import re
from typing import Any

from docmesh_document.msc.jsmath import js_log, js_pow
from docmesh_document.msc.jsnum import format_number, js_number

__all__ = [
    "INPUT_CONSTANTS",
    "JULIAN_OFFSET",
    "PLUS",
    "TYPES",
    "determine_value_type",
    "display_number",
    "julian_to_ymd",
    "lookup_type",
    "ymd_to_julian",
]

JULIAN_OFFSET = 2415019


# ---------------------------------------------------------------- type lookup tables


def _parse_table(spec: dict[str, str]) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for t1, rules in spec.items():
        d: dict[str, str] = {}
        for item in rules.strip("|").split("|"):
            k, _, v = item.partition(":")
            d[k] = v
        out[t1] = d
    return out


_T = _parse_table
TYPES = {
    "unaryminus": _T({"n*": "|n*:1|", "e*": "|e*:1|", "t*": "|t*:e#VALUE!|", "b": "|b:n|"}),
    "unarypercent": _T({"n*": "|n:n%|n*:n|", "e*": "|e*:1|", "t*": "|t*:e#VALUE!|", "b": "|b:n|"}),
    "plus": _T(
        {
            "n%": "|n%:n%|nd:n|nt:n|ndt:n|n$:n|n:n|n*:n|b:n|e*:2|t*:e#VALUE!|",
            "nd": "|n%:n|nd:nd|nt:ndt|ndt:ndt|n$:n|n:nd|n*:n|b:n|e*:2|t*:e#VALUE!|",
            "nt": "|n%:n|nd:ndt|nt:nt|ndt:ndt|n$:n|n:nt|n*:n|b:n|e*:2|t*:e#VALUE!|",
            "ndt": "|n%:n|nd:ndt|nt:ndt|ndt:ndt|n$:n|n:ndt|n*:n|b:n|e*:2|t*:e#VALUE!|",
            "n$": "|n%:n|nd:n|nt:n|ndt:n|n$:n$|n:n$|n*:n|b:n|e*:2|t*:e#VALUE!|",
            "nl": "|n%:n|nd:n|nt:n|ndt:n|n$:n|n:n|n*:n|b:n|e*:2|t*:e#VALUE!|",
            "n": "|n%:n|nd:nd|nt:nt|ndt:ndt|n$:n$|n:n|n*:n|b:n|e*:2|t*:e#VALUE!|",
            "b": "|n%:n%|nd:nd|nt:nt|ndt:ndt|n$:n$|n:n|n*:n|b:n|e*:2|t*:e#VALUE!|",
            "t*": "|ni:1|n*:e#VALUE!|t*:e#VALUE!|b:e#VALUE!|e*:2|",
            "n*": "|ni:1|e*:2|",
            "e*": "|e*:1|n*:1|t*:1|b:1|",
        }
    ),
    "concat": _T(
        {
            "t": "|t:t|th:th|tw:tw|tl:t|tr:tr|t*:2|e*:2|",
            "th": "|t:th|th:th|tw:t|tl:th|tr:t|t*:t|e*:2|",
            "tw": "|t:tw|th:t|tw:tw|tl:tw|tr:tw|t*:t|e*:2|",
            "tl": "|t:tl|th:th|tw:tw|tl:tl|tr:tr|t*:t|e*:2|",
            "t*": "|t*:t|e*:2|",
            "e*": "|e*:1|n*:1|t*:1|",
        }
    ),
    "oneargnumeric": _T({"n*": "|n*:n|", "e*": "|e*:1|", "t*": "|t*:e#VALUE!|", "b": "|b:n|"}),
    "twoargnumeric": _T(
        {"n*": "|n*:n|t*:e#VALUE!|e*:2|", "e*": "|e*:1|n*:1|t*:1|", "t*": "|t*:e#VALUE!|n*:e#VALUE!|e*:2|"}
    ),
    "propagateerror": _T({"n*": "|n*:2|e*:2|", "e*": "|e*:2|", "t*": "|t*:2|e*:2|", "b": "|b:2|e*:2|"}),
}
TYPES["unaryplus"] = TYPES["unaryminus"]
PLUS = TYPES["plus"]


_LOOKUP_MEMO: dict[tuple[str, str, int], str] = {}


def lookup_type(t1: str, t2: str, table: dict[str, dict[str, str]]) -> str:
    """Port of ``LookupResultType`` (memoised: the tables are constant)."""
    key = (t1, t2, id(table))
    hit = _LOOKUP_MEMO.get(key)
    if hit is None:
        hit = _LOOKUP_MEMO[key] = _lookup_type(t1, t2, table)
    return hit


def _lookup_type(t1: str, t2: str, table: dict[str, dict[str, str]]) -> str:
    row = table.get(t1)
    if row is None:
        row = table.get(t1[:1] + "*")
        if row is None:
            # The engine's own message becomes the value type (e.g. for the empty text ""
            # read as a number, whose type is ""); it is still an e#VALUE! error.
            return f"e#VALUE! (internal error, missing LookupResultType {t1[:1]}*)"
    r = row.get(t2)
    if r is None:
        r = row.get(t2[:1] + "*")
        if r is None:
            return "e#VALUE!"
    if r == "1":
        return t1
    if r == "2":
        return t2
    return r


# ---------------------------------------------------------------- number display (for & and compares)
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def _general(value: float) -> str:
    # formatNumberWithFormat "General": cut to 14 significant digits to hide float artifacts.
    if not math.isfinite(value):
        return "NaN"  # formatNumberWithFormat prints any non-finite number as NaN
    if "e" in format_number(float(math.floor(abs(value) + 0.5))):
        return format_number(value)  # >= 1e21: the engine returns String(value) unchanged
    neg = value < 0
    v = -value if neg else value
    if v != 0:
        factor = math.floor(math.log10(math.e) * js_log(v))
        scale = js_pow(10.0, 13.0 - factor)
        v = math.floor(scale * v + 0.5) / scale
        if not math.isfinite(v):
            return "NaN"
    return ("-" if neg else "") + format_number(v)


def _fixed(value: float, digits: int, commas: bool) -> str:
    scale = 10**digits
    v = math.floor(abs(value) * scale + 0.5) / scale
    s = f"{v:,.{digits}f}" if commas else f"{v:.{digits}f}"
    return ("-" if value < 0 and v != 0 else "") + s


def julian_to_ymd(jd: int) -> tuple[int, int, int]:
    """Port of ``convert_date_julian_to_gregorian``."""
    L = jd + 68569
    N = (4 * L) // 146097
    L = L - (146097 * N + 3) // 4
    i = (4000 * (L + 1)) // 1461001
    L = L - (1461 * i) // 4 + 31
    j = (80 * L) // 2447
    k = L - (2447 * j) // 80
    L = j // 11
    j = j + 2 - 12 * L
    i = 100 * (N - 49) + i + L
    return i, j, k


def _intfunc(n: float) -> int:
    return -math.floor(-n) if n < 0 else math.floor(n)


def ymd_to_julian(year: int, month: int, day: int) -> int:
    """Port of ``convert_date_gregorian_to_julian`` (JS division, truncation towards zero)."""
    jd = day - 32075 + _intfunc(1461 * (year + 4800 + _intfunc((month - 14) / 12)) / 4)
    jd += _intfunc(367 * (month - 2 - _intfunc((month - 14) / 12) * 12) / 12)
    jd -= _intfunc(3 * _intfunc((year + 4900 + _intfunc((month - 14) / 12)) / 100) / 4)
    return jd


def display_number(value: float, vtype: str) -> str:
    """``format_number_for_display(value, type, "")``: a number as text with its type's default format."""
    sub = vtype[1:]
    if not math.isfinite(value) and sub != "l":
        return "NaN"
    if sub == "l":
        return "TRUE" if value else "FALSE"
    if sub == "%":
        return _fixed(value * 100, 1, True) + "%"
    if sub == "$":
        s = _fixed(value, 2, True)
        return ("-$" + s[1:]) if s.startswith("-") else "$" + s
    if sub in ("d", "t", "dt") and math.isfinite(value):
        return _date_time(value, sub)
    return _general(value)


def _date_time(raw: float, sub: str) -> str:
    """The default formats d-mmm-yyyy (nd), [h]:mm:ss (nt) and d-mmm-yyyy h:mm:ss (ndt)."""
    if raw < 0:
        return "??-???-??&nbsp;??:??:??"  # the engine's text for a negative date or time
    start = (raw - math.floor(raw)) * 86400
    estart = raw * 86400
    hrs = math.floor(start / 3600)
    ehrs = math.floor(estart / 3600)
    start -= hrs * 3600
    mins = math.floor(start / 60)
    secs = math.floor(start - mins * 60 + 0.5)
    if secs >= 60:  # rounding carried into the next minute (and so on)
        secs = 0
        mins += 1
        if mins >= 60:
            mins = 0
            hrs += 1
            ehrs += 1
            if hrs >= 24:
                hrs = 0
                raw += 1
    if sub == "t":
        return f"{ehrs}:{mins:02d}:{secs:02d}"
    y, m, d = julian_to_ymd(math.floor(raw + JULIAN_OFFSET))
    date = f"{d}-{_MONTHS[m - 1]}-{y}"
    return date if sub == "d" else f"{date} {hrs}:{mins:02d}:{secs:02d}"


# ---------------------------------------------------------------- DetermineValueType (VALUE, criteria)

_RE_NUM = re.compile(r"^[-+]?\d*(?:\.)?\d*(?:[eE][-+]?\d+)?$")
_RE_PCT = re.compile(r"^[-+]?\d*(?:\.)?\d*\s*%$")
_RE_CUR = re.compile(r"^[-+]?\$\s*\d*(?:\.)?\d*\s*$")
_RE_COMMA = re.compile(r"^[-+]?(\d*,\d*)+(?:\.)?\d*$")
_RE_COMMA_PCT = re.compile(r"^[-+]?(\d*,\d*)+(?:\.)?\d*\s*%$")
_RE_COMMA_CUR = re.compile(r"^[-+]?\$\s*(\d*,\d*)+(?:\.)?\d*$")
_RE_MDY = re.compile(r"^(\d{1,2})[/\-](\d{1,2})[/\-](\d{1,4})\s*$")
_RE_YMD = re.compile(r"^(\d{4})[/\-](\d{1,2})[/\-](\d{1,2})\s*$")
_RE_HM = re.compile(r"^(\d{1,2}):(\d{1,2})\s*$")
_RE_HMS = re.compile(r"^(\d{1,2}):(\d{1,2}):(\d{1,2})\s*$")
INPUT_CONSTANTS = {
    "TRUE": (1.0, "nl"),
    "FALSE": (0.0, "nl"),
    "#N/A": (0.0, "e#N/A"),
    "#NULL!": (0.0, "e#NULL!"),
    "#NUM!": (0.0, "e#NUM!"),
    "#DIV/0!": (0.0, "e#DIV/0!"),
    "#VALUE!": (0.0, "e#VALUE!"),
    "#REF!": (0.0, "e#REF!"),
    "#NAME?": (0.0, "e#NAME?"),
}


def determine_value_type(raw: str) -> tuple[Any, str]:
    """Port of the common cases of ``DetermineValueType``: how typed text is read."""
    value = raw
    tv = value.strip()
    if not value:
        return value, ""
    if not tv:
        return value, "t"
    if _RE_NUM.match(tv):
        n = js_number(tv)
        return (raw, "t") if n != n else (n, "n")
    if _RE_PCT.match(tv):
        return js_number(tv[:-1]) / 100, "n%"
    if _RE_CUR.match(tv) and re.search(r"\d", tv):
        return js_number(tv.replace("$", "", 1)), "n$"
    if _RE_COMMA.match(tv):
        return js_number(tv.replace(",", "")), "n"
    if _RE_COMMA_PCT.match(tv):
        return js_number(re.sub(r"[%,]", "", tv)) / 100, "n%"
    if _RE_COMMA_CUR.match(tv) and re.search(r"\d", tv):
        return js_number(re.sub(r"[$,]", "", tv)), "n$"
    m = _RE_MDY.match(value)
    if m:
        y = int(m.group(3))
        y = y + 2000 if y < 1000 else y
        return float(ymd_to_julian(y, int(m.group(1)), int(m.group(2))) - JULIAN_OFFSET), "nd"
    m = _RE_YMD.match(value)
    if m:
        y = int(m.group(1))
        y = y + 2000 if y < 1000 else y
        return float(ymd_to_julian(y, int(m.group(2)), int(m.group(3))) - JULIAN_OFFSET), "nd"
    m = _RE_HM.match(value)
    if m:
        h, mi = int(m.group(1)), int(m.group(2))
        if h < 24 and mi < 60:
            return h / 24 + mi / (24 * 60), "nt"
        return value, "t"
    m = _RE_HMS.match(value)
    if m:
        h, mi, se = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if h < 24 and mi < 60 and se < 60:
            return h / 24 + mi / (24 * 60) + se / (24 * 60 * 60), "nt"
        return value, "t"
    const = INPUT_CONSTANTS.get(value.upper())
    if const:
        return const
    if len(tv) > 7 and tv[:7].lower() == "http://":
        return tv, "tl"
    if re.search(r"<([A-Z][A-Z0-9]*)\b[^>]*>[\s\S]*?</\1>", tv, re.IGNORECASE):
        return tv, "th"
    return value, "t"
