"""Spanish, German and French: each language's words as tables, one module per language.

The interpreter reads English. A request in another language is first rewritten into the English
phrasing the readers understand, by the language's ordered `rules` (regular expression →
replacement): only the words that carry structure are rewritten (document kinds, "a 40 € la hora",
"je 95 €", "pagado con tarjeta", dates, taxes, discounts); descriptions and names stay as typed.
The document is then written in the language (`Invoice.language`): units go back through `units`,
and the reply through `replies` (English sentence pattern → the language's sentence).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Language:
    """One language's tables (see the package docstring)."""

    code: str
    # Words only this language uses in a request (kinds, connectives, tax names): counted to
    # detect the language.
    markers: frozenset[str]
    # Its document kind words, which typos are corrected to ("Factrua" → "Factura").
    kind_words: tuple[str, ...]
    # Month names (lower case, without accents is also accepted) to their number.
    months: dict[str, int]
    # Weekday names to the English ones.
    weekdays: dict[str, str]
    # Rewrite rules into English phrasing, applied in order, case-insensitively.
    rules: tuple[tuple[str, str], ...]
    # English unit → (singular, plural) in this language.
    units: dict[str, tuple[str, str]]
    # English reply sentence patterns → this language's sentence, applied in order.
    replies: tuple[tuple[str, str], ...]
    # English payment methods → this language's.
    payment_methods: dict[str, str] = field(default_factory=dict)
    # Descriptions the interpreter writes itself ("Services" for "10 hours at 40") → this language's.
    descriptions: dict[str, str] = field(default_factory=dict)
    # Payment terms the interpreter writes in English (pattern → this language's), applied in order.
    terms: tuple[tuple[str, str], ...] = ()
    # Labels the interpreter writes in notes ("Deliver to:") → this language's.
    note_labels: dict[str, str] = field(default_factory=dict)
    # Kinds said in several words ("orden de compra"): a slip in the last is corrected too.
    kind_phrases: tuple[str, ...] = ()
    # Whether its nouns are written capitalised (German): a unit read from the request ("30 Bilder")
    # is written so again.
    capitalised_nouns: bool = False

    def compiled_rules(self) -> tuple[tuple[re.Pattern[str], str], ...]:
        """The rules, compiled once per language."""
        return _compiled(self.rules)

    def compiled_replies(self) -> tuple[tuple[re.Pattern[str], str], ...]:
        """The reply patterns, compiled once per language."""
        return _compiled(self.replies)


_CACHE: dict[tuple[tuple[str, str], ...], tuple[tuple[re.Pattern[str], str], ...]] = {}


def _compiled(rules: tuple[tuple[str, str], ...]) -> tuple[tuple[re.Pattern[str], str], ...]:
    cached = _CACHE.get(rules)
    if cached is None:
        cached = tuple((re.compile(p, re.IGNORECASE), r) for p, r in rules)
        _CACHE[rules] = cached
    return cached
