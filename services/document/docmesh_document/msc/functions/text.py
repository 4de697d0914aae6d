"""Text functions: CONCAT, CONCATENATE, EXACT, FIND … UPPER, and the conversions N, T, VALUE."""

from __future__ import annotations

import math
import re
from typing import Any

from docmesh_document.msc.functions.registry import args_error, register
from docmesh_document.msc.operands import (
    EvalContext,
    Operand,
    as_number,
    as_text,
    float_of,
    iter_values,
    text_of,
    value_and_type,
)
from docmesh_document.msc.valuetypes import determine_value_type

__all__: list[str] = []


@register("CONCAT", "CONCATENATE")
def _concat(fname: str, stack: list[Operand], fargs: list[Operand], ctx: EvalContext) -> None:
    # Every value of every argument (ranges row by row) as text; blanks and errors are left out.
    parts = [text_of(v) for vt, v in iter_values(ctx, fargs) if vt[:1] != "e" and vt[:1] != "b"]
    stack.append(["t", "".join(parts)])


@register("EXACT")
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
            result = float(v1[1] == text_of(v2[1]))
    elif t1 == "n":
        if t2 == "n":
            result = float(float_of(v1[1]) == float_of(v2[1]))
        elif t2 == "t":
            result = float(text_of(v1[1]) == v2[1])
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


@register(*_STRING_ARGS)
def _strings(fname: str, stack: list[Operand], fargs: list[Operand], ctx: EvalContext) -> str | None:
    argdef = _STRING_ARGS[fname]
    vals: list[Any] = [None]
    types: list[str] = [""]
    n = len(fargs)
    for i in range(1, n + 1):
        if i > len(argdef):
            args_error(fname, stack)
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
    s1 = text_of(vals[1]) if vals[1] is not None else ""
    if fname == "FIND":
        offset = int(vals[3] - 1) if types[3] else 0
        if offset >= 0:
            pos = text_of(vals[2]).find(s1, offset)
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
            result, rt = s1[:a] + text_of(vals[4]) + s1[a + int(ln) :], "t"
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
        old, new = text_of(vals[2]), text_of(vals[3])
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


@register("N", "T", "VALUE")
def _ntv(fname: str, stack: list[Operand], fargs: list[Operand], ctx: EvalContext) -> None:
    vt, v = value_and_type(ctx, fargs)[:2]
    t = vt[:1]
    result: Any = 0.0
    rt = "e#VALUE!"
    if fname == "N":
        result, rt = (float_of(v) if t == "n" else 0.0), "n"
    elif fname == "T":
        result, rt = (str(v) if t == "t" else ""), "t"
    elif t in ("n", "b"):
        result, rt = (float_of(v) or 0.0), "n"
    elif t == "t":
        dv, dt = determine_value_type(str(v))
        if dt[:1] == "n":
            result, rt = float(dv), "n"
    if t == "e":
        rt = vt
    stack.append([rt, result])
