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

    def compiled_rules(self) -> tuple[Rule, ...]:
        """The rules, compiled once per language."""
        return _compiled(self.rules)

    def compiled_replies(self) -> tuple[Rule, ...]:
        """The reply patterns, compiled once per language."""
        return _compiled(self.replies)


# A compiled rule: the pattern, its replacement, and words (lower case) one of which any text it
# matches contains (None: no such word is known), so a text without them skips the rule.
Rule = tuple[re.Pattern[str], str, frozenset[str] | None]


def apply(rules: tuple[Rule, ...], text: str) -> str:
    """The text through the rules in order; a rule whose words are not in the text is not run
    (each of some 170 rules scanned every message: most of the time spent translating one)."""
    low = text.lower()
    for pattern, replacement, words in rules:
        if words is not None and not any(word in low for word in words):
            continue
        text, count = pattern.subn(replacement, text)
        if count:
            low = text.lower()
    return text


_CACHE: dict[tuple[tuple[str, str], ...], tuple[Rule, ...]] = {}


def _compiled(rules: tuple[tuple[str, str], ...]) -> tuple[Rule, ...]:
    cached = _CACHE.get(rules)
    if cached is None:
        cached = tuple((re.compile(p, re.IGNORECASE), r, _required_words(p)) for p, r in rules)
        _CACHE[rules] = cached
    return cached


def _required_words(pattern: str) -> frozenset[str] | None:
    """Literal words one of which every match of `pattern` contains, read from its parse tree (a
    run of literal characters, or an alternation each of whose branches has one); None when no
    such word of two letters or more is found, or the parser is not there."""
    try:
        from re import _constants, _parser  # type: ignore[attr-defined]  # the parser behind re.compile
    except ImportError:  # pragma: no cover - another Python
        return None
    required = _required_in(list(_parser.parse(pattern, re.IGNORECASE)), _constants)
    return frozenset(required) if required else None


def _required_in(items: list[tuple[object, object]], c: object) -> set[str] | None:
    """One set of words one of which the sequence `items` always contains (the most selective)."""
    found: list[set[str]] = []
    run = ""
    for op, value in items:
        if op is c.LITERAL:  # type: ignore[attr-defined]
            run += chr(value).lower()  # type: ignore[arg-type]
            continue
        if run:
            found.append({run})
            run = ""
        inner: list[set[str] | None] = []
        if op is c.SUBPATTERN:  # type: ignore[attr-defined]
            inner = [_required_in(list(value[3]), c)]  # type: ignore[index]
        elif op is c.BRANCH:  # type: ignore[attr-defined]
            branches = [_required_in(list(branch), c) for branch in value[1]]  # type: ignore[index]
            inner = [set().union(*branches)] if all(branches) else []  # type: ignore[arg-type]
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT) and value[0] >= 1:  # type: ignore[attr-defined,index]
            inner = [_required_in(list(value[2]), c)]  # type: ignore[index]
        found.extend(words for words in inner if words)
        # A class, any character, an anchor or a look-around requires no word: nothing added.
    if run:
        found.append({run})
    usable = [words for words in found if all(len(word) >= 2 for word in words)]
    return max(usable, key=lambda words: (min(map(len, words)), -len(words))) if usable else None
