"""Which line a phrase means: "item 2", "the last line", "the logo line", "consulting", "it"."""

from __future__ import annotations

import difflib
import re
from typing import Any

from docmesh_agent.builtin.edits.op import EditError

_ITEM_REF = r"(?:item|line|row|position|#)\s*(?P<n>\d+)|(?:the\s+)?(?P<ord>first|second|third|fourth|fifth|last)(?:\s+(?:item|line|row|one))?"
_ORDINALS = {"first": 0, "second": 1, "third": 2, "fourth": 3, "fifth": 4, "last": -1}


def find_line(ref: str, descriptions: list[str]) -> int | None:
    """The line a phrase refers to: "item 2", "the last line", "the logo line", "consulting"."""
    ref = ref.strip().strip("“”\"'")
    match = re.fullmatch(_ITEM_REF, ref, re.IGNORECASE)
    if match:
        if match.group("n"):
            index = int(match.group("n")) - 1
        else:
            index = _ORDINALS[match.group("ord").lower()]
            if index == -1:
                index = len(descriptions) - 1
        if 0 <= index < len(descriptions):
            return index
        raise EditError(
            f"There is no {ref.lower()}; the document has {len(descriptions)} line{'s' if len(descriptions) != 1 else ''}."
        )
    words = re.sub(
        r"^(?:the|a|an|that|this|my|our)\s+|\s+(?:line|item|row|entry|one|charge|fee|hours|costs?)$",
        "",
        ref.strip(),
        flags=re.IGNORECASE,
    ).strip()
    words = re.sub(r"\s+(?:line|item|row|entry)$", "", words, flags=re.IGNORECASE).strip().casefold()
    if not words:
        return None
    folded = [d.casefold() for d in descriptions]
    exact = [i for i, d in enumerate(folded) if d == words]
    if exact:
        return exact[0]
    contains = [i for i, d in enumerate(folded) if words in d or (d in words and len(d) > 2)]
    if len(contains) == 1:
        return contains[0]
    ref_tokens = {_stem(w) for w in re.findall(r"\w+", words)}
    scored = []
    for i, d in enumerate(folded):
        tokens = {_stem(w) for w in re.findall(r"\w+", d)}
        overlap = len(ref_tokens & tokens)
        if overlap:
            scored.append((overlap, i))
    if scored:
        scored.sort(reverse=True)
        if len(scored) == 1 or scored[0][0] > scored[1][0]:
            return scored[0][1]
    close = difflib.get_close_matches(words, folded, n=1, cutoff=0.75)
    if close:
        return folded.index(close[0])
    return None


def _stem(word: str) -> str:
    """ "meetings" and "meeting", "printing" and "print" match each other."""
    word = word.casefold()
    for suffix in ("ing", "es", "s"):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            return word[: -len(suffix)]
    return word


def line_index(ref: str, data: dict[str, Any]) -> int:
    """The index of the line `ref` names; "it" or "the rate" when there is one line. Raises EditError."""
    descriptions = [i["description"] for i in data["line_items"]]
    ref_clean = ref.strip()
    if re.fullmatch(
        r"(?:it|its|this|that|the|the\s+(?:item|line|rate|price|hourly\s+rate|quantity|hours|days|description))",
        ref_clean,
        re.IGNORECASE,
    ):
        if len(descriptions) == 1:
            return 0
        raise EditError("Which line? Say “item 2” or part of its description.")
    index = find_line(ref_clean, descriptions)
    if index is None:
        listing = ", ".join(f"{n}. {d}" for n, d in enumerate(descriptions, 1))
        raise EditError(f"I couldn't find a line matching “{ref_clean}”. The lines are: {listing}.")
    return index


def line_name(data: dict[str, Any], index: int) -> str:
    """The line's description as it reads inside a sentence."""
    return str(data["line_items"][index]["description"]).lower()
