"""The names of SocialCalc's functions, their argument counts, and which ones are widgets.

This is what a formula may call (the validator checks names and argument counts against it,
the evaluator checks argument counts before calling an implementation); what docmesh
evaluates is :data:`docmesh_document.msc.functions.IMPLEMENTED`.
"""

from __future__ import annotations

__all__ = ["FUNCTIONS", "SIDE_EFFECT_FUNCTIONS"]

#: Every function of the engine (socialcalc 2.3.0) with its argument count as the engine checks
#: it: n = exactly n, -n = at least n, 100 = not checked. Read from the engine at run time.
FUNCTIONS: dict[str, int] = {
    "ABS": 1, "ACOS": 1, "AND": -1, "ASIN": 1, "ATAN": 1, "ATAN2": 2, "AUTOCOMPLETE": 2,
    "AVERAGE": -1, "BUTTON": 1, "CEILING": -1, "CHECKBOX": 1, "CHOOSE": -2, "COLUMNS": 1,
    "COMMAND": -1, "COMMANDIF": -1, "CONCAT": -1, "CONCATENATE": -1, "COPYFORMULA": 3,
    "COPYVALUE": 3, "COS": 1, "COUNT": -1, "COUNTA": -1, "COUNTBLANK": -1, "COUNTIF": 2,
    "DATE": 3, "DAVERAGE": 3, "DAY": 1, "DCOUNT": 3, "DCOUNTA": 3, "DDB": -4, "DEGREES": 1,
    "DELETEIF": -1, "DGET": 3, "DMAX": 3, "DMIN": 3, "DPRODUCT": 3, "DSTDEV": 3, "DSTDEVP": 3,
    "DSUM": 3, "DVAR": 3, "DVARP": 3, "EMAIL": -3, "EMAILAT": -4, "EMAILATIF": -5, "EMAILIF": -4,
    "EMAILONEDIT": -4, "EMAILONEDITIF": -5, "EVEN": 1, "EXACT": 2, "EXP": 1, "FACT": 1,
    "FALSE": 0, "FIND": -2, "FLOOR": -1, "FV": -3, "HEXCODE": 1, "HLOOKUP": -3, "HOUR": 1,
    "IF": -2, "IMAGEBUTTON": 1, "INDEX": -1, "INSERT": -2, "INT": 1, "IRR": -1, "ISBLANK": 1,
    "ISERR": 1, "ISERROR": 1, "ISLOGICAL": 1, "ISNA": 1, "ISNONTEXT": 1, "ISNUMBER": 1,
    "ISTEXT": 1, "LEFT": -2, "LEN": 1, "LN": 1, "LOG": -1, "LOG10": 1, "LOWER": 1, "MATCH": -2,
    "MAX": -1, "MID": 3, "MIN": -1, "MINUTE": 1, "MOD": 2, "MONTH": 1, "N": 1, "NA": 0, "NOT": 1,
    "NOW": 0, "NPER": -3, "NPV": -2, "ODD": 1, "OR": -1, "PANEL": -1, "PI": 0, "PMT": -3,
    "POWER": 2, "PRODUCT": -1, "PROPER": 1, "PV": -3, "RADIANS": 1, "RADIOBUTTON": 2, "RAND": 0,
    "RATE": -3, "REPLACE": 4, "REPT": 2, "RIGHT": -1, "ROUND": -1, "ROWS": 1, "SECOND": 1,
    "SELECT": -2, "SIN": 1, "SLN": 3, "SPLASH": -1, "SQRT": 1, "STDEV": -1, "STDEVP": -1,
    "STYLE": -1, "SUBMIT": 100, "SUBSTITUTE": -3, "SUM": -1, "SUMIF": -2, "SUMIFS": -3,
    "SUMPRODUCT": -1, "SYD": 4, "T": 1, "TAN": 1, "TEXTBOX": 1, "TIME": 3, "TODAY": 0, "TRIM": 1,
    "TRUE": 0, "TRUNC": 2, "UPPER": 1, "VALUE": 1, "VAR": -1, "VARP": -1, "VLOOKUP": -3,
    "WEEKDAY": -1, "YEAR": 1,
}  # fmt: skip

#: EtherCalc functions with side effects or UI widgets: a generator must not emit these (§7).
SIDE_EFFECT_FUNCTIONS = frozenset(
    "COMMAND COMMANDIF COPYFORMULA COPYVALUE DELETEIF INSERT SUBMIT EMAIL EMAILIF EMAILAT "
    "EMAILATIF EMAILONEDIT EMAILONEDITIF AUTOCOMPLETE BUTTON CHECKBOX IMAGEBUTTON PANEL "
    "RADIOBUTTON SELECT SPLASH STYLE TEXTBOX".split()
)
