"""Which customer a name typed in a conversation means: MatchCustomer's rule in the session
service, and the agent's for a first turn's buyer (matched against the names BeginTurn
returned, without a call).

Names are compared after folding case, dropping punctuation and legal-form words (Corp,
Ltd, GmbH, ...), with rapidfuzz's normalised Indel similarity (0..100).

THRESHOLD = 80: one letter dropped or added in a name of four letters or more scores at least
85.7 ("acm" ~ "acme"), one letter changed in a name of five letters or more at least 80, while
two different names sharing half their letters stay near 50 ("apex" ~ "acme"). A letter
changed in a four-letter name (75) is not trusted: the caller asks rather than guesses.
Two customers equally close → no match, never a guess.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from rapidfuzz import fuzz

THRESHOLD = 80.0
LEGAL_FORMS = frozenset(
    {
        "corp", "corporation", "ltd", "limited", "inc", "incorporated", "llc", "llp", "gmbh", "ag",
        "kg", "sarl", "sas", "sa", "sl", "slu", "bv", "nv", "co", "company", "plc", "srl", "spa",
        "oy", "ab", "as", "pty", "kft", "sro", "ug",
    }
)  # fmt: skip
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def comparable(name: str) -> str:
    """`name` folded: lower case, punctuation gone, legal-form words dropped (unless the name
    is nothing else)."""
    # "S.A.R.L." and "G.m.b.H." read as one word once their dots are gone.
    words = _WORD.findall(name.casefold().replace(".", ""))
    kept = [w for w in words if w not in LEGAL_FORMS]
    return " ".join(kept or words)


# A customer's id: the session's UUID, or its string form on the wire (the agent).
Id = TypeVar("Id", bound=Hashable)


@dataclass(frozen=True, slots=True)
class Match(Generic[Id]):
    customer_id: Id
    score: float


def best_match(typed: str, candidates: Sequence[tuple[Id, str]]) -> Match[Id] | None:
    """The one candidate (id, name) closest to `typed` at THRESHOLD or above; None when
    none is close enough or two are equally close."""
    wanted = comparable(typed)
    if not wanted:
        return None
    scored = sorted(
        ((fuzz.ratio(wanted, comparable(name)), customer_id) for customer_id, name in candidates),
        key=lambda pair: pair[0],
        reverse=True,
    )
    if not scored or scored[0][0] < THRESHOLD:
        return None
    if len(scored) > 1 and scored[1][0] == scored[0][0]:
        return None
    return Match(scored[0][1], scored[0][0])
