"""Statistical functions: SUM … VARP, SUMPRODUCT, and the conditional COUNTIF, SUMIF, SUMIFS.

The SUM family and the conditional sums are :func:`~docmesh_document.msc.functions.aggregate.aggregate`
over their values (for SUMIF and SUMIFS: over the cells whose criteria cells match).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from docmesh_document.msc.functions.aggregate import SERIES_KINDS, series_result, series_size
from docmesh_document.msc.functions.criteria import matches_criteria
from docmesh_document.msc.functions.registry import args_error, register
from docmesh_document.msc.operands import (
    EvalContext,
    Operand,
    as_text,
    cr_to_coord,
    float_of,
    iter_values,
    text_of,
    top_value_and_type,
    value_and_type,
)

__all__: list[str] = []


@register(*SERIES_KINDS)
def _series(fname: str, stack: list[Operand], fargs: list[Operand], ctx: EvalContext) -> None:
    stack.append(series_result(fname, iter_values(ctx, fargs)))


@register("SUMPRODUCT")
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
                    products[base + j] *= v if type(v) is float else float_of(v)
                else:
                    products[base + j] *= 0.0
    total = 0.0
    for p in products:
        total += p
    stack.append(["n", total])


@register("COUNTIF", "SUMIF")
def _countif_sumif(fname: str, stack: list[Operand], fargs: list[Operand], ctx: EvalContext) -> str | None:
    rng = top_value_and_type(ctx, fargs)
    crit = as_text(ctx, fargs)
    if fname == "SUMIF":
        if len(fargs) == 1:
            sumrange = top_value_and_type(ctx, fargs)
        elif not fargs:
            sumrange = [rng[0], rng[1]]
        else:
            args_error(fname, stack)
            return None
    else:
        sumrange = [rng[0], rng[1]]
    criteria: str | None
    if crit[0][:1] == "n":
        criteria = text_of(crit[1])
    elif crit[0][:1] in ("e", "b"):
        criteria = None
    else:
        criteria = str(crit[1])
    if rng[0] not in ("coord", "range") or (fname == "SUMIF" and sumrange[0] not in ("coord", "range")):
        args_error(fname, stack)
        return None

    def matching() -> Iterator[tuple[str, Any]]:
        # The sum range is walked in step with the criteria range (a shorter one reads as blanks).
        f1: list[Operand] = [rng]
        f2: list[Operand] = [sumrange]
        while f1:
            v1 = value_and_type(ctx, f1)
            v2: Operand = value_and_type(ctx, f2) if f2 else ["b", 0.0]
            if matches_criteria(v1[1], v1[0], criteria):
                yield v2[0], v2[1]

    if fname == "SUMIF":
        stack.append(series_result("SUM", matching()))
    else:
        stack.append(["n", float(series_size(matching()))])
    return None


@register("SUMIFS")
def _sumifs(fname: str, stack: list[Operand], fargs: list[Operand], ctx: EvalContext) -> str | None:
    sumrange = top_value_and_type(ctx, fargs)
    if sumrange[0] not in ("coord", "range"):
        args_error(fname, stack)
        return None
    ranges: list[list[Operand]] = []
    criterias: list[str | None] = []
    while fargs:
        rng = top_value_and_type(ctx, fargs)
        if not fargs:
            args_error(fname, stack)
            return None
        crit = as_text(ctx, fargs)
        if rng[0] not in ("coord", "range"):
            args_error(fname, stack)
            return None
        ranges.append([rng])
        criterias.append(text_of(crit[1]) if crit[0][:1] not in ("e", "b") else None)

    def matching() -> Iterator[tuple[str, Any]]:
        # Every criteria range steps along with the sum range, also after a criterion failed.
        f2: list[Operand] = [sumrange]
        while f2:
            v2 = value_and_type(ctx, f2)
            good = True
            for rs, criteria in zip(ranges, criterias, strict=True):
                v1 = value_and_type(ctx, rs) if rs else ["", ""]
                if good and not matches_criteria(v1[1], v1[0], criteria):
                    good = False
            if good:
                yield v2[0], v2[1]

    stack.append(series_result("SUM", matching()))
    return None
