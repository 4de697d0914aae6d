"""Lookup and reference functions: VLOOKUP, HLOOKUP, MATCH, INDEX, CHOOSE, COLUMNS, ROWS."""

from __future__ import annotations

import math
from typing import Any

from docmesh_document.msc.functions.registry import args_error, register
from docmesh_document.msc.operands import (
    EvalContext,
    Operand,
    as_number,
    cr_to_coord,
    float_of,
    top_value_and_type,
    value_and_type,
)

__all__: list[str] = []


@register("VLOOKUP", "HLOOKUP", "MATCH")
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
                args_error(fname, stack)
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
                args_error(fname, stack)
                return None
            rangelookup = 1.0 if rl[1] else 0.0
    ltype = lv[0][:1]
    if ltype == "n":
        lval = float_of(lval)
    if rng[0] != "range":
        args_error(fname, stack)
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
            value = float_of(value)
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


@register("INDEX")
def _index(fname: str, stack: list[Operand], fargs: list[Operand], ctx: EvalContext) -> str | None:
    rng = top_value_and_type(ctx, fargs)
    if rng[0] != "range":
        args_error(fname, stack)
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
                args_error(fname, stack)
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


@register("CHOOSE")
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


@register("COLUMNS", "ROWS")
def _columns_rows(fname: str, stack: list[Operand], fargs: list[Operand], ctx: EvalContext) -> None:
    op = top_value_and_type(ctx, fargs)
    if op[0] == "coord":
        stack.append(["n", 1.0])
    elif op[0] == "range":
        c1, r1, c2, r2, _ = op[1]
        stack.append(["n", float(c2 - c1 + 1 if fname == "COLUMNS" else r2 - r1 + 1)])
    else:
        stack.append(["e#VALUE!", 0.0])
