"""The one aggregation of a series of values: SUM, COUNT, AVERAGE, MIN, MAX, PRODUCT, STDEV, VAR….

SocialCalc's SUM family (``SUM`` … ``VARP``), the database forms (``DSUM`` … ``DVARP``) and the
conditional sums (``SUMIF``, ``SUMIFS``, ``COUNTIF``) all walk their values the same way: numbers
add to the total, product, extremes and running variance, and their types combine under the
``plus`` table; blanks and texts only count; the first error (when no error is held yet)
becomes the result type. :func:`aggregate` is that walk, :func:`series_result` reads one
function's answer from it and :func:`series_size` the number of values (COUNTIF).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from docmesh_document.msc.operands import Operand, float_of
from docmesh_document.msc.valuetypes import PLUS, lookup_type

__all__ = ["SERIES_KINDS", "Series", "aggregate", "series_result", "series_size"]

#: What :func:`series_result` can answer (a function's name without the database ``D``).
SERIES_KINDS = (
    "SUM", "PRODUCT", "MIN", "MAX", "COUNT", "COUNTA", "COUNTBLANK", "AVERAGE", "STDEV", "STDEVP", "VAR", "VARP",
)  # fmt: skip
_VARIANCE_KINDS = frozenset(("STDEV", "STDEVP", "VAR", "VARP"))


#: What a walk over a series of values kept: (result type of the sum, "" when no number or
#: error was seen; numbers; values that are not blank; blank values; total; product; largest;
#: smallest; sum of squared deviations from the mean, only when asked for). A plain tuple:
#: one is made per function call, and SUM over a few cells is the commonest call of a sheet.
Series = tuple[str, int, int, int, float, float, float | None, float | None, float]


def aggregate(values: Iterable[tuple[str, Any]], *, variance: bool = False) -> Series:
    """Walk ``(value type, value)`` pairs once; ``variance`` also keeps the running variance
    (Welford's update, as the engine computes it), which only STDEV and VAR need."""
    total = 0.0
    rtype = ""
    count = counta = countblank = 0
    product = 1.0
    maxval: float | None = None
    minval: float | None = None
    mk1 = sk1 = 0.0
    plus = PLUS
    # The last type lookup and its result: a range is usually all one type, so this saves
    # a lookup per cell (the loop runs for every cell of every range).
    last_vt = last_prev = last_rtype = ""
    for vt, v in values:
        t = vt[:1]
        if t == "b":
            countblank += 1
            continue
        counta += 1
        if t == "n":
            count += 1
            v1 = v if type(v) is float else float_of(v)
            total += v1
            product *= v1
            maxval = v1 if maxval is None or v1 > maxval else maxval
            minval = v1 if minval is None or v1 < minval else minval
            if variance:
                if count == 1:
                    mk1, sk1 = v1, 0.0
                else:
                    mk = mk1 + (v1 - mk1) / count
                    sk1 = sk1 + (v1 - mk1) * (v1 - mk)
                    mk1 = mk
            prev = rtype or vt
            if vt != last_vt or prev != last_prev:
                last_vt, last_prev, last_rtype = vt, prev, lookup_type(vt, prev, plus)
            rtype = last_rtype
        elif t == "e" and rtype[:1] != "e":
            rtype = vt
    return rtype, count, counta, countblank, total, product, maxval, minval, sk1


def series_result(kind: str, values: Iterable[tuple[str, Any]]) -> Operand:
    """The result operand of ``kind`` (one of :data:`SERIES_KINDS`) over ``values``."""
    rtype, count, counta, countblank, total, product, maxval, minval, sk1 = aggregate(
        values, variance=kind in _VARIANCE_KINDS
    )
    rtype = rtype or "n"
    if kind == "SUM":
        return [rtype, total]
    if kind == "PRODUCT":
        return [rtype, product]
    if kind == "MIN":
        return [rtype, minval or 0.0]
    if kind == "MAX":
        return [rtype, maxval or 0.0]
    if kind == "COUNT":
        return ["n", float(count)]
    if kind == "COUNTA":
        return ["n", float(counta)]
    if kind == "COUNTBLANK":
        return ["n", float(countblank)]
    if kind == "AVERAGE":
        return [rtype, total / count] if count > 0 else ["e#DIV/0!", 0.0]
    if count <= 1:
        return ["e#DIV/0!", 0.0]
    if kind == "STDEV":
        return [rtype, math.sqrt(sk1 / (count - 1))]
    if kind == "STDEVP":
        return [rtype, math.sqrt(sk1 / count)]
    if kind == "VAR":
        return [rtype, sk1 / (count - 1)]
    return [rtype, sk1 / count]


def series_size(values: Iterable[tuple[str, Any]]) -> int:
    """How many values the series has, blanks included (COUNTIF's count of matching cells)."""
    _, _, counta, countblank, *_ = aggregate(values)
    return counta + countblank
