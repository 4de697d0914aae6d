"""Field escaping of the MSC save format (reference §2).

SocialCalc splits every line on *every* ``:``, so a colon inside a value is written ``\\c``.
``encode`` mirrors ``SocialCalc.encodeForSave`` and ``decode`` mirrors ``decodeFromSave``.
The order matters: encoding escapes the backslash first (otherwise the backslashes that the
later steps introduce would be escaped again), decoding undoes it last. On every string that
``encode`` produces, ``decode`` is the exact inverse: each backslash of an encoded string starts
one of the three escapes, so replacing ``\\c`` first can never consume half of a ``\\b``.
"""

from __future__ import annotations

__all__ = ["decode", "encode", "unescaped_colon_free"]


def encode(text: str) -> str:
    """Escape a value for a decoded MSC field: ``\\`` → ``\\b``, ``:`` → ``\\c``, LF → ``\\n``."""
    if "\\" in text:
        text = text.replace("\\", "\\b")
    if ":" in text:
        text = text.replace(":", "\\c")
    if "\n" in text:
        text = text.replace("\n", "\\n")
    return text


def decode(text: str) -> str:
    """Undo :func:`encode` exactly as SocialCalc does: ``\\c``, then ``\\n``, then ``\\b``."""
    if "\\" not in text:
        return text
    return text.replace("\\c", ":").replace("\\n", "\n").replace("\\b", "\\")


def unescaped_colon_free(text: str) -> bool:
    """True when ``text`` can be stored in a field without breaking the line's field split."""
    return ":" not in text
