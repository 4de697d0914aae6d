"""Mathematical functions: ABS … TAN, ATAN2, MOD, POWER, TRUNC, LOG, ROUND, CEILING, FLOOR, PI, RAND."""

from __future__ import annotations

import math
import random

from docmesh_document.msc.functions.registry import args_error, register
from docmesh_document.msc.jsmath import js_exp, js_log, js_pow
from docmesh_document.msc.jsnum import js_ceil, js_div, js_floor, js_fmod, js_number, js_round
from docmesh_document.msc.operands import EvalContext, Operand, as_number, float_of, value_and_type
from docmesh_document.msc.valuetypes import TYPES, lookup_type

__all__ = ["round_digits"]


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


def _even_odd(value: float, odd: bool) -> float:
    v = -value if value < 0 else value
    if v != js_floor(v):
        f = js_floor(v + 1)
        v = f + ((1 - js_fmod(f, 2)) if odd else js_fmod(f, 2))
    else:
        v = v + ((1 - js_fmod(v, 2)) if odd else js_fmod(v, 2))
    return -v if value < 0 else v


@register(
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
            value = js_floor(value)
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


@register("ATAN2", "MOD", "POWER", "TRUNC")
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
            value = js_pow(xv, yv)
            if value != value:
                value, rt = 0.0, "e#NUM!"
        elif fname == "MOD":
            if yv == 0:
                rt = "e#DIV/0!"
            else:
                value = xv - js_floor(xv / yv) * yv
        else:  # TRUNC
            if yv >= 0:
                scale = _times10(math.floor(yv))
                value = js_floor(abs(xv) * scale) / scale
            else:
                scale = _times10(math.floor(-yv))
                value = js_floor(abs(xv) / scale) * scale
            if xv < 0:
                value = -value
    stack.append([rt, value])


@register("LOG")
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
        args_error(fname, stack)
        return None
    else:
        b = math.e
    result = 0.0
    if rt == "n":
        if v[1] <= 0:
            stack.append(["e#NUM!", "LOG first argument must be greater than 0"])
            return None
        result = js_div(js_log(v[1]), js_log(b))
    stack.append([rt, result])
    return None


def round_digits(x: float, digits: float) -> float:
    """``ROUND(x, digits)`` as the engine computes it: ``Math.round`` of x scaled by a power of
    ten (made by repeated multiplication), scaled back (the fast path calls it too)."""
    if digits == 0:
        return js_round(x)
    if digits > 0:
        scale = _times10(math.floor(digits))
        return js_round(x * scale) / scale
    scale = _times10(math.floor(-digits))
    return js_round(x / scale) * scale


@register("ROUND")
def _round(fname: str, stack: list[Operand], fargs: list[Operand], ctx: EvalContext) -> str | None:
    if len(fargs) == 2:
        # Fast path: ROUND(number, number) with both already plain numbers, as in the rounding
        # formulas of every invoice line (type "n" in, "n" out; the same arithmetic as below).
        d_op, x_op = fargs
        if x_op[0] == "n" and d_op[0] == "n" and type(x_op[1]) is float and type(d_op[1]) is float:
            fargs.clear()
            stack.append(["n", round_digits(x_op[1], d_op[1])])
            return None
    v = value_and_type(ctx, fargs)
    rt = lookup_type(v[0], v[0], TYPES["oneargnumeric"])
    if len(fargs) == 1:
        v2 = value_and_type(ctx, fargs)
        if v2[0][:1] != "n":
            stack.append(["e#NUM!", "ROUND second argument must be numeric"])
            return None
        digits = float_of(v2[1])
    elif fargs:
        args_error(fname, stack)
        return None
    else:
        digits = 0.0
    result = 0.0
    if rt == "n":
        result = round_digits(float_of(v[1]), digits)
    stack.append([rt, result])
    return None


@register("CEILING", "FLOOR")
def _ceiling_floor(fname: str, stack: list[Operand], fargs: list[Operand], ctx: EvalContext) -> None:
    val = value_and_type(ctx, fargs)
    if val[0][:1] != "n":
        stack.append(["e#VALUE!", 0.0])
        return
    x = float_of(val[1])
    if x == 0:
        stack.append(["n", 0.0])
        return
    if len(fargs) == 1:
        sig_op = value_and_type(ctx, fargs)
        sig = float_of(sig_op[1]) if sig_op[0][:1] in ("n", "b") else js_number(str(sig_op[1]))
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
        stack.append(["n", js_ceil(x / sig) * sig])
    else:
        stack.append(["n", js_floor(x / sig) * sig])


@register("PI")
def _pi(fname: str, stack: list[Operand], fargs: list[Operand], ctx: EvalContext) -> None:
    stack.append(["n", math.pi])


@register("RAND")
def _rand(fname: str, stack: list[Operand], fargs: list[Operand], ctx: EvalContext) -> None:
    stack.append(["n", random.random()])
