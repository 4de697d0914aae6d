"""Logical and information functions: IF, AND, OR, NOT, TRUE, FALSE, NA, ISBLANK … ISTEXT."""

from __future__ import annotations

from docmesh_document.msc.functions.registry import args_error, register
from docmesh_document.msc.operands import EvalContext, Operand, float_of, iter_values, value_and_type
from docmesh_document.msc.valuetypes import TYPES, lookup_type

__all__: list[str] = []


@register("IF")
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
        args_error(fname, stack)
        return None
    truthy = float_of(cond[1]) != 0 if cond[0] != "b" else False
    stack.append(op1 if truthy else op2)
    return None


@register("AND", "OR")
def _and_or(fname: str, stack: list[Operand], fargs: list[Operand], ctx: EvalContext) -> None:
    result = 1.0 if fname == "AND" else 0.0
    rt = ""
    for vt, v in iter_values(ctx, fargs):
        if vt[:1] == "n":
            nz = float_of(v) != 0
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


@register("NOT")
def _not(fname: str, stack: list[Operand], fargs: list[Operand], ctx: EvalContext) -> None:
    vt, v = value_and_type(ctx, fargs)[:2]
    rt = lookup_type(vt, vt, TYPES["propagateerror"])
    result = 0.0
    if vt[:1] == "n" or vt == "b":
        result = 0.0 if float_of(v) != 0 else 1.0
        rt = "nl"
    elif vt[:1] == "t":
        rt = "e#VALUE!"
    stack.append([rt, result])


@register("ISBLANK", "ISERR", "ISERROR", "ISLOGICAL", "ISNA", "ISNONTEXT", "ISNUMBER", "ISTEXT")
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


@register("TRUE", "FALSE")
def _true_false(fname: str, stack: list[Operand], fargs: list[Operand], ctx: EvalContext) -> None:
    stack.append(["nl", 1.0 if fname == "TRUE" else 0.0])


@register("NA")
def _na(fname: str, stack: list[Operand], fargs: list[Operand], ctx: EvalContext) -> None:
    stack.append(["e#N/A", 0.0])
