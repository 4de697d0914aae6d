"""Formula evaluation with SocialCalc's semantics (port of ``formula1.js`` ``EvaluatePolish``).

Values are typed like the engine's operands: ``(type, value)`` where the type is a SocialCalc
value type (``n``, ``n%``, ``n$``, ``nd``, ``nl``, ``t``, ``b``, ``e#DIV/0!``, ``e`` …) or one of
the stack-only types ``coord``, ``range``, ``name`` and ``start``. Numbers are Python floats,
which are IEEE doubles like JavaScript numbers, so the same operations give the same bits;
the places where JavaScript differs from Python (``Math.round``, ``Number()``, ``String(x)``,
``Math.pow``/``log``/``exp``, floor and ``%`` of infinities) go through
:mod:`docmesh_document.msc.jsnum` and :mod:`docmesh_document.msc.jsmath`.

Ranges on the stack are ``(c1, r1, c2, r2, seq)`` tuples; stepping through one is O(1) per cell
(the engine re-parses a string each step).

Implemented functions (:data:`IMPLEMENTED`): all 117 SocialCalc functions that compute a value.
The 23 EtherCalc widget/side-effect functions (BUTTON, EMAIL, …) evaluate to an ``e`` value
saying that docmesh does not evaluate them; the validator flags them. Not bit-identical with
V8 yet: the trigonometric functions (SIN, COS, TAN, ATAN, ASIN, ACOS, ATAN2 use the C library,
which differs from V8 in the last bit for a few percent of arguments) and ``Math.pow`` (the
fdlibm port differs from V8 in the last bit for about 3 % of arguments).
"""

from __future__ import annotations

import math
import random
import re
import time
from collections.abc import Callable, Iterator
from typing import Any

from docmesh_document.msc.coords import MAX_COL, col_name
from docmesh_document.msc.formula import (
    FUNCTIONS,
    PROG_COORD,
    PROG_NAME,
    PROG_NUM,
    PROG_OP,
    PROG_START,
    PROG_STRING,
    CompiledFormula,
    compile_formula,
)
from docmesh_document.msc.jsmath import js_exp, js_log, js_pow
from docmesh_document.msc.jsnum import format_number, js_number, js_round
from docmesh_document.msc.model import Name

__all__ = ["IMPLEMENTED", "EvalContext", "Result", "display_number", "evaluate", "evaluate_text"]

Operand = list[Any]  # [type, value]; a list because the engine mutates operands in place
Result = tuple[Any, str, str]  # (value, type, error text)

ERR_MISSING_OPERAND = "Missing operand. "
ERR_IN_FORMULA = "Error in formula."
ERR_CELLREF_MISSING = "Cell reference missing when expected."
ERR_SHEET_UNAVAILABLE = "Sheet unavailable:"
JULIAN_OFFSET = 2415019


class EvalContext:
    """What a formula can see: cell values and names of one sheet."""

    __slots__ = ("cells", "lastrow", "name_walk", "names")

    def __init__(self, cells: dict[str, Any], names: dict[str, Name], lastrow: int = 1) -> None:
        self.cells = cells  # coord -> object with .valuetype and .value (model.Cell)
        self.names = names
        self.lastrow = lastrow
        self.name_walk: set[str] | None = None

    def cell_tv(self, coord: str) -> tuple[str, Any]:
        cell = self.cells.get(coord)
        if cell is None:
            return "b", 0
        vt = cell.valuetype or "b"
        if vt == "b":
            return "b", 0
        return vt, cell.value


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
_PLUS = TYPES["plus"]
_COMPARE_OPS = frozenset(("<", "L", "=", "G", ">", "N"))


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


def _jsfloor(x: float) -> float:
    """Math.floor: a float, and infinities and NaN pass through instead of raising."""
    return float(math.floor(x)) if math.isfinite(x) else x


def _jsceil(x: float) -> float:
    return float(math.ceil(x)) if math.isfinite(x) else x


def _jsfmod(a: float, b: float) -> float:
    """JavaScript %: NaN for an infinite dividend or a zero divisor instead of raising."""
    if not math.isfinite(a) or b == 0 or b != b:
        return math.nan
    return math.fmod(a, b)


def _times10_table() -> tuple[float, ...]:
    scale, out = 1.0, [1.0]
    for _ in range(400):
        scale *= 10
        out.append(scale)
    return tuple(out)


# _TIMES10[k] is 10 multiplied k times, computed by the same repeated multiplication as the
# engine's loops (so bit for bit its values); ROUND looks it up for every call.
_TIMES10 = _times10_table()


