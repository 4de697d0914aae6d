"""Criteria of COUNTIF, SUMIF, SUMIFS and the database functions (port of ``TestCriteria``).

A criterion is text such as ``">4"``, ``"<>x"``, ``"ab*"`` (wildcards) or a plain value that
must match exactly (texts: as a prefix, case-insensitively).
"""

from __future__ import annotations

import re
from typing import Any

from docmesh_document.msc.operands import float_of
from docmesh_document.msc.valuetypes import determine_value_type, display_number

__all__ = ["matches_criteria"]


def matches_criteria(value: Any, vtype: str, criteria: str | None) -> bool:
    """True when a value of type ``vtype`` meets ``criteria`` (None: an error or blank criterion, never met)."""
    if criteria is None:
        return False
    comp = criteria[:1]
    if comp in ("=", "<", ">"):
        # As in the engine, a leading "<" or ">" is never read as "<=", "<>" or ">=" here:
        # "<>4" compares with the text ">4".
        base = criteria[1:]
    elif re.search(r"([^~]\*|^\*)", criteria) or re.search(r"([^~]\?|^\?)", criteria):
        comp = "regex"
        if criteria == "*":
            base = ".+"
        else:
            rev = criteria[::-1]
            rev = re.sub(r"\?(?=[^~])|\?$", "?.", rev)
            rev = rev.replace("?~", "?\\")
            rev = re.sub(r"\*(?=[^~])|\*$", "*.", rev)
            rev = rev.replace("*~", "*\\", 1)
            base = rev[::-1]
        base = "^" + base + "$"
    else:
        comp, base = "none", criteria
    bvalue, btype = determine_value_type(base)
    if not btype:
        if comp == "none":
            return False
        if vtype[:1] == "b":
            return comp == "="
        return comp == "<>"
    if btype[:1] == "n" and vtype[:1] == "t":
        tv, tt = determine_value_type(str(value))
        if tt[:1] == "n":
            value, vtype = tv, tt
    if vtype[:1] == "n" and btype[:1] == "n":
        x, y = float_of(value), float(bvalue)
        return {
            "<": x < y,
            "<=": x <= y,
            "=": x == y,
            "none": x == y,
            ">=": x >= y,
            ">": x > y,
            "<>": x != y,
        }.get(comp, False)
    if vtype[:1] == "e" or btype[:1] == "e":
        return False
    if vtype[:1] == "n":
        value = display_number(float_of(value), "n")
    if btype[:1] == "n":
        return False
    a = str(value).lower() if value else ""
    b = str(bvalue).lower() if bvalue else ""
    if comp == "<":
        return a < b
    if comp == "<=":
        return a <= b
    if comp == "=":
        return a == b
    if comp == "none":
        return a[: len(b)] == b
    if comp == ">=":
        return a >= b
    if comp == ">":
        return a > b
    if comp == "<>":
        return a != b
    try:
        return re.search(b, a) is not None
    except re.error:
        return False
