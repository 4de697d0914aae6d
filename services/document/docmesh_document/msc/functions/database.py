"""Database functions: DAVERAGE, DCOUNT, DCOUNTA, DGET, DMAX, DMIN, DPRODUCT, DSTDEV, DSTDEVP,
DSUM, DVAR, DVARP.

``Dxxx(database, field, criteria)``: the rows of ``database`` (a range whose first row holds
the field names) that match any row of ``criteria`` (first row: field names; a row matches
when every non-empty criterion of it does) give the values of ``field``; the aggregate is the
one of the SUM family (:mod:`docmesh_document.msc.functions.aggregate`), DGET the single value.
"""

from __future__ import annotations

import math
from typing import Any

from docmesh_document.msc.functions.aggregate import series_result
from docmesh_document.msc.functions.criteria import matches_criteria
from docmesh_document.msc.functions.registry import args_error, register
from docmesh_document.msc.operands import (
    EvalContext,
    Operand,
    cr_to_coord,
    float_of,
    text_of,
    top_value_and_type,
    value_and_type,
)

__all__: list[str] = []


def _raw_cell(ctx: EvalContext, c: int, r: int) -> tuple[str, Any]:
    """(valuetype, datavalue) as the engine's GetAssuredCell sees it: a blank is ("b", "")."""
    cell = ctx.cells.get(cr_to_coord(c, r))
    if cell is None or (cell.valuetype or "b") == "b":
        return "b", ""
    return cell.valuetype, cell.value


def _field_to_colnum(ctx: EvalContext, c1: int, ncols: int, r1: int, name: Any, ntype: str) -> int:
    if ntype[:1] == "n":
        col = float_of(name)
        if col <= 0 or col > ncols:
            return 0
        return math.floor(col)
    if ntype[:1] != "t":
        return 0
    wanted = str(name).lower() if name else ""
    for k in range(ncols):
        _, v = _raw_cell(ctx, c1 + k, r1)
        if text_of(v).lower() == wanted:
            return k + 1
    return 0


@register("DAVERAGE", "DCOUNT", "DCOUNTA", "DGET", "DMAX", "DMIN", "DPRODUCT", "DSTDEV", "DSTDEVP", "DSUM",
           "DVAR", "DVARP")  # fmt: skip
def _dseries(fname: str, stack: list[Operand], fargs: list[Operand], ctx: EvalContext) -> str | None:
    db = top_value_and_type(ctx, fargs)
    field = value_and_type(ctx, fargs)
    crit = top_value_and_type(ctx, fargs)
    if db[0] != "range" or crit[0] != "range":
        return args_error(fname, stack)
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
    matched: list[tuple[str, Any]] = []
    for i in range(1, dnrows):
        for j in range(1, cnrows):
            row_ok = True
            for k in range(cncols):
                _, criteria = _raw_cell(ctx, cc1 + k, cr1 + j)
                if isinstance(criteria, str) and not criteria:
                    continue
                vt, v = _raw_cell(ctx, crit_cols[k], dr1 + i)
                if not matches_criteria(v, vt or "b", text_of(criteria)):
                    row_ok = False
                    break
            if row_ok:
                matched.append(_raw_cell(ctx, target, dr1 + i))
                break
    if fname != "DGET":
        stack.append(series_result(fname[1:], matched))
    elif len(matched) == 1:
        vt, v = matched[0]
        stack.append([vt, v if vt != "b" else ""])
    else:
        stack.append(["e#VALUE!" if not matched else "e#NUM!", 0.0])
    return None