def _times10(n: float) -> float:
    """10 multiplied n times, as the engine's loops do (capped: beyond 400 it is Infinity)."""
    k = int(min(n, 400))
    return _TIMES10[k] if k > 0 else 1.0


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
_INPUT_CONSTANTS = {
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
    const = _INPUT_CONSTANTS.get(value.upper())
    if const:
        return const
    if len(tv) > 7 and tv[:7].lower() == "http://":
        return tv, "tl"
    if re.search(r"<([A-Z][A-Z0-9]*)\b[^>]*>[\s\S]*?</\1>", tv, re.IGNORECASE):
        return tv, "th"
    return value, "t"


# ---------------------------------------------------------------- operand helpers


def _coord_cr(coord: str) -> tuple[int, int]:
    c = r = 0
    for ch in coord:
        o = ord(ch)
        if o == 36:
            continue
        if o <= 57:
            r = 10 * r + o - 48
        elif o >= 97:
            c = 26 * c + o - 96
        else:
            c = 26 * c + o - 64
    return c, r


def cr_to_coord(c: int, r: int) -> str:
    return col_name(min(max(c, 1), MAX_COL)) + str(max(r, 1))


def lookup_name(ctx: EvalContext, name: str, is_end: bool = False) -> Operand:
    """Port of ``LookupName``."""
    upper = name.upper()
    n = ctx.names.get(upper)
    if n is not None:
        definition = n.definition
        if definition.startswith("="):
            started = False
            if ctx.name_walk is None:
                ctx.name_walk = set()
                started = True
            elif upper in ctx.name_walk:
                return ["e#NAME?", "", f'Circular name reference to name "{upper}".']
            ctx.name_walk.add(upper)
            value, vtype, err = evaluate(compile_formula(definition[1:]), ctx, allow_range=True)
            ctx.name_walk.discard(upper)
            if started:
                ctx.name_walk = None
            if vtype != "range":
                return [vtype, value, err]
            definition = value
        if isinstance(definition, tuple):
            return ["range", definition]
        if ":" in definition:
            a, _, b = definition.partition(":")
            c1, r1 = _coord_cr(a.upper())
            c2, r2 = _coord_cr(b.upper())
            return ["range", (min(c1, c2), min(r1, r2), max(c1, c2), max(r1, r2), 0)]
        return ["coord", definition.upper().replace("$", "")]
    special = _INPUT_CONSTANTS.get(upper)
    if special is not None and upper.startswith("#") and upper != "#N/A":
        return [special[1], 0.0]
    if re.match(r"^[a-zA-Z][a-zA-Z]?$", name):
        return ["coord", upper + str(ctx.lastrow if is_end else 1)]
    return ["e#NAME?", "", f'Unknown name "{name}"']


def _step_range(stack: list[Operand], rng: tuple[int, int, int, int, int]) -> Operand:
    c1, r1, c2, r2, seq = rng
    ncols = c2 - c1 + 1
    total = ncols * (r2 - r1 + 1)
    r, c = divmod(seq, ncols)
    if seq + 1 < total:
        stack.append(["range", (c1, r1, c2, r2, seq + 1)])
    return ["coord", cr_to_coord(c1 + c, r1 + r)]


def value_and_type(ctx: EvalContext, stack: list[Operand]) -> Operand:
    """Port of ``OperandValueAndType``: pop, following names, ranges (first cell) and coords."""
    op = stack.pop()
    t = op[0]
    if t == "name":
        op = lookup_name(ctx, op[1])
        t = op[0]
    if t == "range":
        op = _step_range(stack, op[1])
        t = "coord"
    if t == "coord":
        ref = op[1]
        cell = ctx.cells.get(ref)
        if cell is None:
            if "!" in ref:
                return ["e#REF!", 0.0, f"{ERR_SHEET_UNAVAILABLE} {ref.split('!', 1)[1]}"]
            return ["b", 0]
        vt = cell.valuetype or "b"
        return ["b", 0] if vt == "b" else [vt, cell.value]
    return [t, op[1]]


def as_number(ctx: EvalContext, stack: list[Operand]) -> Operand:
    """Port of ``OperandAsNumber``."""
    # Fast paths for the commonest operands, a plain number and a reference to a cell holding
    # one: the same result as the general path below, without its calls and conversions.
    top = stack[-1]
    kind = top[0]
    if kind == "n" and type(top[1]) is float:
        stack.pop()
        return ["n", top[1]]
    if kind == "coord":
        cell = ctx.cells.get(top[1])
        if cell is not None and cell.valuetype == "n" and type(cell.value) is float:
            stack.pop()
            return ["n", cell.value]
    op = value_and_type(ctx, stack)
    t = op[0][:1]
    if t == "n":
        v = op[1]
        op[1] = v if isinstance(v, float) else js_number(str(v))
    elif t == "b":
        op[0], op[1] = "n", 0.0
    elif t == "e":
        op[1] = 0.0
    else:
        v, vt = determine_value_type(str(op[1]))
        if vt[:1] == "n":
            op[0], op[1] = vt, float(v)
        else:
            op[0], op[1] = vt, 0.0
    return op


def as_text(ctx: EvalContext, stack: list[Operand]) -> Operand:
    """Port of ``OperandAsText``."""
    op = value_and_type(ctx, stack)
    t = op[0][:1]
    if t == "t":
        pass
    elif t == "n":
        op[1] = display_number(_num(op[1]), op[0])
        op[0] = "t"
    elif t == "b":
        op[0], op[1] = "t", ""
    elif t == "e":
        op[1] = ""
    return op


def _num(v: Any) -> float:
    return v if isinstance(v, float) else js_number(str(v)) if not isinstance(v, int) else float(v)


def iter_values(ctx: EvalContext, fargs: list[Operand]) -> Iterator[tuple[str, Any]]:
    """Pop every argument as (type, value), expanding ranges row by row.

    Same sequence as calling :func:`value_and_type` until ``fargs`` is empty, without pushing
    the rest of a range back on the stack for each cell.
    """
    get = ctx.cells.get
    while fargs:
        op = fargs[-1]
        if op[0] == "range":
            fargs.pop()
            c1, r1, c2, r2, seq = op[1]
            ncols = c2 - c1 + 1
            total = ncols * (r2 - r1 + 1)
            names = [cr_to_coord(c, 1)[:-1] for c in range(c1, c2 + 1)]
            for k in range(seq, total):
                r, c = divmod(k, ncols)
                # EvalContext.cell_tv inlined: this runs for every cell of every range.
                cell = get(names[c] + str(r1 + r))
                if cell is None:
                    yield "b", 0
                else:
                    vt = cell.valuetype or "b"
                    yield ("b", 0) if vt == "b" else (vt, cell.value)
        else:
            vt = value_and_type(ctx, fargs)
            yield vt[0], vt[1]


def top_value_and_type(ctx: EvalContext, stack: list[Operand]) -> Operand:
    """Port of ``TopOfStackValueAndType``: pop without following coords or ranges."""
    op = stack.pop()
    if op[0] == "name":
        return lookup_name(ctx, op[1])
    return [op[0], op[1]]


def _to_str(v: Any) -> str:
    if isinstance(v, float):
        return format_number(v)
    return str(v)


# ---------------------------------------------------------------- the evaluator


def evaluate_text(formula: str, ctx: EvalContext) -> Result:
    """Evaluate a formula text (no leading ``=``)."""
    return evaluate(compile_formula(formula), ctx)


def evaluate(compiled: CompiledFormula, ctx: EvalContext, allow_range: bool = False) -> Result:
    """Port of ``evaluate_parsed_formula``/``EvaluatePolish``: (value, value type, error text).

    Never raises for a formula: JavaScript arithmetic does not throw, so a Python arithmetic
    exception (an overflow in a corner the port missed) becomes a #NUM! result.
    """
    try:
        return _evaluate(compiled, ctx, allow_range)
    except (ArithmeticError, ValueError):
        return 0.0, "e#NUM!", "Numeric error"


def _evaluate(compiled: CompiledFormula, ctx: EvalContext, allow_range: bool) -> Result:
    if not compiled.tokens or compiled.error:
        return "", "e#VALUE!", compiled.error
    stack: list[Operand] = []
    push = stack.append
    errortext = ""
    for code, text in compiled.program:
        if code == PROG_COORD:
            push(["coord", text])
        elif code == PROG_NUM:
            push(["n", text])
        elif code == PROG_START:
            push(["start", 0])
        elif code == PROG_STRING:
            push(["t", text])
        elif code == PROG_OP:
            if not stack:
                return "", "e#VALUE!", ERR_MISSING_OPERAND
            if text == "*" and len(stack) > 1:
                # The commonest operator, tested first (same as its branch below).
                v2 = as_number(ctx, stack)
                v1 = as_number(ctx, stack)
                push([lookup_type(v1[0], v2[0], _PLUS), v1[1] * v2[1]])
            elif text == "M" or text == "P":
                v1 = as_number(ctx, stack)
                rt = lookup_type(v1[0], v1[0], TYPES["unaryminus"])
                push([rt, -v1[1] if text == "M" else v1[1]])
            elif text == "%":
                v1 = as_number(ctx, stack)
                rt = lookup_type(v1[0], v1[0], TYPES["unarypercent"])
                push([rt, 0.01 * v1[1]])
            elif text == "&":
                if len(stack) <= 1:
                    return "", "e#VALUE!", ERR_MISSING_OPERAND
                v2 = as_text(ctx, stack)
                v1 = as_text(ctx, stack)
                rt = lookup_type(v1[0], v1[0], TYPES["concat"])
                push([rt, _to_str(v1[1]) + _to_str(v2[1])])
            elif text == ":":
                if len(stack) <= 1:
                    return "", "e#VALUE!", ERR_MISSING_OPERAND
                push(_make_range(ctx, stack))
            elif text == "!":
                if len(stack) <= 1:
                    return "", "e#VALUE!", ERR_MISSING_OPERAND
                # Other sheets are other EtherCalc rooms: never available to a single document.
                stack.pop()
                sheetname = str(stack.pop()[1])
                errortext = errortext or f"{ERR_SHEET_UNAVAILABLE} {sheetname}"
                push(["e#REF!", 0.0])
            elif text in _COMPARE_OPS:
                if len(stack) <= 1:
                    errortext = ERR_MISSING_OPERAND
                    break
                v2 = value_and_type(ctx, stack)
                v1 = value_and_type(ctx, stack)
                push(_compare(text, v1, v2))
            else:
                if len(stack) <= 1:
                    errortext = ERR_MISSING_OPERAND
                    break
                if text == "+":
                    v2 = value_and_type(ctx, stack)
                    v1 = value_and_type(ctx, stack)
                    rt = lookup_type(v1[0], v2[0], _PLUS)
                    push([rt, _js_plus(v1[1], v2[1])])
                    continue
                v2 = as_number(ctx, stack)
                v1 = as_number(ctx, stack)
                if text == "*":
                    push([lookup_type(v1[0], v2[0], _PLUS), v1[1] * v2[1]])
                elif text == "-":
                    push([lookup_type(v1[0], v2[0], _PLUS), v1[1] - v2[1]])
                elif text == "/":
                    if v2[1] != 0:
                        push(["n", v1[1] / v2[1]])
                    else:
                        push(["e#DIV/0!", 0.0])
                elif text == "^":
                    r = _pow(v1[1], v2[1])
                    push(["e#NUM!", 0.0] if r != r else ["n", r])
        elif code == PROG_NAME:
            errortext = _call(text, stack, ctx)
            if errortext:
                break
        else:
            errortext = f"Internal error: unknown token ({text}). "
            break

    op0 = stack[0] if stack else None
    value: Any = op0[1] if op0 else ""
    vtype: str = op0[0] if op0 else ""
    if vtype == "name":
        looked = lookup_name(ctx, value)
        value, vtype = looked[1], looked[0]
        if len(looked) > 2:
            errortext = errortext or looked[2]
    if vtype == "coord":
        # The engine pops the *top* of the stack here; with one operand that is op0.
        looked = value_and_type(ctx, stack)
        value, vtype = looked[1], looked[0]
        if len(looked) > 2:
            errortext = errortext or looked[2]
        if vtype == "b":
            vtype, value = "n", 0.0
    if len(stack) > 1 and not errortext:
        errortext += ERR_IN_FORMULA
    if len(op0 or []) > 2 and not errortext:
        errortext = op0[2]  # type: ignore[index]
    if vtype[:1] == "e":
        errortext = errortext or vtype[1:] or "Error value in formula"
    elif vtype == "range":
        c1, r1, c2, r2, _ = value
        value = f"{cr_to_coord(c1, r1)}:{cr_to_coord(c2, r2)}"
        if allow_range:
            return (c1, r1, c2, r2, 0), "range", ""
        errortext = f"Formula results in range value: {value}"
    if errortext and vtype[:1] != "e":
        value, vtype = errortext, "e"
    if vtype[:1] == "n" and isinstance(value, float) and not math.isfinite(value):
        value, vtype = 0.0, "e#NUM!"
        errortext = "Numeric overflow"
    if vtype == "start":
        value, vtype = errortext or ERR_IN_FORMULA, "e"
    return value, vtype, errortext


def _js_plus(a: Any, b: Any) -> Any:
    # JavaScript "+": string concatenation when either side is a string.
    if isinstance(a, str) or isinstance(b, str):
        return _to_str(a) + _to_str(b)
    return a + b


def _pow(a: float, b: float) -> float:
    # Math.pow as V8 computes it (fdlibm), not the C library's pow.
    return js_pow(a, b)


def _make_range(ctx: EvalContext, stack: list[Operand]) -> Operand:
    """Port of ``OperandsAsRangeOnSheet`` (same-sheet ranges only)."""
    right = stack.pop()
    left = stack.pop()
    if left[0] == "name":
        left = lookup_name(ctx, left[1])
    if left[0] != "coord":
        return ["e#REF!", 0.0]
    if right[0] == "name":
        right = lookup_name(ctx, right[1], True)
    if right[0] != "coord":
        return ["e#REF!", ERR_CELLREF_MISSING]
    c1, r1 = _coord_cr(left[1])
    c2, r2 = _coord_cr(right[1])
    return ["range", (min(c1, c2), min(r1, r2), max(c1, c2), max(r1, r2), 0)]


def _compare(op: str, v1: Operand, v2: Operand) -> Operand:
    t1, t2 = v1[0][:1], v2[0][:1]
    if t1 == "n" and t2 == "n":
        a, b = _num(v1[1]), _num(v2[1])
    elif t1 == "e":
        return [v1[0], 0.0]
    elif t2 == "e":
        return [v2[0], 0.0]
    else:
        a = display_number(_num(v1[1]), "n") if t1 == "n" else "" if t1 == "b" else str(v1[1])  # type: ignore[assignment]
        b = display_number(_num(v2[1]), "n") if t2 == "n" else "" if t2 == "b" else str(v2[1])  # type: ignore[assignment]
        a, b = a.lower(), b.lower()  # type: ignore[attr-defined]
    if op == "<":
        cond = a < b
    elif op == "L":
        cond = a <= b
    elif op == "=":
        cond = a == b
    elif op == "G":
        cond = a >= b
    elif op == ">":
        cond = a > b
    else:
        cond = a != b
    return ["nl", 1.0 if cond else 0.0]


# ---------------------------------------------------------------- functions

FunctionImpl = Callable[[str, list[Operand], list[Operand], EvalContext], str | None]
_IMPLS: dict[str, FunctionImpl] = {}


def _register(*names: str) -> Callable[[FunctionImpl], FunctionImpl]:
    def deco(fn: FunctionImpl) -> FunctionImpl:
        for n in names:
            _IMPLS[n] = fn
        return fn

    return deco


def _args_error(fname: str, stack: list[Operand]) -> str:
    msg = f"Incorrect arguments to function {fname}. "
    stack.append(["e#VALUE!", msg])
    return msg


def _call(fname: str, stack: list[Operand], ctx: EvalContext) -> str:
    """Port of ``CalculateFunction``: returns error text (stops evaluation) or ""."""
    argnum = FUNCTIONS.get(fname)
    if argnum is None:
        if stack and stack[-1][0] == "start":
            stack.pop()
            stack.append(["name", fname])
            return ""
        return f"Unknown function {fname}. "
    fargs: list[Operand] = []
    while stack and stack[-1][0] != "start":
        fargs.append(stack.pop())
    if stack:
        stack.pop()
    if argnum != 100:
        if (argnum < 0 and len(fargs) < -argnum) or (argnum >= 0 and len(fargs) != argnum):
            return _args_error(fname, stack)
    impl = _IMPLS.get(fname)
    if impl is None:
        msg = f"Function {fname} is not implemented by docmesh. "
        stack.append(["e", msg])
        return msg
    return impl(fname, stack, fargs, ctx) or ""


@_register(
    "SUM", "PRODUCT", "MIN", "MAX", "COUNT", "COUNTA", "COUNTBLANK", "AVERAGE", "STDEV", "STDEVP", "VAR", "VARP",
    "CONCAT", "CONCATENATE",
)  # fmt: skip
def _series(fname: str, stack: list[Operand], fargs: list[Operand], ctx: EvalContext) -> None:
    concat: list[str] = []
    total = 0.0
    rtype = ""
    count = counta = countblank = 0
    product = 1.0
    maxval: float | None = None
    minval: float | None = None
    mk1 = sk1 = 0.0
    plus = TYPES["plus"]
    want_concat = fname in ("CONCAT", "CONCATENATE")
    want_variance = fname in ("STDEV", "STDEVP", "VAR", "VARP")
    # The last type lookup and its result: a range is usually all one type, so this saves
    # a lookup per cell (the loop runs for every cell of every range).
    last_vt = last_prev = last_rtype = ""
    for vt, v in iter_values(ctx, fargs):
        t = vt[:1]
        if t == "n":
            count += 1
        if t != "b":
            counta += 1
        else:
            countblank += 1
        if want_concat and t != "e" and t != "b":
            concat.append(_to_str(v))
        if t == "n":
            v1 = v if type(v) is float else _num(v)
            total += v1
            product *= v1
            maxval = v1 if maxval is None or v1 > maxval else maxval
            minval = v1 if minval is None or v1 < minval else minval
            if want_variance:  # running mean and sum of squares, only STDEV/VAR need them
                if count == 1:
                    mk1, sk1 = v1, 0.0
                else:
                    mk = mk1 + (v1 - mk1) / count
                    sk1 = sk1 + (v1 - mk1) * (v1 - mk)
                    mk1 = mk
            prev = rtype or vt
            if vt != last_vt or prev != last_prev:
                last_vt, last_prev, last_rtype = vt, prev, lookup_type(vt, prev, plus)
            rtype = last_rtype
        elif t == "e" and rtype[:1] != "e":
            rtype = vt
    rtype = rtype or "n"
    push = stack.append
    if fname in ("CONCAT", "CONCATENATE"):
        push(["t", "".join(concat)])
    elif fname == "SUM":
        push([rtype, total])
    elif fname == "PRODUCT":
        push([rtype, product])
    elif fname == "MIN":
        push([rtype, minval or 0.0])
    elif fname == "MAX":
        push([rtype, maxval or 0.0])
    elif fname == "COUNT":
        push(["n", float(count)])
    elif fname == "COUNTA":
        push(["n", float(counta)])
    elif fname == "COUNTBLANK":
        push(["n", float(countblank)])
    elif fname == "AVERAGE":
        push([rtype, total / count] if count > 0 else ["e#DIV/0!", 0.0])
    elif count > 1:
        if fname == "STDEV":
            push([rtype, math.sqrt(sk1 / (count - 1))])
        elif fname == "STDEVP":
            push([rtype, math.sqrt(sk1 / count)])
        elif fname == "VAR":
            push([rtype, sk1 / (count - 1)])
        else:
            push([rtype, sk1 / count])
    else:
        push(["e#DIV/0!", 0.0])


@_register("SUMPRODUCT")
def _sumproduct(fname: str, stack: list[Operand], fargs: list[Operand], ctx: EvalContext) -> None:
    products: list[float] = []
    ncols = nrows = 0
    while fargs:
        rng = top_value_and_type(ctx, fargs)
        if rng[0] != "range":
            stack.append(["e#VALUE!", 0.0])
            return
        c1, r1, c2, r2, _ = rng[1]
        nc, nr = c2 - c1 + 1, r2 - r1 + 1
        if (ncols and ncols != nc) or (nrows and nrows != nr):
            stack.append(["e#VALUE!", 0.0])
            return
        ncols, nrows = nc, nr
        first = not products
        if first:
            products = [1.0] * (nc * nr)
        # Column names and row numbers of the range formatted once, not once per cell
        # (cr_to_coord(c, r) is the column's name followed by the row number).
        cols = [cr_to_coord(c1 + i, 1)[:-1] for i in range(nc)]
        rows = [str(max(r1 + j, 1)) for j in range(nr)]
        get = ctx.cells.get
        for i, col in enumerate(cols):
            base = i * nr
            for j, row in enumerate(rows):
                # EvalContext.cell_tv inlined; only a plain "n" value counts, all else is 0.
                cell = get(col + row)
                if cell is not None and cell.valuetype == "n":
                    v = cell.value
                    products[base + j] *= v if type(v) is float else _num(v)
                else:
                    products[base + j] *= 0.0
    total = 0.0
    for p in products:
        total += p
    stack.append(["n", total])


@_register("IF")
def _if(fname: str, stack: list[Operand], fargs: list[Operand], ctx: EvalContext) -> str | None:
    cond = value_and_type(ctx, fargs)
    t = cond[0][:1]
    if t != "n" and t != "b":
        stack.append(["e#VALUE!", 0.0])
        return None
    op1 = fargs.pop()
    if len(fargs) == 1:
        op2 = fargs.pop()
    elif not fargs:
        op2 = ["n", 0.0]
    else:
        _args_error(fname, stack)
        return None
    truthy = _num(cond[1]) != 0 if cond[0] != "b" else False
    stack.append(op1 if truthy else op2)
    return None


@_register("DATE")
def _date(fname: str, stack: list[Operand], fargs: list[Operand], ctx: EvalContext) -> None:
    y, m, d = as_number(ctx, fargs), as_number(ctx, fargs), as_number(ctx, fargs)
    rt = lookup_type(y[0], m[0], TYPES["twoargnumeric"])
    rt = lookup_type(rt, d[0], TYPES["twoargnumeric"])
    result = 0.0
    if rt[:1] == "n":
        result = float(ymd_to_julian(math.floor(y[1]), math.floor(m[1]), math.floor(d[1])) - JULIAN_OFFSET)
        rt = "nd"
    stack.append([rt, result])


@_register("TIME")
def _time(fname: str, stack: list[Operand], fargs: list[Operand], ctx: EvalContext) -> None:
    h, m, s = as_number(ctx, fargs), as_number(ctx, fargs), as_number(ctx, fargs)
    rt = lookup_type(h[0], m[0], TYPES["twoargnumeric"])
    rt = lookup_type(rt, s[0], TYPES["twoargnumeric"])
    result = 0.0
    if rt[:1] == "n":
        result = ((h[1] * 60 * 60) + (m[1] * 60) + s[1]) / (24 * 60 * 60)
        rt = "nt"
    stack.append([rt, result])


@_register("DAY", "MONTH", "YEAR", "WEEKDAY")
def _dmy(fname: str, stack: list[Operand], fargs: list[Operand], ctx: EvalContext) -> str | None:
    dv = as_number(ctx, fargs)
    rt = lookup_type(dv[0], dv[0], TYPES["oneargnumeric"])
    result = 0.0
    if rt[:1] == "n":
        y, m, d = julian_to_ymd(math.floor(dv[1] + JULIAN_OFFSET))
        if fname == "DAY":
            result = float(d)
        elif fname == "MONTH":
            result = float(m)
        elif fname == "YEAR":
            result = float(y)
        else:
            dtype = 1.0
            if fargs:
                dt = as_number(ctx, fargs)
                if dt[0][:1] != "n" or dt[1] < 1 or dt[1] > 3:
                    stack.append(["e#VALUE!", 0.0])
                    return None
                if fargs:
                    _args_error(fname, stack)
                    return None
                dtype = dt[1]
            doffset = 6 - (1 if dtype > 1 else 0)
            result = _jsfmod(_jsfloor(dv[1] + doffset), 7) + (1 if dtype < 3 else 0)
    stack.append([rt, result])
    return None


@_register("HOUR", "MINUTE", "SECOND")
def _hms(fname: str, stack: list[Operand], fargs: list[Operand], ctx: EvalContext) -> None:
    dv = as_number(ctx, fargs)
    rt = lookup_type(dv[0], dv[0], TYPES["oneargnumeric"])
    result = 0.0
    if rt[:1] == "n":
        if dv[1] < 0:
            stack.append(["e#NUM!", 0.0])
            return
        frac = (dv[1] - math.floor(dv[1])) * 24
        hours = math.floor(frac)
        frac = (frac - math.floor(frac)) * 60
        minutes = math.floor(frac)
        frac = (frac - math.floor(frac)) * 60
        seconds = math.floor(frac + 0.5)
        result = float({"HOUR": hours, "MINUTE": minutes, "SECOND": seconds}[fname])
    stack.append([rt, result])


@_register("EXACT")
def _exact(fname: str, stack: list[Operand], fargs: list[Operand], ctx: EvalContext) -> None:
    v1 = value_and_type(ctx, fargs)
    v2 = value_and_type(ctx, fargs)
    t1, t2 = v1[0][:1], v2[0][:1]
    result: Any = 0.0
    rt = "nl"
    if t1 == "e":
        result, rt = v1[1], v1[0]
    elif t2 == "e" and t1 in ("t", "n", "b"):
        result, rt = v2[1], v2[0]
    elif t1 == "t":
        if t2 == "t":
            result = float(v1[1] == v2[1])
        elif t2 == "b":
            result = float(len(v1[1]) == 0)
        elif t2 == "n":
            result = float(v1[1] == _to_str(v2[1]))
    elif t1 == "n":
        if t2 == "n":
            result = float(_num(v1[1]) == _num(v2[1]))
        elif t2 == "t":
            result = float(_to_str(v1[1]) == v2[1])
    elif t1 == "b":
        if t2 == "t":
            result = float(len(v2[1]) == 0)
        elif t2 == "b":
            result = 1.0
    stack.append([rt, result])


_STRING_ARGS = {
    "FIND": [1, 1, 0],
    "LEFT": [1, 0],
    "LEN": [1],
    "LOWER": [1],
    "MID": [1, 0, 0],
    "PROPER": [1],
    "REPLACE": [1, 0, 0, 1],
    "REPT": [1, 0],
    "RIGHT": [1, 0],
    "SUBSTITUTE": [1, 1, 1, 0],
    "TRIM": [1],
    "HEXCODE": [1],
    "UPPER": [1],
}


def _utf16_len(s: str) -> int:
    # JavaScript strings count UTF-16 code units.
    return len(s.encode("utf-16-le")) // 2


@_register(*_STRING_ARGS)
def _strings(fname: str, stack: list[Operand], fargs: list[Operand], ctx: EvalContext) -> str | None:
    argdef = _STRING_ARGS[fname]
    vals: list[Any] = [None]
    types: list[str] = [""]
    n = len(fargs)
    for i in range(1, n + 1):
        if i > len(argdef):
            _args_error(fname, stack)
            return None
        op = as_number(ctx, fargs) if argdef[i - 1] == 0 else as_text(ctx, fargs)
        vals.append(op[1])
        types.append(op[0])
        if op[0][:1] == "e":
            stack.append([op[0], 0.0])
            return None
    while len(vals) <= 4:
        vals.append(None)
        types.append("")
    result: Any = 0.0
    rt = "e#VALUE!"
    s1 = _to_str(vals[1]) if vals[1] is not None else ""
    if fname == "FIND":
        offset = int(vals[3] - 1) if types[3] else 0
        if offset >= 0:
            pos = _to_str(vals[2]).find(s1, offset)
            if pos >= 0:
                result, rt = float(pos + 1), "n"
    elif fname == "LEFT":
        ln = vals[2] if types[2] else 1.0
        if ln >= 0:
            result, rt = s1[: int(ln)], "t"
    elif fname == "LEN":
        result, rt = float(_utf16_len(s1)), "n"
    elif fname == "LOWER":
        result, rt = s1.lower(), "t"
    elif fname == "UPPER":
        result, rt = s1.upper(), "t"
    elif fname == "MID":
        start, ln = vals[2], vals[3]
        if not (ln < 1 or start < 1):
            a = int(start - 1)
            result, rt = s1[a : a + int(ln)], "t"
    elif fname == "PROPER":
        result = re.sub(r"\b\w+\b", lambda m: m.group(0)[:1].upper() + m.group(0)[1:], s1, flags=re.ASCII)
        rt = "t"
    elif fname == "REPLACE":
        start, ln = vals[2], vals[3]
        if not (ln < 0 or start < 1):
            a = int(start - 1)
            result, rt = s1[:a] + _to_str(vals[4]) + s1[a + int(ln) :], "t"
    elif fname == "REPT":
        count = vals[2]
        if count >= 0:
            result, rt = s1 * math.ceil(count), "t"
    elif fname == "RIGHT":
        ln = vals[2] if types[2] else 1.0
        if ln >= 0:
            k = int(ln)
            result, rt = (s1[-k:] if k else s1), "t"
    elif fname == "SUBSTITUTE":
        old, new = _to_str(vals[2]), _to_str(vals[3])
        which = 0
        if types[4]:
            which = int(vals[4])
            if vals[4] <= 0:
                stack.append([rt, result])
                return None
        if old == "":
            result, rt = s1, "t"
        elif which == 0:
            result, rt = s1.replace(old, new), "t"
        else:
            parts = s1.split(old)
            if which < len(parts):
                result = old.join(parts[:which]) + new + old.join(parts[which:])
            else:
                result = s1
            rt = "t"
    elif fname == "TRIM":
        result = re.sub(r" +", " ", s1.lstrip(" ").rstrip(" "))
        rt = "t"
    elif fname == "HEXCODE":
        result, rt = (f"{ord(s1[0]):X}" if s1 else "NAN"), "t"
    stack.append([rt, result])
    return None


@_register("ISBLANK", "ISERR", "ISERROR", "ISLOGICAL", "ISNA", "ISNONTEXT", "ISNUMBER", "ISTEXT")
def _is(fname: str, stack: list[Operand], fargs: list[Operand], ctx: EvalContext) -> None:
    vt = value_and_type(ctx, fargs)[0]
    t = vt[:1]
    r = {
        "ISBLANK": vt == "b",
        "ISERR": t == "e" and vt != "e#N/A",
        "ISERROR": t == "e",
        "ISLOGICAL": vt == "nl",
        "ISNA": vt == "e#N/A",
        "ISNONTEXT": t != "t",
        "ISNUMBER": t == "n",
        "ISTEXT": t == "t",
    }[fname]
    stack.append(["nl", 1.0 if r else 0.0])


@_register("N", "T", "VALUE")
def _ntv(fname: str, stack: list[Operand], fargs: list[Operand], ctx: EvalContext) -> None:
    vt, v = value_and_type(ctx, fargs)[:2]
    t = vt[:1]
    result: Any = 0.0
    rt = "e#VALUE!"
    if fname == "N":
        result, rt = (_num(v) if t == "n" else 0.0), "n"
    elif fname == "T":
        result, rt = (str(v) if t == "t" else ""), "t"
    elif t in ("n", "b"):
        result, rt = (_num(v) or 0.0), "n"
    elif t == "t":
        dv, dt = determine_value_type(str(v))
        if dt[:1] == "n":
            result, rt = float(dv), "n"
    if t == "e":
        rt = vt
    stack.append([rt, result])


def _even_odd(value: float, odd: bool) -> float:
    v = -value if value < 0 else value
    if v != _jsfloor(v):
        f = _jsfloor(v + 1)
        v = f + ((1 - _jsfmod(f, 2)) if odd else _jsfmod(f, 2))
    else:
        v = v + ((1 - _jsfmod(v, 2)) if odd else _jsfmod(v, 2))
    return -v if value < 0 else v


@_register(
    "ABS", "ACOS", "ASIN", "ATAN", "COS", "DEGREES", "EVEN", "EXP", "FACT", "INT", "LN", "LOG10", "ODD",
    "RADIANS", "SIN", "SQRT", "TAN",
)  # fmt: skip
def _math1(fname: str, stack: list[Operand], fargs: list[Operand], ctx: EvalContext) -> None:
    v1 = as_number(ctx, fargs)
    value = v1[1]
    rt = lookup_type(v1[0], v1[0], TYPES["oneargnumeric"])
    if rt == "n":
        if fname == "ABS":
            value = abs(value)
        elif fname in ("ACOS", "ASIN"):
            if -1 <= value <= 1:
                value = math.acos(value) if fname == "ACOS" else math.asin(value)
            else:
                rt = "e#NUM!"
        elif fname == "ATAN":
            value = math.atan(value)
        elif fname == "COS":
            value = math.cos(value)
        elif fname == "DEGREES":
            value = value * 180 / math.pi
        elif fname == "EVEN":
            value = _even_odd(value, False)
        elif fname == "ODD":
            value = _even_odd(value, True)
        elif fname == "EXP":
            value = js_exp(value)
        elif fname == "FACT":
            f = 1.0
            k = math.floor(value)
            while k > 0:
                f *= k
                k -= 1
            value = f
        elif fname == "INT":
            value = _jsfloor(value)
        elif fname in ("LN", "LOG10"):
            if value <= 0:
                rt = "e#NUM!"
                value = math.nan
            else:
                value = js_log(value) if fname == "LN" else js_log(value) / js_log(10.0)
        elif fname == "RADIANS":
            value = value * math.pi / 180
        elif fname == "SIN":
            value = math.sin(value)
        elif fname == "SQRT":
            if value >= 0:
                value = math.sqrt(value)
            else:
                rt = "e#NUM!"
        elif fname == "TAN":
            if math.cos(value) != 0:
                value = math.tan(value)
            else:
                rt = "e#NUM!"
    stack.append([rt, value])


@_register("ATAN2", "MOD", "POWER", "TRUNC")
def _math2(fname: str, stack: list[Operand], fargs: list[Operand], ctx: EvalContext) -> None:
    x = as_number(ctx, fargs)
    y = as_number(ctx, fargs)
    rt = lookup_type(x[0], y[0], TYPES["twoargnumeric"])
    value: float = 0.0
    if rt == "n":
        xv, yv = x[1], y[1]
        if fname == "ATAN2":
            if xv == 0 and yv == 0:
                rt = "e#DIV/0!"
            else:
                value = math.atan2(yv, xv)
        elif fname == "POWER":
            value = _pow(xv, yv)
            if value != value:
                value, rt = 0.0, "e#NUM!"
        elif fname == "MOD":
            if yv == 0:
                rt = "e#DIV/0!"
            else:
                value = xv - _jsfloor(xv / yv) * yv
        else:  # TRUNC
            if yv >= 0:
                scale = _times10(math.floor(yv))
                value = _jsfloor(abs(xv) * scale) / scale
            else:
                scale = _times10(math.floor(-yv))
                value = _jsfloor(abs(xv) / scale) * scale
            if xv < 0:
                value = -value
    stack.append([rt, value])


@_register("LOG")
def _log(fname: str, stack: list[Operand], fargs: list[Operand], ctx: EvalContext) -> str | None:
    v = as_number(ctx, fargs)
    rt = lookup_type(v[0], v[0], TYPES["oneargnumeric"])
    if len(fargs) == 1:
        base = as_number(ctx, fargs)
        if base[0][:1] != "n" or base[1] <= 0:
            stack.append(["e#NUM!", "LOG second argument must be numeric greater than 0"])
            return None
        b = base[1]
    elif fargs:
        _args_error(fname, stack)
        return None
    else:
        b = math.e
    result = 0.0
    if rt == "n":
        if v[1] <= 0:
            stack.append(["e#NUM!", "LOG first argument must be greater than 0"])
            return None
        result = _jsdiv(js_log(v[1]), js_log(b))
    stack.append([rt, result])
    return None


def _round_digits(x: float, digits: float) -> float:
    if digits == 0:
        return js_round(x)
    if digits > 0:
        scale = _times10(math.floor(digits))
        return js_round(x * scale) / scale
    scale = _times10(math.floor(-digits))
    return js_round(x / scale) * scale


@_register("ROUND")
def _round(fname: str, stack: list[Operand], fargs: list[Operand], ctx: EvalContext) -> str | None:
    if len(fargs) == 2:
        # Fast path: ROUND(number, number) with both already plain numbers, as in the rounding
        # formulas of every invoice line (type "n" in, "n" out; the same arithmetic as below).
        d_op, x_op = fargs
        if x_op[0] == "n" and d_op[0] == "n" and type(x_op[1]) is float and type(d_op[1]) is float:
            fargs.clear()
            stack.append(["n", _round_digits(x_op[1], d_op[1])])
            return None
    v = value_and_type(ctx, fargs)
    rt = lookup_type(v[0], v[0], TYPES["oneargnumeric"])
    if len(fargs) == 1:
        v2 = value_and_type(ctx, fargs)
        if v2[0][:1] != "n":
            stack.append(["e#NUM!", "ROUND second argument must be numeric"])
            return None
        digits = _num(v2[1])
    elif fargs:
        _args_error(fname, stack)
        return None
    else:
        digits = 0.0
    result = 0.0
    if rt == "n":
        result = _round_digits(_num(v[1]), digits)
    stack.append([rt, result])
    return None


@_register("CEILING", "FLOOR")
def _ceiling_floor(fname: str, stack: list[Operand], fargs: list[Operand], ctx: EvalContext) -> None:
    val = value_and_type(ctx, fargs)
    if val[0][:1] != "n":
        stack.append(["e#VALUE!", 0.0])
        return
    x = _num(val[1])
    if x == 0:
        stack.append(["n", 0.0])
        return
    if len(fargs) == 1:
        sig_op = value_and_type(ctx, fargs)
        sig = _num(sig_op[1]) if sig_op[0][:1] in ("n", "b") else js_number(str(sig_op[1]))
    elif not fargs:
        sig = 1.0 if x > 0 else -1.0
    else:
        stack.append(["e#VALUE!", 0.0])
        return
    if sig == 0:
        stack.append(["n", 0.0])
    elif sig * x < 0:
        stack.append(["e#NUM!", 0.0])
    elif fname == "CEILING":
        stack.append(["n", _jsceil(x / sig) * sig])
    else:
        stack.append(["n", _jsfloor(x / sig) * sig])


@_register("AND", "OR")
def _and_or(fname: str, stack: list[Operand], fargs: list[Operand], ctx: EvalContext) -> None:
    result = 1.0 if fname == "AND" else 0.0
    rt = ""
    for vt, v in iter_values(ctx, fargs):
        if vt[:1] == "n":
            nz = _num(v) != 0
            if fname == "AND":
                result = result if nz else 0.0
            else:
                result = 1.0 if nz else result
            rt = lookup_type(vt, rt or "nl", TYPES["propagateerror"])
        elif vt[:1] == "e" and rt[:1] != "e":
            rt = vt
    if not rt:
        rt, result = "e#VALUE!", 0.0
    stack.append([rt, result])


@_register("NOT")
def _not(fname: str, stack: list[Operand], fargs: list[Operand], ctx: EvalContext) -> None:
    vt, v = value_and_type(ctx, fargs)[:2]
    rt = lookup_type(vt, vt, TYPES["propagateerror"])
    result = 0.0
    if vt[:1] == "n" or vt == "b":
        result = 0.0 if _num(v) != 0 else 1.0
        rt = "nl"
    elif vt[:1] == "t":
        rt = "e#VALUE!"
    stack.append([rt, result])


@_register("CHOOSE")
def _choose(fname: str, stack: list[Operand], fargs: list[Operand], ctx: EvalContext) -> None:
    idx = as_number(ctx, fargs)
    k = math.floor(idx[1]) if idx[0][:1] == "n" else 0
    count = 0
    while fargs:
        op = top_value_and_type(ctx, fargs)
        count += 1
        if k == count:
            stack.append([op[0], op[1]])
            return
    stack.append(["e#VALUE!", 0.0])


@_register("COLUMNS", "ROWS")
def _columns_rows(fname: str, stack: list[Operand], fargs: list[Operand], ctx: EvalContext) -> None:
    op = top_value_and_type(ctx, fargs)
    if op[0] == "coord":
        stack.append(["n", 1.0])
    elif op[0] == "range":
        c1, r1, c2, r2, _ = op[1]
        stack.append(["n", float(c2 - c1 + 1 if fname == "COLUMNS" else r2 - r1 + 1)])
    else:
        stack.append(["e#VALUE!", 0.0])


def _now_days() -> float:
    # The engine uses the server's local time zone; docmesh runs in UTC.
    return 25569 + time.time() / 86400


@_register("FALSE", "TRUE", "NA", "PI", "NOW", "TODAY", "RAND")
def _zero_arg(fname: str, stack: list[Operand], fargs: list[Operand], ctx: EvalContext) -> None:
    if fname == "FALSE":
        stack.append(["nl", 0.0])
    elif fname == "TRUE":
        stack.append(["nl", 1.0])
    elif fname == "NA":
        stack.append(["e#N/A", 0.0])
    elif fname == "PI":
        stack.append(["n", math.pi])
    elif fname == "NOW":
        stack.append(["ndt", _now_days()])
    elif fname == "TODAY":
        stack.append(["nd", float(math.floor(_now_days()))])
    else:
        stack.append(["n", random.random()])


def _test_criteria(value: Any, vtype: str, criteria: str | None) -> bool:
    """Port of ``TestCriteria`` (COUNTIF/SUMIF)."""
    if criteria is None:
        return False
    comp = criteria[:1]
    if comp in ("=", "<", ">"):
        # As in the engine, a leading "<" or ">" is never read as "<=", "<>" or ">=" here:
        # "<>4" compares with the text ">4".
        base = criteria[1:]
    elif re.search(r"([^~]\*|^\*)", criteria) or re.search(r"([^~]\?|^\?)", criteria):
        comp = "regex"
        if criteria == "*":
            base = ".+"
        else:
            rev = criteria[::-1]
            rev = re.sub(r"\?(?=[^~])|\?$", "?.", rev)
            rev = rev.replace("?~", "?\\")
            rev = re.sub(r"\*(?=[^~])|\*$", "*.", rev)
            rev = rev.replace("*~", "*\\", 1)
            base = rev[::-1]
        base = "^" + base + "$"
    else:
        comp, base = "none", criteria
    bvalue, btype = determine_value_type(base)
    if not btype:
        if comp == "none":
            return False
        if vtype[:1] == "b":
            return comp == "="
        return comp == "<>"
    if btype[:1] == "n" and vtype[:1] == "t":
        tv, tt = determine_value_type(str(value))
        if tt[:1] == "n":
            value, vtype = tv, tt
    if vtype[:1] == "n" and btype[:1] == "n":
        x, y = _num(value), float(bvalue)
        return {
            "<": x < y,
            "<=": x <= y,
            "=": x == y,
            "none": x == y,
            ">=": x >= y,
            ">": x > y,
            "<>": x != y,
        }.get(comp, False)
    if vtype[:1] == "e" or btype[:1] == "e":
        return False
    if vtype[:1] == "n":
        value = display_number(_num(value), "n")
    if btype[:1] == "n":
        return False
    a = str(value).lower() if value else ""
    b = str(bvalue).lower() if bvalue else ""
    if comp == "<":
        return a < b
    if comp == "<=":
        return a <= b
    if comp == "=":
        return a == b
    if comp == "none":
        return a[: len(b)] == b
    if comp == ">=":
        return a >= b
    if comp == ">":
        return a > b
    if comp == "<>":
        return a != b
    try:
        return re.search(b, a) is not None
    except re.error:
        return False


@_register("COUNTIF", "SUMIF")
def _countif_sumif(fname: str, stack: list[Operand], fargs: list[Operand], ctx: EvalContext) -> str | None:
    rng = top_value_and_type(ctx, fargs)
    crit = as_text(ctx, fargs)
    if fname == "SUMIF":
        if len(fargs) == 1:
            sumrange = top_value_and_type(ctx, fargs)
        elif not fargs:
            sumrange = [rng[0], rng[1]]
        else:
            _args_error(fname, stack)
            return None
    else:
        sumrange = [rng[0], rng[1]]
    criteria: str | None
    if crit[0][:1] == "n":
        criteria = _to_str(crit[1])
    elif crit[0][:1] in ("e", "b"):
        criteria = None
    else:
        criteria = str(crit[1])
    if rng[0] not in ("coord", "range") or (fname == "SUMIF" and sumrange[0] not in ("coord", "range")):
        _args_error(fname, stack)
        return None
    f1: list[Operand] = [rng]
    f2: list[Operand] = [sumrange]
    total = 0.0
    rtype = ""
    count = 0
    plus = TYPES["plus"]
    while f1:
        v1 = value_and_type(ctx, f1)
        v2: Operand = value_and_type(ctx, f2) if f2 else ["b", 0.0]
        if not _test_criteria(v1[1], v1[0], criteria):
            continue
        count += 1
        if v2[0][:1] == "n":
            total += _num(v2[1])
            rtype = lookup_type(v2[0], rtype or v2[0], plus)
        elif v2[0][:1] == "e" and rtype[:1] != "e":
            rtype = v2[0]
    stack.append([rtype or "n", total] if fname == "SUMIF" else ["n", float(count)])
    return None


@_register("VLOOKUP", "HLOOKUP", "MATCH")
def _lookup(fname: str, stack: list[Operand], fargs: list[Operand], ctx: EvalContext) -> str | None:
    lv = value_and_type(ctx, fargs)
    lval: Any = lv[1].lower() if isinstance(lv[1], str) else lv[1]
    rng = top_value_and_type(ctx, fargs)
    rangelookup: float = 1.0
    offset = 0
    if fname == "MATCH":
        if fargs:
            rl = as_number(ctx, fargs)
            if rl[0][:1] != "n":
                stack.append(["e#VALUE!", 0.0])
                return None
            if fargs:
                _args_error(fname, stack)
                return None
            rangelookup = rl[1]
    else:
        off = as_number(ctx, fargs)
        if off[0][:1] != "n":
            stack.append(["e#VALUE!", 0.0])
            return None
        offset = math.floor(off[1])
        if fargs:
            rl = as_number(ctx, fargs)
            if rl[0][:1] != "n":
                stack.append(["e#VALUE!", 0.0])
                return None
            if fargs:
                _args_error(fname, stack)
                return None
            rangelookup = 1.0 if rl[1] else 0.0
    ltype = lv[0][:1]
    if ltype == "n":
        lval = _num(lval)
    if rng[0] != "range":
        _args_error(fname, stack)
        return None
    c1, r1, c2, r2, _ = rng[1]
    ncols, nrows = c2 - c1 + 1, r2 - r1 + 1
    cincr = rincr = 0
    if fname == "HLOOKUP":
        cincr = 1
        if offset > nrows:
            stack.append(["e#REF!", 0.0])
            return None
    elif fname == "VLOOKUP":
        rincr = 1
        if offset > ncols:
            stack.append(["e#REF!", 0.0])
            return None
    elif ncols > 1:
        if nrows > 1:
            stack.append(["e#N/A", 0.0])
            return None
        cincr = 1
    else:
        rincr = 1
    if offset < 1 and fname != "MATCH":
        stack.append(["e#VALUE!", 0.0])
        return None
    c = r = 0
    previous_ok = 0
    csave = rsave = 0
    while True:
        vt, value = ctx.cell_tv(cr_to_coord(c1 + c, r1 + r))
        t = vt[:1] if vt else "b"
        if t == "n":
            value = _num(value)
        matched = False
        if (ltype == "n" and t == "n") or (ltype == "t" and t == "t"):
            if t == "t":
                value = value.lower() if isinstance(value, str) else ""
            if lval == value:
                matched = True
            elif rangelookup:
                if (rangelookup > 0 and lval > value) or (rangelookup < 0 and lval < value):
                    previous_ok, csave, rsave = 1, c, r
                elif previous_ok:
                    previous_ok = 2
                    break
        if matched:
            break
        r += rincr
        c += cincr
        if r >= nrows or c >= ncols:
            if previous_ok:
                previous_ok = 2
                break
            stack.append(["e#N/A", 0.0])
            return None
    if previous_ok == 2:
        r, c = rsave, csave
    if fname == "MATCH":
        stack.append(["n", float(c + r + 1)])
    else:
        coord = cr_to_coord(
            c1 + c + (offset - 1 if fname == "VLOOKUP" else 0),
            r1 + r + (offset - 1 if fname == "HLOOKUP" else 0),
        )
        vt, value = ctx.cell_tv(coord)
        stack.append([vt, value])
    return None


@_register("INDEX")
def _index(fname: str, stack: list[Operand], fargs: list[Operand], ctx: EvalContext) -> str | None:
    rng = top_value_and_type(ctx, fargs)
    if rng[0] != "range":
        _args_error(fname, stack)
        return None
    c1, r1, c2, r2, _ = rng[1]
    ncols, nrows = c2 - c1 + 1, r2 - r1 + 1
    row = col = 0.0
    if fargs:
        ro = as_number(ctx, fargs)
        if ro[0][:1] != "n" or ro[1] < 0:
            stack.append(["e#VALUE!", 0.0])
            return None
        row = ro[1]
        if fargs:
            co = as_number(ctx, fargs)
            if co[0][:1] != "n" or co[1] < 0:
                stack.append(["e#VALUE!", 0.0])
                return None
            col = co[1]
            if fargs:
                _args_error(fname, stack)
                return None
        elif nrows == 1:
            col, row = row, 0.0
    if row > nrows or col > ncols:
        stack.append(["e#REF!", 0.0])
        return None
    ri, ci = int(row), int(col)
    if ri == 0 and ci == 0:
        op: Operand = (
            ["range", (c1, r1, c2, r2, 0)] if (nrows > 1 or ncols > 1) else ["coord", cr_to_coord(c1, r1)]
        )
    elif ri == 0:
        cc = c1 + ci - 1
        op = ["coord", cr_to_coord(cc, r1)] if nrows == 1 else ["range", (cc, r1, cc, r2, 0)]
    elif ci == 0:
        rr = r1 + ri - 1
        op = ["coord", cr_to_coord(c1, rr)] if ncols == 1 else ["range", (c1, rr, c2, rr, 0)]
    else:
        op = ["coord", cr_to_coord(c1 + ci - 1, r1 + ri - 1)]
    stack.append(op)
    return None


#: Functions this engine evaluates (the rest of FUNCTIONS are known but not implemented).
IMPLEMENTED = frozenset(_IMPLS)


# ---------------------------------------------------------------- financial functions


def _jsdiv(a: float, b: float) -> float:
    """JavaScript division: x/0 is ±Infinity (NaN for 0/0) instead of an exception."""
    if b == 0:
        if a == 0 or a != a:
            return math.nan
        return math.copysign(math.inf, a) * (math.copysign(1.0, b))
    return a / b


@_register("DDB")
def _ddb(fname: str, stack: list[Operand], fargs: list[Operand], ctx: EvalContext) -> str | None:
    cost, salvage, life, period = (as_number(ctx, fargs) for _ in range(4))
    for v in (cost, salvage, life, period):
        if v[0][:1] == "e":
            stack.append(v)
            return None
    if life[1] < 1:
        stack.append(["e#NUM!", "DDB life must be greater than 1"])
        return None
    method: Operand = ["n", 2.0]
    if fargs:
        method = as_number(ctx, fargs)
    if fargs:
        _args_error(fname, stack)
        return None
    if method[0][:1] == "e":
        stack.append(method)
        return None
    depreciation = accumulated = 0.0
    i = 1
    while i <= period[1] and i <= life[1]:
        depreciation = (cost[1] - accumulated) * _jsdiv(method[1], life[1])
        if cost[1] - accumulated - depreciation < salvage[1]:
            depreciation = cost[1] - accumulated - salvage[1]
        accumulated += depreciation
        i += 1
    stack.append(["n$", depreciation])
    return None


@_register("SLN")
def _sln(fname: str, stack: list[Operand], fargs: list[Operand], ctx: EvalContext) -> None:
    cost, salvage, life = (as_number(ctx, fargs) for _ in range(3))
    for v in (cost, salvage, life):
        if v[0][:1] == "e":
            stack.append(v)
            return
    if life[1] < 1:
        stack.append(["e#NUM!", "SLN life must be greater than 1"])
        return
    stack.append(["n$", (cost[1] - salvage[1]) / life[1]])


@_register("SYD")
def _syd(fname: str, stack: list[Operand], fargs: list[Operand], ctx: EvalContext) -> None:
    cost, salvage, life, period = (as_number(ctx, fargs) for _ in range(4))
    for v in (cost, salvage, life, period):
        if v[0][:1] == "e":
            stack.append(v)
            return
    if life[1] < 1 or period[1] <= 0:
        stack.append(["e#NUM!", 0.0])
        return
    sumperiods = ((life[1] + 1) * life[1]) / 2
    stack.append(["n$", (cost[1] - salvage[1]) * (life[1] - period[1] + 1) / sumperiods])


@_register("FV", "NPER", "PMT", "PV", "RATE")
def _interest(fname: str, stack: list[Operand], fargs: list[Operand], ctx: EvalContext) -> str | None:
    two = TYPES["twoargnumeric"]
    a, b, c = (as_number(ctx, fargs) for _ in range(3))
    rt = lookup_type(lookup_type(a[0], b[0], two), c[0], two)
    d = e = f = None
    if fargs:
        d = as_number(ctx, fargs)
        rt = lookup_type(rt, d[0], two)
        if fargs:
            e = as_number(ctx, fargs)
            rt = lookup_type(rt, e[0], two)
            if fargs:
                if fname != "RATE":
                    _args_error(fname, stack)
                    return None
                f = as_number(ctx, fargs)
                rt = lookup_type(rt, f[0], two)
    result = 0.0
    if rt == "n":
        paytype = (1.0 if e[1] else 0.0) if e is not None else 0.0
        opt = d[1] if d is not None else 0.0
        if fname == "FV":
            rate, n, payment, pv = a[1], b[1], c[1], opt
            if rate == 0:
                result = -pv - payment * n
            else:
                g = _pow(1 + rate, n)
                result = -(pv * g + _jsdiv(payment * (1 + rate * paytype) * (g - 1), rate))
            rt = "n$"
        elif fname == "NPER":
            rate, payment, pv, fv = a[1], b[1], c[1], opt
            if rate == 0:
                if payment == 0:
                    stack.append(["e#NUM!", 0.0])
                    return None
                result = (pv + fv) / -payment
            else:
                part1 = payment * (1 + rate * paytype) / rate
                part2 = pv + part1
                if part2 == 0 or rate <= -1:
                    stack.append(["e#NUM!", 0.0])
                    return None
                part3 = (part1 - fv) / part2
                if part3 <= 0:
                    stack.append(["e#NUM!", 0.0])
                    return None
                result = _jsdiv(js_log(part3), js_log(1 + rate))
            rt = "n"
        elif fname == "PMT":
            rate, n, pv, fv = a[1], b[1], c[1], opt
            if n == 0:
                stack.append(["e#NUM!", 0.0])
                return None
            if rate == 0:
                result = (fv - pv) / n
            else:
                g = _pow(1 + rate, n)
                result = _jsdiv(0 - fv - pv * g, _jsdiv((1 + rate * paytype) * (g - 1), rate))
            rt = "n$"
        elif fname == "PV":
            rate, n, payment, fv = a[1], b[1], c[1], opt
            if rate == -1:
                stack.append(["e#DIV/0!", 0.0])
                return None
            if rate == 0:
                result = -fv - payment * n
            else:
                g = _pow(1 + rate, n)
                result = _jsdiv(-fv - _jsdiv(payment * (1 + rate * paytype) * (g - 1), rate), g)
            rt = "n$"
        else:  # RATE
            n, payment, pv, fv = a[1], b[1], c[1], opt
            guess = f[1] if f is not None else 0.1
            delta = 1.0
            rate = guess or 0.00000001
            oldrate: float | None = None
            olddelta: float | None = None
            tries = 0
            while abs(delta) > 0.0000001 and rate != oldrate:
                g = _pow(1 + rate, n)
                delta = fv + pv * g + _jsdiv(payment * (1 + rate * paytype) * (g - 1), rate)
                if olddelta is not None and oldrate is not None:
                    m = _jsdiv(delta - olddelta, rate - oldrate)
                    if m == 0 or m != m:
                        m = 0.001
                    oldrate = rate
                    rate = rate - _jsdiv(delta, m)
                    olddelta = delta
                else:
                    oldrate = rate
                    rate = 1.1 * rate
                    olddelta = delta
                tries += 1
                if tries >= 100:
                    stack.append(["e#NUM!", 0.0])
                    return None
            result = rate
            rt = "n%"
    stack.append([rt, result])
    return None


@_register("NPV")
def _npv(fname: str, stack: list[Operand], fargs: list[Operand], ctx: EvalContext) -> None:
    rate = as_number(ctx, fargs)
    if rate[0][:1] == "e":
        stack.append(rate)
        return
    total = 0.0
    rt = "n"
    factor = 1.0
    for vt, v in iter_values(ctx, fargs):
        if vt[:1] == "n":
            factor *= 1 + rate[1]
            if factor == 0:
                stack.append(["e#DIV/0!", 0.0])
                return
            total += _num(v) / factor
            rt = lookup_type(vt, rt or vt, _PLUS)
        elif vt[:1] == "e" and rt[:1] != "e":
            rt = vt
            break
    if rt[:1] == "n":
        rt = "n$"
    stack.append([rt, total])


@_register("IRR")
def _irr(fname: str, stack: list[Operand], fargs: list[Operand], ctx: EvalContext) -> str | None:
    flows: list[float] = []
    for vt, v in iter_values(ctx, [fargs.pop()]):
        if vt[:1] == "n":
            flows.append(_num(v))
        elif vt[:1] == "e":
            stack.append(["e#VALUE!", 0.0])
            return None
    if not flows:
        stack.append(["e#NUM!", 0.0])
        return None
    guess = 0.0
    if fargs:
        g = as_number(ctx, fargs)
        if g[0][:1] not in ("n", "b"):
            stack.append(["e#VALUE!", 0.0])
            return None
        if fargs:
            _args_error(fname, stack)
            return None
        guess = g[1]
    rate = guess or 0.1
    oldrate: float | None = None
    oldsum: float | None = None
    total = 1.0
    tries = 0
    while abs(total) > 0.0000001 and rate != oldrate:
        total = 0.0
        factor = 1.0
        for flow in flows:
            factor *= 1 + rate
            if factor == 0:
                stack.append(["e#DIV/0!", 0.0])
                return None
            total += flow / factor
        if oldsum is not None and oldrate is not None:
            m = _jsdiv(total - oldsum, rate - oldrate)
            oldrate = rate
            rate = rate - _jsdiv(total, m)
            oldsum = total
        else:
            oldrate = rate
            rate = 1.1 * rate
            oldsum = total
        tries += 1
        if tries >= 20:
            stack.append(["e#NUM!", 0.0])
            return None
    stack.append(["n%", rate])
    return None


# ---------------------------------------------------------------- database functions, SUMIFS


def _raw_cell(ctx: EvalContext, c: int, r: int) -> tuple[str, Any]:
    """(valuetype, datavalue) as the engine's GetAssuredCell sees it: a blank is ("b", "")."""
    cell = ctx.cells.get(cr_to_coord(c, r))
    if cell is None or (cell.valuetype or "b") == "b":
        return "b", ""
    return cell.valuetype, cell.value


def _field_to_colnum(ctx: EvalContext, c1: int, ncols: int, r1: int, name: Any, ntype: str) -> int:
    if ntype[:1] == "n":
        col = _num(name)
        if col <= 0 or col > ncols:
            return 0
        return math.floor(col)
    if ntype[:1] != "t":
        return 0
    wanted = str(name).lower() if name else ""
    for k in range(ncols):
        _, v = _raw_cell(ctx, c1 + k, r1)
        if _to_str(v).lower() == wanted:
            return k + 1
    return 0


@_register("DAVERAGE", "DCOUNT", "DCOUNTA", "DGET", "DMAX", "DMIN", "DPRODUCT", "DSTDEV", "DSTDEVP", "DSUM",
           "DVAR", "DVARP")  # fmt: skip
def _dseries(fname: str, stack: list[Operand], fargs: list[Operand], ctx: EvalContext) -> str | None:
    db = top_value_and_type(ctx, fargs)
    field = value_and_type(ctx, fargs)
    crit = top_value_and_type(ctx, fargs)
    if db[0] != "range" or crit[0] != "range":
        return _args_error(fname, stack)
    dc1, dr1, dc2, dr2, _ = db[1]
    cc1, cr1, cc2, cr2, _ = crit[1]
    dncols, dnrows = dc2 - dc1 + 1, dr2 - dr1 + 1
    cncols, cnrows = cc2 - cc1 + 1, cr2 - cr1 + 1
    fieldnum = _field_to_colnum(ctx, dc1, dncols, dr1, field[1], field[0])
    if fieldnum <= 0:
        stack.append(["e#VALUE!", 0.0])
        return None
    target = dc1 + fieldnum - 1
    crit_cols: list[int] = []
    for k in range(cncols):
        t, v = _raw_cell(ctx, cc1 + k, cr1)
        num = _field_to_colnum(ctx, dc1, dncols, dr1, v, t)
        if num <= 0:
            stack.append(["e#VALUE!", 0.0])
            return None
        crit_cols.append(dc1 + num - 1)
    total = product = 0.0
    product = 1.0
    count = counta = matches = 0
    maxval: float | None = None
    minval: float | None = None
    mk1 = sk1 = 0.0
    rtype = ""
    last: tuple[str, Any] = ("b", "")
    for i in range(1, dnrows):
        ok = False
        for j in range(1, cnrows):
            row_ok = True
            for k in range(cncols):
                _, criteria = _raw_cell(ctx, cc1 + k, cr1 + j)
                if isinstance(criteria, str) and not criteria:
                    continue
                vt, v = _raw_cell(ctx, crit_cols[k], dr1 + i)
                if not _test_criteria(v, vt or "b", _to_str(criteria)):
                    row_ok = False
                    break
            if row_ok:
                ok = True
                break
        if not ok:
            continue
        vt, v = _raw_cell(ctx, target, dr1 + i)
        last = (vt, v)
        t = vt[:1]
        matches += 1
        if t == "n":
            count += 1
        if t != "b":
            counta += 1
        if t == "n":
            v1 = _num(v)
            total += v1
            product *= v1
            maxval = v1 if maxval is None or v1 > maxval else maxval
            minval = v1 if minval is None or v1 < minval else minval
            if count == 1:
                mk1, sk1 = v1, 0.0
            else:
                mk = mk1 + (v1 - mk1) / count
                sk1 = sk1 + (v1 - mk1) * (v1 - mk)
                mk1 = mk
            rtype = lookup_type(vt, rtype or vt, _PLUS)
        elif t == "e" and rtype[:1] != "e":
            rtype = vt
    rtype = rtype or "n"
    push = stack.append
    if fname == "DSUM":
        push([rtype, total])
    elif fname == "DPRODUCT":
        push([rtype, product])
    elif fname == "DMIN":
        push([rtype, minval or 0.0])
    elif fname == "DMAX":
        push([rtype, maxval or 0.0])
    elif fname == "DCOUNT":
        push(["n", float(count)])
    elif fname == "DCOUNTA":
        push(["n", float(counta)])
    elif fname == "DAVERAGE":
        push([rtype, total / count] if count > 0 else ["e#DIV/0!", 0.0])
    elif fname == "DGET":
        if matches == 1:
            push([last[0], last[1] if last[0] != "b" else ""])
        else:
            push(["e#VALUE!" if matches == 0 else "e#NUM!", 0.0])
    elif count > 1:
        if fname == "DSTDEV":
            push([rtype, math.sqrt(sk1 / (count - 1))])
        elif fname == "DSTDEVP":
            push([rtype, math.sqrt(sk1 / count)])
        elif fname == "DVAR":
            push([rtype, sk1 / (count - 1)])
        else:
            push([rtype, sk1 / count])
    else:
        push(["e#DIV/0!", 0.0])
    return None


@_register("SUMIFS")
def _sumifs(fname: str, stack: list[Operand], fargs: list[Operand], ctx: EvalContext) -> str | None:
    sumrange = top_value_and_type(ctx, fargs)
    if sumrange[0] not in ("coord", "range"):
        _args_error(fname, stack)
        return None
    ranges: list[list[Operand]] = []
    criterias: list[str | None] = []
    while fargs:
        rng = top_value_and_type(ctx, fargs)
        if not fargs:
            _args_error(fname, stack)
            return None
        crit = as_text(ctx, fargs)
        if rng[0] not in ("coord", "range"):
            _args_error(fname, stack)
            return None
        ranges.append([rng])
        criterias.append(_to_str(crit[1]) if crit[0][:1] not in ("e", "b") else None)
    f2: list[Operand] = [sumrange]
    total = 0.0
    rtype = ""
    while f2:
        v2 = value_and_type(ctx, f2)
        good = True
        for rs, criteria in zip(ranges, criterias, strict=True):
            v1 = value_and_type(ctx, rs) if rs else ["", ""]
            if good and not _test_criteria(v1[1], v1[0], criteria):
                good = False
        if not good:
            continue
        if v2[0][:1] == "n":
            total += _num(v2[1])
            rtype = lookup_type(v2[0], rtype or v2[0], _PLUS)
        elif v2[0][:1] == "e" and rtype[:1] != "e":
            rtype = v2[0]
    stack.append([rtype or "n", total])
    return None


IMPLEMENTED = frozenset(_IMPLS)
