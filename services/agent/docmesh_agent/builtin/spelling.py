"""Misspelled keywords, corrected before reading: "Qoute" is a quote, "discout" a discount.

A clerk reads a typo in a word that matters (the document kind, tax, discount, a unit) as the
word meant, and leaves every other word as typed. Only the keywords below are corrected, and only
when the typed word is one slip away from exactly one of them (rapidfuzz's optimal string
alignment distance: one letter missing, extra, wrong or two letters swapped). Short keywords
("tax", "days") are near too many real words ("tan", "daze", "ours"), so for them only a swap,
a doubled last letter ("taxx") or a plural written with z ("dayz") counts.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz.distance import OSA

# Keywords of five letters or more: one slip away is a typo of the keyword.
_LONG = (
    "invoice",
    "quote",
    "quotation",
    "estimate",
    "receipt",
    "purchase",
    "discount",
    "shipping",
    "delivery",
    "payment",
    "valid",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)
# The long weekdays, misspelled by two slips as often as by one ("wendsday", "thrusday").
_LONG_DAYS = ("wednesday", "thursday", "saturday")
# Short keywords: only the slips described in the module docstring.
_SHORT = ("tax", "hours", "hour", "days", "day", "card", "cash", "paid", "bill")
# Unit words ("wrods", "sesions", "lessions"): corrected only by the same careful slips, since a
# unit decides how a line is read ("2,400 wrods at 0.12" is 2,400 words).
_UNITS = ("words", "sessions", "session", "lessons", "pages", "nights", "pieces", "weeks", "months")
_KINDS = ("invoice", "estimate", "receipt", "quotation")
# Real words one slip from a keyword ("quite" / "quote"): never corrected.
_REAL_WORDS = frozenset(
    {"quite", "quota", "quotas", "quoted", "voice", "purchased", "receipts", "vapid", "sundae"}
    # two slips from a kind word (read only as the first word of a message)
    | {"recent", "recipe", "recipes", "invoke", "invoked", "estate", "rotation", "notation"}
)
_WORD = re.compile(r"[A-Za-z]{3,}")


@lru_cache(maxsize=4096)
def _keyword_for(word: str) -> str | None:
    """The keyword `word` (lower case) is a typo of, or None."""
    if word in _LONG or word in _SHORT or word in _UNITS or word in _REAL_WORDS:
        return None
    doubled = [k for k in _LONG if _doubled_letter(word, k)]
    if doubled:
        return doubled[0]  # "deliverry", "invoicce": a letter typed twice
    near = [
        k
        for k in _LONG
        # An inflection is not a typo: "estimated", "invoices", "deliver" stay as typed.
        if not word.startswith(k[:-1])
        and not k.startswith(word)
        and (
            OSA.distance(word, k, score_cutoff=1) <= 1
            # "recipet", "estiamte": the keyword's own letters, two slips apart (no English word
            # is one of these anagrams).
            or (len(word) >= 6 and sorted(word) == sorted(k) and OSA.distance(word, k, score_cutoff=2) <= 2)
        )
    ]
    near += [
        k
        for k in _LONG_DAYS
        if len(word) >= 7
        and word[0] == k[0]
        and not k.startswith(word)
        and not word.startswith(k[:-1])  # "saturdays", "Wednesdays" are as meant
        and OSA.distance(word, k, score_cutoff=2) <= 2
    ]
    near += [k for k in (*_SHORT, *_UNITS) if k != word and _short_slip(word, k)]
    # "estimat", "invoic", "receip": a kind word with its last letter left off (none is a word).
    near += [k for k in _KINDS if word == k[:-1]]
    return near[0] if len(set(near)) == 1 else None


def _doubled_letter(word: str, keyword: str) -> bool:
    """ "deliverry", "paymennt": the keyword with one of its letters typed twice."""
    return len(word) == len(keyword) + 1 and any(
        word[i] == word[i + 1] and word[:i] + word[i + 1 :] == keyword for i in range(len(word) - 1)
    )


def _short_slip(word: str, keyword: str) -> bool:
    """A swap of two neighbours, a doubled last letter, a z for the plural s, a missing double."""
    if len(word) == len(keyword) and word != keyword and sorted(word) == sorted(keyword):
        return OSA.distance(word, keyword) == 1
    if word == keyword + keyword[-1]:
        return True
    if keyword.endswith("s") and word == keyword[:-1] + "z":
        return True
    # One letter of a double left out anywhere ("sesions", "adress"), for keywords of 4+ letters.
    return len(keyword) >= 4 and any(
        keyword[i] == keyword[i + 1] and word == keyword[:i] + keyword[i + 1 :]
        for i in range(len(keyword) - 1)
    )


# "purchace ordr": after "purchase", a word one slip from "order" ("ordr", "oder", "ordre") is
# "order".
_PURCHASE_ORDER = re.compile(r"\b(purchase)\s+([A-Za-z]{3,6})\b", re.IGNORECASE)


def _order_after_purchase(match: re.Match[str]) -> str:
    typed = match.group(2)
    if typed.lower() != "order" and OSA.distance(typed.lower(), "order", score_cutoff=1) <= 1:
        return f"{match.group(1)} {'Order' if typed[0].isupper() else 'order'}"
    return match.group(0)


def correct_keywords(text: str) -> str:
    """The text with misspelled keywords written as meant; every other word as typed."""

    def fix(match: re.Match[str]) -> str:
        typed = match.group(0)
        keyword = _keyword_for(typed.lower())
        if keyword is None:
            return typed
        return keyword.capitalize() if typed[0].isupper() else keyword

    text = _ABBREVIATED_KIND.sub(lambda m: _KIND_ABBREVIATIONS[m.group(1).lower()], text, count=1)
    text = _FIRST_WORD.sub(_kind_first, text, count=1)
    if "paid" in text.lower():
        text = _PAID_HOW.sub(_method_after_paid, text)
    return _PURCHASE_ORDER.sub(_order_after_purchase, _WORD.sub(fix, text))


# "rcpt Jenna Brooks ...", "inv Acme ...": a kind written short, as the first word of a request.
_KIND_ABBREVIATIONS = {
    "rcpt": "receipt",
    "rcpt.": "receipt",
    "inv": "invoice",
    "inv.": "invoice",
    "qte": "quote",
}
_ABBREVIATED_KIND = re.compile(r"^\s*(rcpt\.?|inv\.?|qte)(?=\s+[A-Za-z])", re.IGNORECASE)
# "paid csh", "paid by crad", "paid w/ chek": after "paid", a word one slip from a way to pay.
_METHODS = ("cash", "card", "check", "cheque", "debit", "credit", "venmo", "zelle", "paypal")
_PAID_HOW = re.compile(r"\b(paid\s+(?:by\s+|with\s+|in\s+|via\s+|w/\s*)?)([A-Za-z]{3,7})\b", re.IGNORECASE)


def _method_after_paid(match: re.Match[str]) -> str:
    typed = match.group(2).lower()
    near = {m for m in _METHODS if m != typed and OSA.distance(typed, m, score_cutoff=1) <= 1}
    if typed in _METHODS or len(near) != 1 or typed[0] != next(iter(near))[0]:
        return match.group(0)
    return match.group(1) + near.pop()


# The first word of a request is where its kind is said: there a kind word two slips away
# ("reciet", "invocie") is that kind (elsewhere two slips reach real words: "recent").
_FIRST_WORD = re.compile(r"^\s*([A-Za-z]{5,})\b")


def _kind_first(match: re.Match[str]) -> str:
    typed = match.group(1)
    word = typed.lower()
    if word in _KINDS or word in _LONG or word in _REAL_WORDS or _keyword_for(word) is not None:
        return match.group(0)
    near = {k for k in _KINDS if word[0] == k[0] and OSA.distance(word, k, score_cutoff=2) <= 2}
    if len(near) != 1 or any(word.startswith(k[:-1]) or k.startswith(word) for k in near):
        return match.group(0)
    kind = near.pop()
    return match.group(0).replace(typed, kind.capitalize() if typed[0].isupper() else kind)
