"""Where the function families register their implementations, and what they share.

An implementation is ``impl(fname, stack, fargs, ctx)``: ``fargs`` holds the call's arguments
last-first (pop gives the first), the implementation pushes its result operand on ``stack``
and returns an error text that stops the evaluation, or None (port of the ``CalculateFunction``
contract of ``formula1.js``).
"""

from __future__ import annotations

from collections.abc import Callable

from docmesh_document.msc.operands import EvalContext, Operand

__all__ = ["IMPLEMENTATIONS", "FunctionImpl", "args_error", "register"]

FunctionImpl = Callable[[str, list[Operand], list[Operand], EvalContext], str | None]

#: Function name → its implementation; filled by importing the family modules.
IMPLEMENTATIONS: dict[str, FunctionImpl] = {}


def register(*names: str) -> Callable[[FunctionImpl], FunctionImpl]:
    """Decorator: ``impl`` evaluates the functions ``names``."""

    def deco(fn: FunctionImpl) -> FunctionImpl:
        for n in names:
            IMPLEMENTATIONS[n] = fn
        return fn

    return deco


def args_error(fname: str, stack: list[Operand]) -> str:
    """Push the engine's wrong-arguments error and return its text (which stops evaluation)."""
    msg = f"Incorrect arguments to function {fname}. "
    stack.append(["e#VALUE!", msg])
    return msg
