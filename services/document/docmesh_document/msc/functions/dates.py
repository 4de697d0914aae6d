"""Date and time functions: DATE, TIME, DAY, MONTH, YEAR, WEEKDAY, HOUR, MINUTE, SECOND, NOW, TODAY.

Dates are day serials (1 = 1899-12-31, as in the engine and Excel after 1900-03-01); a time is
the fraction of a day.
"""

from __future__ import annotations

import math
import time

from docmesh_document.msc.functions.registry import args_error, register
from docmesh_document.msc.jsnum import js_floor, js_fmod
from docmesh_document.msc.operands import EvalContext, Operand, as_number
from docmesh_document.msc.valuetypes import JULIAN_OFFSET, TYPES, julian_to_ymd, lookup_type, ymd_to_julian

__all__: list[str] = []


@register("DATE")
def _date(fname: str, stack: list[Operand], fargs: list[Operand], ctx: EvalContext) -> None:
    y, m, d = as_number(ctx, fargs), as_number(ctx, fargs), as_number(ctx, fargs)
    rt = lookup_type(y[0], m[0], TYPES["twoargnumeric"])
    rt = lookup_type(rt, d[0], TYPES["twoargnumeric"])
    result = 0.0
    if rt[:1] == "n":
        result = float(ymd_to_julian(math.floor(y[1]), math.floor(m[1]), math.floor(d[1])) - JULIAN_OFFSET)
        rt = "nd"
    stack.append([rt, result])


@register("TIME")
def _time(fname: str, stack: list[Operand], fargs: list[Operand], ctx: EvalContext) -> None:
    h, m, s = as_number(ctx, fargs), as_number(ctx, fargs), as_number(ctx, fargs)
    rt = lookup_type(h[0], m[0], TYPES["twoargnumeric"])
    rt = lookup_type(rt, s[0], TYPES["twoargnumeric"])
    result = 0.0
    if rt[:1] == "n":
        result = ((h[1] * 60 * 60) + (m[1] * 60) + s[1]) / (24 * 60 * 60)
        rt = "nt"
    stack.append([rt, result])


@register("DAY", "MONTH", "YEAR", "WEEKDAY")
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
                    args_error(fname, stack)
                    return None
                dtype = dt[1]
            doffset = 6 - (1 if dtype > 1 else 0)
            result = js_fmod(js_floor(dv[1] + doffset), 7) + (1 if dtype < 3 else 0)
    stack.append([rt, result])
    return None


@register("HOUR", "MINUTE", "SECOND")
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


def _now_days() -> float:
    # The engine uses the server's local time zone; docmesh runs in UTC.
    return 25569 + time.time() / 86400


@register("NOW")
def _now(fname: str, stack: list[Operand], fargs: list[Operand], ctx: EvalContext) -> None:
    stack.append(["ndt", _now_days()])


@register("TODAY")
def _today(fname: str, stack: list[Operand], fargs: list[Operand], ctx: EvalContext) -> None:
    stack.append(["nd", float(math.floor(_now_days()))])
