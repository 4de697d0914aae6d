"""What a request says of a line's tax: "(tax-exempt)", "no tax on the deposit", "GST 5% on
everything except the disposal", "GST 5% on the mats only", "don't charge tax on it". The patterns
the request reader (read_request) uses to find them."""

from __future__ import annotations

import re

TAXES = r"(?:sales\s+)?tax|vat|gst|hst|pst"
TAX_WORD = re.compile(rf"\b(?:{TAXES}|iva|tva|mwst|ust|tps|tvq|qst)\b", re.IGNORECASE)
# "... at 100 (tax-exempt)", "a domain 15 (no VAT)", "... at 50 not taxable": said of its line.
EXEMPT_TAIL = re.compile(
    rf"\s*\(?\s*(?:(?:{TAXES})[- ]?(?:exempt|free)|exempt(?:\s+from\s+(?:{TAXES}))?|no\s+(?:{TAXES})|"
    rf"not\s+(?:subject|liable)\s+to\s+(?:{TAXES})|not\s+taxable|non[- ]taxable|untaxed|zero[- ]rated)\s*\)?$",
    re.IGNORECASE,
)
# "no tax on the deposit", "the books are tax exempt": said of a line named elsewhere.
_EXEMPT_NAMED = (
    re.compile(rf"^no\s+(?:{TAXES})\s+(?:on|for)\s+(?:the\s+)?(?P<target>.+)$", re.IGNORECASE),
    re.compile(
        rf"^(?:the\s+)?(?P<target>.+?)\s+(?:is|are)\s+(?:(?:{TAXES})[- ]?exempt|exempt(?:\s+from\s+(?:{TAXES}))?|"
        r"not\s+taxable|non[- ]taxable|untaxed)$",
        re.IGNORECASE,
    ),
    # "insurance exempt from GST", "consultation tax-exempt": no price, so it names a line.
    re.compile(
        rf"^(?:the\s+)?(?P<target>[^\d()]+?)\s+(?:(?:{TAXES})[- ]exempt|exempt\s+from\s+(?:{TAXES}))$",
        re.IGNORECASE,
    ),
)
EXCEPT = re.compile(
    # ("GST 5% on everything except the disposal": "on everything" says nothing more)
    r"^(?P<head>.+?)(?:\s+on\s+(?:everything|all(?:\s+(?:lines|items|of\s+it))?|the\s+lot))?\s+(?:except|but\s+not|excluding|"
    # "10% tax but no tax on the service charge"
    rf"but\s+no\s+(?:{TAXES})(?=\s+(?:on|for)\b))\s+(?:on|for)?\s*(?:the\s+)?(?P<target>.+)$",
    re.IGNORECASE,
)
# "GST 5% on the mats only", "7% sales tax only on the plants": the tax, and the one line it is on.
TAX_ONLY_ON = re.compile(
    r"^(?P<head>.+?)\s+(?:only\s+on|on(?=\s+.+\s+only$))\s+(?:the\s+)?(?P<target>.+?)(?:\s+only)?$",
    re.IGNORECASE,
)
# What is said of the line before: "don't charge tax on it", "no VAT on that" (it is exempt), and
# remarks that bill nothing ("pass-through", "at cost"): never a line of their own.
ON_THE_LINE_BEFORE = re.compile(
    rf"(?:(?:but\s+)?(?:don'?t|do\s+not|no)\s+(?:charge\s+|add\s+)?(?:{TAXES}|iva|tva)\s+(?:on|for)\s+(?:it|this|that)"
    r"(?:\s+(?:one|line|item|fee))?|(?:it'?s\s+|this\s+is\s+)?(?:a\s+)?(?:pass[- ]?through|at\s+cost|reimbursable|disbursement))",
    re.IGNORECASE,
)
# "gift card $50 (no sales tax on the gift card)": words in brackets ending a line (a remark).
WORDS_IN_BRACKETS = re.compile(r"\s*\((?P<inner>[^()\d]+)\)\s*$")


def exempt_named(text: str) -> str | None:
    """The line "no tax on the deposit", "the books are tax exempt" names, if the text says that."""
    for regex in _EXEMPT_NAMED:
        named = regex.match(text.strip())
        if named:
            return named.group("target")
    return None


# "tutoring is tax exempt": a kind of work said exempt (not "the deposit is ...", a thing named).
A_KIND_IS = re.compile(
    r"^(?!(?:the|a|an|this|that|these|those|our|my|your|their)\b)[a-z][\w-]*(?:\s+[a-z][\w-]*)?\s+(?:is|are)\s",
    re.IGNORECASE,
)
