"""JavaScript number semantics that SocialCalc relies on.

The engine converts every numeric field with ``Number(text)`` (``text - 0``) and writes numbers
with ``String(x)``. Python's ``float()`` and ``repr()`` differ in the corners (``"0x10"``, ``""``,
``"1_0"``, ``"inf"``; ``1e-07`` vs ``1e-7``; ``50.0`` vs ``50``), so both are reimplemented
here. Arithmetic itself is IEEE-754 double in both languages, so plain ``float`` operations give
the same bits as the engine.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal

__all__ = [
    "PLAIN_NUMBER_RE",
    "format_number",
    "is_plain_number",
    "js_ceil",
    "js_div",
    "js_floor",
    "js_fmod",
    "js_number",
    "js_round",
]

# What a careful writer emits: an optional sign, digits with an optional fraction, optional exponent.
PLAIN_NUMBER_RE = re.compile(r"^-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$")
_JS_DECIMAL_RE = re.compile(r"^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$")
_JS_WS = " \t\n\r\x0b\x0c\xa0\ufeff\u2028\u2029\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"


def is_plain_number(text: str) -> bool:
    """True for a plain decimal number (the only form the reference allows in numeric fields)."""
    return PLAIN_NUMBER_RE.match(text) is not None


def js_number(text: str) -> float:
    """JavaScript ``Number(text)``: blank → 0, hex/octal/binary literals, ``Infinity``, else NaN."""
    s = text.strip(_JS_WS)
    if not s:
        return 0.0
    if _JS_DECIMAL_RE.match(s):
        return float(s)
    low = s.lower()
    for prefix, base in (("0x", 16), ("0o", 8), ("0b", 2)):
        if low.startswith(prefix) and len(s) > 2:
            try:
                return float(int(s[2:], base))
            except ValueError:
                return math.nan
    if s in ("Infinity", "+Infinity"):
        return math.inf
    if s == "-Infinity":
        return -math.inf
    return math.nan


def format_number(x: float) -> str:
    """JavaScript ``String(x)`` for a double: shortest round-trip digits, JS exponent rules."""
    # The common case first (a finite number below 2^53; NaN fails the comparison too): this
    # runs for every numeric cell of every save.
    if -9007199254740992 < x < 9007199254740992:
        if x == int(x):  # exact integers print as integers (-0 prints as "0" too, as in JS)
            return str(int(x))
        # Python's repr and JavaScript's String both print the shortest round-trip digits; they
        # differ only in when they switch to exponent form (repr below 1e-4, JS below 1e-6), so
        # a repr without an exponent is already the JS text. Most money values take this path.
        text = repr(float(x))
        if "e" not in text:
            return text
    elif x != x:
        return "NaN"
    elif x in (math.inf, -math.inf):
        return "Infinity" if x > 0 else "-Infinity"
    sign, digits, exp = Decimal(repr(float(x))).as_tuple()
    ds = "".join(map(str, digits)).rstrip("0") or "0"
    assert isinstance(exp, int)
    # n is the position of the decimal point relative to the digit string (ECMA-262 Number::toString).
    k = len(ds)
    n = exp + len("".join(map(str, digits)))
    prefix = "-" if sign else ""
    if k <= n <= 21:
        return prefix + ds + "0" * (n - k)
    if 0 < n <= 21:
        return prefix + ds[:n] + "." + ds[n:]
    if -6 < n <= 0:
        return prefix + "0." + "0" * (-n) + ds
    e = n - 1
    mant = ds[0] + ("." + ds[1:] if k > 1 else "")
    return f"{prefix}{mant}e{'+' if e >= 0 else '-'}{abs(e)}"


def js_round(x: float) -> float:
    """JavaScript ``Math.round``: halves go towards +infinity (``-2.5`` → ``-2``)."""
    if x != x or x in (math.inf, -math.inf):
        return x
    r = math.floor(x)
    if x - r >= 0.5:
        r += 1
    return float(r)


def js_floor(x: float) -> float:
    """``Math.floor``: a float, and infinities and NaN pass through instead of raising."""
    return float(math.floor(x)) if math.isfinite(x) else x


def js_ceil(x: float) -> float:
    """``Math.ceil``: a float, and infinities and NaN pass through instead of raising."""
    return float(math.ceil(x)) if math.isfinite(x) else x


def js_fmod(a: float, b: float) -> float:
    """JavaScript ``%``: NaN for an infinite dividend or a zero divisor instead of raising."""
    if not math.isfinite(a) or b == 0 or b != b:
        return math.nan
    return math.fmod(a, b)


def js_div(a: float, b: float) -> float:
    """JavaScript division: x/0 is ±Infinity (NaN for 0/0) instead of an exception."""
    if b == 0:
        if a == 0 or a != a:
            return math.nan
        return math.copysign(math.inf, a) * (math.copysign(1.0, b))
    return a / b
