"""The fast path: formulas compiled to Python functions for the all-numbers case, before the evaluator.

Most formulas of a business sheet are arithmetic on plain numbers: an invoice line is
``ROUND(ROUND(C5*E5*100,0),0)/100``. The engine (:func:`docmesh_document.msc.evaluator.evaluate`)
interprets the RPN program one token at a time, boxing every intermediate value in a
``[type, value]`` operand and looking its result type up in SocialCalc's type tables. When every
input is a plain number (value type ``n`` holding a float) none of that machinery can change the
outcome, so such a formula can run as one Python expression instead.

The compilation scheme:

* Only a small subset qualifies: number literals, cell references, ``+ - * /``, unary ``-`` and
  ``+``, comparisons, ``ROUND(x, digits)``, ``IF``, ``MOD`` and ``INT``. Anything else (text,
  names, ranges, other functions, other argument counts, malformed programs) has no compiled
  form and always goes to the engine.
* Formulas that differ only in their references and number literals share a *shape*: the RPN
  program with those payloads taken out. Each shape becomes one generated Python function,
  compiled with :func:`compile` once and cached; the references and literals of one formula text
  are its arguments. A sheet with thousands of line formulas therefore compiles a handful of
  functions, which keeps a cold load (every formula new) as cheap as before.
* The generated function returns ``None`` whenever the engine could answer differently from plain
  float arithmetic, and the caller then evaluates the formula with the engine as before:

  - a referenced cell is missing, does not hold a float, or has a type other than the numeric
    types of :data:`_NUMERIC_TYPES` (blank, text and errors carry conversions and propagation
    rules). A reference whose type can reach the result (through ``+ - *`` and unary signs, not
    through ``/`` or ``ROUND``, which always give ``n``) must be exactly ``n``, so that the result
    type is ``n`` too;
  - a division by zero (Python raises ``ZeroDivisionError`` exactly when the engine's
    ``v2 != 0`` test fails and it produces ``#DIV/0!``), or any other arithmetic exception
    (``ROUND`` with infinite or NaN digits), which the engine turns into ``#NUM!``;
  - a result that is not finite (the engine reports ``Numeric overflow``).

  With numeric floats in, every operator of the subset gives a numeric type in the engine's
  tables (never an error: numeric types combine into numeric types, ``/`` and ``ROUND`` give
  ``n``, unary signs keep the type), the engine converts nothing (its conversions apply only to
  non-float values), and it performs the same IEEE operation on the same doubles in the same
  association as the RPN, so the value is bit for bit the engine's and the type is ``n``.
  Evaluation order does not matter: nothing in the subset has a side effect.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from docmesh_document.msc.compiler import (
    PROG_COORD,
    PROG_NAME,
    PROG_NUM,
    PROG_OP,
    PROG_START,
    compile_formula,
)
from docmesh_document.msc.functions.math import round_digits
from docmesh_document.msc.jsnum import js_floor

__all__ = ["FastFormula", "clear_caches", "fast_formula"]

# A compiled shape and the arguments (references and literals, in program order) of one formula.
FastFormula = tuple[Callable[..., float | None], tuple[Any, ...]]

_BINARY = {"+": "+", "-": "-", "*": "*", "/": "/"}
_START = object()  # the function-argument marker of the RPN (PROG_START)
# Numeric value types whose rows in the engine's type tables combine with each other into a
# numeric type (never an error): n, percent, currency, date, time, date-time, logical.
_NUMERIC_TYPES = frozenset(("n", "n%", "n$", "nd", "nt", "ndt", "nl"))

# Comparison operators of the RPN (L is <=, G is >=, N is <>) and their Python spelling.
_COMPARE = {"<": "<", "L": "<=", "=": "==", "G": ">=", ">": ">", "N": "!="}
_NOT_N = "!"  # a "reference" marking a value whose type is not n (a comparison's nl)

# Functions of the subset: accepted argument counts and the helper the generated code calls.
_FUNCTION_ARGS = {"ROUND": (2,), "IF": (2, 3), "MOD": (2,), "INT": (1,)}
_FUNCTION_CALLS = {"ROUND": "_round", "IF": "_if", "MOD": "_mod", "INT": "js_floor"}


def _if(cond: float, then: float, otherwise: float = 0.0) -> float:
    # The engine's IF: a true condition is a number other than 0 (NaN included); a missing
    # third argument is the number 0. Both branches are already evaluated, as in the engine,
    # so an arithmetic exception in the branch not taken still hands the formula to the engine.
    return then if cond != 0 else otherwise


def _mod(x: float, y: float) -> float:
    # The engine's MOD of two numbers; a zero divisor is #DIV/0!, which the engine reports.
    if y == 0:
        raise ZeroDivisionError
    return x - js_floor(x / y) * y


# Names the generated code uses; passed as its globals.
_NAMESPACE: dict[str, Any] = {
    "_round": round_digits,
    "_if": _if,
    "_mod": _mod,
    "js_floor": js_floor,
    "_isfinite": math.isfinite,
    "_float": float,
    "_NUMERIC": _NUMERIC_TYPES,
}


@lru_cache(maxsize=65536)
def fast_formula(text: str) -> FastFormula | None:
    """The compiled form of formula ``text`` (no leading ``=``), or None when it has none."""
    compiled = compile_formula(text)
    if compiled.error or not compiled.tokens:
        return None
    shape: list[tuple[int, Any]] = []
    args: list[Any] = []
    for code, payload in compiled.program:
        if code == PROG_COORD or code == PROG_NUM:
            if code == PROG_NUM and type(payload) is not float:
                return None
            shape.append((code, None))
            args.append(payload)
        else:
            shape.append((code, payload))
    fn = _compile_shape(tuple(shape))
    if fn is None:
        return None
    return fn, tuple(args)


@lru_cache(maxsize=4096)
def _compile_shape(shape: tuple[tuple[int, Any], ...]) -> Callable[..., float | None] | None:
    """Generate and compile the function for one program shape (None: outside the subset)."""
    # Rebuild the expression tree from the RPN with a stack of (Python expression, references
    # whose type reaches this value). Every binary operation is parenthesised so Python
    # associates exactly as the RPN does. Payloads never enter the source: only parameter
    # names and operators from the fixed tables above do.
    stack: list[Any] = []
    params: list[str] = []
    coords: list[str] = []
    for code, payload in shape:
        if code == PROG_NUM:
            name = f"a{len(params)}"
            params.append(name)
            stack.append((name, ()))
        elif code == PROG_COORD:
            name = f"a{len(params)}"
            params.append(name)
            coords.append(name)
            stack.append((f"v{name}", (name,)))
        elif code == PROG_START:
            stack.append(_START)
        elif code == PROG_OP and payload in _BINARY:
            if len(stack) < 2 or stack[-1] is _START or stack[-2] is _START:
                return None
            right, rtyped = stack.pop()
            left, ltyped = stack.pop()
            # "/" always gives type n; + - * combine their operands' types.
            typed = () if payload == "/" else ltyped + rtyped
            stack.append((f"({left} {_BINARY[payload]} {right})", typed))
        elif code == PROG_OP and payload in ("M", "P"):
            if not stack or stack[-1] is _START:
                return None
            operand, typed = stack.pop()
            stack.append((f"(-{operand})" if payload == "M" else operand, typed))
        elif code == PROG_OP and payload in _COMPARE:
            if len(stack) < 2 or stack[-1] is _START or stack[-2] is _START:
                return None
            right, _ = stack.pop()
            left, _ = stack.pop()
            # Two numbers compare as floats; the result has type nl (1 or 0), never plain n.
            stack.append((f"(1.0 if {left} {_COMPARE[payload]} {right} else 0.0)", (_NOT_N,)))
        elif code == PROG_NAME and payload in _FUNCTION_ARGS:
            args: list[tuple[str, tuple[str, ...]]] = []
            while stack and stack[-1] is not _START:
                args.append(stack.pop())
            if not stack or len(args) not in _FUNCTION_ARGS[payload]:
                return None
            stack.pop()
            args.reverse()
            exprs = ", ".join(e for e, _ in args)
            # IF hands back the chosen operand itself, so its branches' types carry on; the
            # numeric functions give n.
            typed = args[1][1] + (args[2][1] if len(args) == 3 else ()) if payload == "IF" else ()
            stack.append((f"{_FUNCTION_CALLS[payload]}({exprs})", typed))
        else:
            return None
    if len(stack) != 1 or stack[0] is _START:
        return None
    expression, typed = stack[0]
    if _NOT_N in typed:
        return None
    loads: list[str] = []
    for name in coords:
        # A reference whose type would become the formula's result type must be a plain n
        # (the result is then n); elsewhere any numeric type holding a float gives the same
        # value (the engine only converts non-float values, and ROUND and / return n).
        test = 'c.valuetype != "n"' if name in typed else "c.valuetype not in _NUMERIC"
        loads += [
            f"    c = get({name})",
            f"    if c is None or {test}:",
            "        return None",
            f"    v{name} = c.value",
            f"    if type(v{name}) is not _float:",
            "        return None",
        ]
    source = "\n".join(
        [
            f"def _formula(get, {', '.join(params)}):",
            *loads,
            "    try:",
            f"        r = {expression}",
            "    except (ArithmeticError, ValueError):",
            "        return None",
            "    return r if _isfinite(r) else None",
        ]
    )
    namespace = dict(_NAMESPACE)
    exec(compile(source, f"<formula shape {len(shape)}>", "exec"), namespace)
    fn: Callable[..., float | None] = namespace["_formula"]
    return fn


def clear_caches() -> None:
    """Forget every fast form and compiled shape (empty in a fresh process too)."""
    fast_formula.cache_clear()
    _compile_shape.cache_clear()
