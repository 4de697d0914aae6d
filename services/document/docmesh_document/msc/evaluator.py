"""Formula evaluation with SocialCalc's semantics (port of ``formula1.js`` ``EvaluatePolish``).

The evaluator runs a compiled program (:mod:`docmesh_document.msc.compiler`) on a stack of
operands (:mod:`docmesh_document.msc.operands`): it applies the operators itself and hands
function calls to the implementations the function families registered
(:mod:`docmesh_document.msc.functions`). Numbers are Python floats, which are IEEE doubles like
JavaScript numbers, so the same operations give the same bits; the places where JavaScript
differs from Python (``Math.round``, ``Number()``, ``String(x)``, ``Math.pow``/``log``/``exp``,
floor and ``%`` of infinities) go through :mod:`docmesh_document.msc.jsnum` and
:mod:`docmesh_document.msc.jsmath`.

Plain arithmetic on numbers usually never gets here: :mod:`docmesh_document.msc.fastpath` runs
it as compiled Python and steps aside for this evaluator whenever the result could differ.
"""

from __future__ import annotations

import math
from typing import Any

from docmesh_document.msc.compiler import (
    PROG_COORD,
    PROG_NAME,
    PROG_NUM,
    PROG_OP,
    PROG_START,
    PROG_STRING,
    CompiledFormula,
    compile_formula,
)
from docmesh_document.msc.functions import FUNCTIONS, IMPLEMENTATIONS
from docmesh_document.msc.functions.registry import args_error
from docmesh_document.msc.jsmath import js_pow
from docmesh_document.msc.operands import (
    ERR_SHEET_UNAVAILABLE,
    EvalContext,
    Operand,
    Result,
    as_number,
    as_text,
    coord_cr,
    cr_to_coord,
    float_of,
    lookup_name,
    text_of,
    value_and_type,
)
from docmesh_document.msc.valuetypes import PLUS, TYPES, display_number, lookup_type

__all__ = ["EvalContext", "Result", "evaluate", "evaluate_name", "evaluate_text"]

ERR_MISSING_OPERAND = "Missing operand. "
ERR_IN_FORMULA = "Error in formula."
ERR_CELLREF_MISSING = "Cell reference missing when expected."
_COMPARE_OPS = frozenset(("<", "L", "=", "G", ">", "N"))


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


def evaluate_name(formula: str, ctx: EvalContext) -> Result:
    """The value of a name defined by ``formula`` (a range stays a range, as ``LookupName`` wants)."""
    return evaluate(compile_formula(formula), ctx, allow_range=True)


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
                push([lookup_type(v1[0], v2[0], PLUS), v1[1] * v2[1]])
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
                push([rt, text_of(v1[1]) + text_of(v2[1])])
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
                    rt = lookup_type(v1[0], v2[0], PLUS)
                    push([rt, _js_plus(v1[1], v2[1])])
                    continue
                v2 = as_number(ctx, stack)
                v1 = as_number(ctx, stack)
                if text == "*":
                    push([lookup_type(v1[0], v2[0], PLUS), v1[1] * v2[1]])
                elif text == "-":
                    push([lookup_type(v1[0], v2[0], PLUS), v1[1] - v2[1]])
                elif text == "/":
                    if v2[1] != 0:
                        push(["n", v1[1] / v2[1]])
                    else:
                        push(["e#DIV/0!", 0.0])
                elif text == "^":
                    r = js_pow(v1[1], v2[1])
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
        return text_of(a) + text_of(b)
    return a + b


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
    c1, r1 = coord_cr(left[1])
    c2, r2 = coord_cr(right[1])
    return ["range", (min(c1, c2), min(r1, r2), max(c1, c2), max(r1, r2), 0)]


def _compare(op: str, v1: Operand, v2: Operand) -> Operand:
    t1, t2 = v1[0][:1], v2[0][:1]
    if t1 == "n" and t2 == "n":
        a, b = float_of(v1[1]), float_of(v2[1])
    elif t1 == "e":
        return [v1[0], 0.0]
    elif t2 == "e":
        return [v2[0], 0.0]
    else:
        a = display_number(float_of(v1[1]), "n") if t1 == "n" else "" if t1 == "b" else str(v1[1])  # type: ignore[assignment]
        b = display_number(float_of(v2[1]), "n") if t2 == "n" else "" if t2 == "b" else str(v2[1])  # type: ignore[assignment]
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


# ---------------------------------------------------------------- function calls


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
            return args_error(fname, stack)
    impl = IMPLEMENTATIONS.get(fname)
    if impl is None:
        msg = f"Function {fname} is not implemented by docmesh. "
        stack.append(["e", msg])
        return msg
    return impl(fname, stack, fargs, ctx) or ""
