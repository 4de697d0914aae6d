"""Financial functions: DDB, SLN, SYD, FV, NPER, PMT, PV, RATE, NPV, IRR."""

from __future__ import annotations

from docmesh_document.msc.functions.registry import args_error, register
from docmesh_document.msc.jsmath import js_log, js_pow
from docmesh_document.msc.jsnum import js_div
from docmesh_document.msc.operands import EvalContext, Operand, as_number, float_of, iter_values
from docmesh_document.msc.valuetypes import PLUS, TYPES, lookup_type

__all__: list[str] = []


@register("DDB")
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
        args_error(fname, stack)
        return None
    if method[0][:1] == "e":
        stack.append(method)
        return None
    depreciation = accumulated = 0.0
    i = 1
    while i <= period[1] and i <= life[1]:
        depreciation = (cost[1] - accumulated) * js_div(method[1], life[1])
        if cost[1] - accumulated - depreciation < salvage[1]:
            depreciation = cost[1] - accumulated - salvage[1]
        accumulated += depreciation
        i += 1
    stack.append(["n$", depreciation])
    return None


@register("SLN")
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


@register("SYD")
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


@register("FV", "NPER", "PMT", "PV", "RATE")
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
                    args_error(fname, stack)
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
                g = js_pow(1 + rate, n)
                result = -(pv * g + js_div(payment * (1 + rate * paytype) * (g - 1), rate))
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
                result = js_div(js_log(part3), js_log(1 + rate))
            rt = "n"
        elif fname == "PMT":
            rate, n, pv, fv = a[1], b[1], c[1], opt
            if n == 0:
                stack.append(["e#NUM!", 0.0])
                return None
            if rate == 0:
                result = (fv - pv) / n
            else:
                g = js_pow(1 + rate, n)
                result = js_div(0 - fv - pv * g, js_div((1 + rate * paytype) * (g - 1), rate))
            rt = "n$"
        elif fname == "PV":
            rate, n, payment, fv = a[1], b[1], c[1], opt
            if rate == -1:
                stack.append(["e#DIV/0!", 0.0])
                return None
            if rate == 0:
                result = -fv - payment * n
            else:
                g = js_pow(1 + rate, n)
                result = js_div(-fv - js_div(payment * (1 + rate * paytype) * (g - 1), rate), g)
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
                g = js_pow(1 + rate, n)
                delta = fv + pv * g + js_div(payment * (1 + rate * paytype) * (g - 1), rate)
                if olddelta is not None and oldrate is not None:
                    m = js_div(delta - olddelta, rate - oldrate)
                    if m == 0 or m != m:
                        m = 0.001
                    oldrate = rate
                    rate = rate - js_div(delta, m)
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


@register("NPV")
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
            total += float_of(v) / factor
            rt = lookup_type(vt, rt or vt, PLUS)
        elif vt[:1] == "e" and rt[:1] != "e":
            rt = vt
            break
    if rt[:1] == "n":
        rt = "n$"
    stack.append([rt, total])


@register("IRR")
def _irr(fname: str, stack: list[Operand], fargs: list[Operand], ctx: EvalContext) -> str | None:
    flows: list[float] = []
    for vt, v in iter_values(ctx, [fargs.pop()]):
        if vt[:1] == "n":
            flows.append(float_of(v))
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
            args_error(fname, stack)
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
            m = js_div(total - oldsum, rate - oldrate)
            oldrate = rate
            rate = rate - js_div(total, m)
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
