"""What a formula's operands are, and how the evaluator and the functions read them.

An operand is a ``[type, value]`` list (a list because the engine mutates operands in place):
the value types of :mod:`docmesh_document.msc.valuetypes`, or one of the stack-only types
``coord`` (value ``"B7"``), ``range`` (value ``(c1, r1, c2, r2, seq)``, stepping through one
is O(1) per cell where the engine re-parses a string each step), ``name`` and ``start`` (the
argument-list marker of a function call). These are ports of the engine's
``OperandValueAndType``, ``OperandAsNumber``, ``OperandAsText``, ``TopOfStackValueAndType`` and
``LookupName``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from docmesh_document.msc.coords import MAX_COL, col_name
from docmesh_document.msc.jsnum import format_number, js_number
from docmesh_document.msc.model import Name
from docmesh_document.msc.valuetypes import INPUT_CONSTANTS, determine_value_type, display_number

__all__ = [
    "ERR_SHEET_UNAVAILABLE",
    "EvalContext",
    "Operand",
    "Result",
    "as_number",
    "as_text",
    "coord_cr",
    "cr_to_coord",
    "float_of",
    "iter_values",
    "lookup_name",
    "text_of",
    "top_value_and_type",
    "value_and_type",
]

Operand = list[Any]  # [type, value]; a list because the engine mutates operands in place
Result = tuple[Any, str, str]  # (value, type, error text)

ERR_SHEET_UNAVAILABLE = "Sheet unavailable:"


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


def coord_cr(coord: str) -> tuple[int, int]:
    """``"$B$7"`` → ``(2, 7)``, without validation (the tokenizer has checked the form)."""
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
    """``(2, 7)`` → ``"B7"``, clamped into the sheet as the engine clamps."""
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
            # A name defined by a formula is evaluated where it is used; the evaluator sits
            # above this module (it reads operands), so it is imported here, at the call.
            from docmesh_document.msc.evaluator import evaluate_name

            value, vtype, err = evaluate_name(definition[1:], ctx)
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
            c1, r1 = coord_cr(a.upper())
            c2, r2 = coord_cr(b.upper())
            return ["range", (min(c1, c2), min(r1, r2), max(c1, c2), max(r1, r2), 0)]
        return ["coord", definition.upper().replace("$", "")]
    special = INPUT_CONSTANTS.get(upper)
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
        op[1] = display_number(float_of(op[1]), op[0])
        op[0] = "t"
    elif t == "b":
        op[0], op[1] = "t", ""
    elif t == "e":
        op[1] = ""
    return op


def float_of(v: Any) -> float:
    """A stored value as the float the engine's arithmetic sees (text goes through ``Number()``)."""
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


def text_of(v: Any) -> str:
    """A value as JavaScript's string conversion writes it (numbers as ``String(x)``)."""
    if isinstance(v, float):
        return format_number(v)
    return str(v)
