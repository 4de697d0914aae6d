"""Cell coordinate helpers: column letters ↔ numbers, ``A1`` ↔ (col, row).

SocialCalc coordinates are ``A``..``ZZ`` (702 columns) followed by a row number from 1. The
save format is upper case without ``$``; formulas may use lower case and ``$`` (handled by the
formula tokenizer, which normalises before calling these helpers).
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = [
    "COORD_RE",
    "MAX_COL",
    "CoordError",
    "cell_position",
    "col_name",
    "col_number",
    "coord",
    "is_valid_col",
    "is_valid_coord",
    "parse_coord",
]

MAX_COL = 702  # ZZ: the engine's rcColname clamps to this
COORD_RE = re.compile(r"^([A-Z]{1,2})([1-9][0-9]*)$")
_COL_RE = re.compile(r"^[A-Z]{1,2}$")


class CoordError(ValueError):
    """A string is not a valid ``A1`` coordinate or column name."""


def col_number(name: str) -> int:
    """``"A"`` → 1, ``"Z"`` → 26, ``"AA"`` → 27, ``"ZZ"`` → 702. Upper case only."""
    if not _COL_RE.match(name):
        raise CoordError(f"not a column name: {name!r}")
    n = 0
    for ch in name:
        n = n * 26 + (ord(ch) - 64)
    return n


@lru_cache(maxsize=1024)
def col_name(number: int) -> str:
    """1 → ``"A"``, 702 → ``"ZZ"``. Raises for numbers outside 1..702 (no silent clamping)."""
    if not 1 <= number <= MAX_COL:
        raise CoordError(f"column number out of range 1..{MAX_COL}: {number}")
    high, low = divmod(number - 1, 26)
    return (chr(high + 64) if high else "") + chr(low + 65)


@lru_cache(maxsize=65536)
def coord(col: int, row: int) -> str:
    """(col, row) → ``"A1"``. Cached: a render names hundreds of cells, from a small space."""
    if row < 1:
        raise CoordError(f"row number must be >= 1: {row}")
    return col_name(col) + str(row)


@lru_cache(maxsize=65536)
def parse_coord(text: str) -> tuple[int, int]:
    """``"B7"`` → (2, 7). Strict: upper case, no ``$``, row ≥ 1."""
    m = COORD_RE.match(text)
    if not m:
        raise CoordError(f"not a cell coordinate: {text!r}")
    return col_number(m.group(1)), int(m.group(2))


@lru_cache(maxsize=65536)
def cell_position(text: str) -> tuple[int, int] | None:
    """``"B7"`` → (2, 7), or None when ``text`` is not a canonical coordinate.

    The checks that walk every cell of a sheet ask this of every key, several times per
    document; cached, it is one call instead of a match and a parse.
    """
    return parse_coord(text) if COORD_RE.match(text) else None


def is_valid_coord(text: str) -> bool:
    """True for ``A1``..``ZZ<n>`` in canonical (upper case, no ``$``) form."""
    return COORD_RE.match(text) is not None


def is_valid_col(text: str) -> bool:
    """True for a column name ``A``..``ZZ``."""
    return _COL_RE.match(text) is not None
