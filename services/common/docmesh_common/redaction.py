"""Secrets never reach a log line: bearer tokens, API keys, Authorization values, URL passwords.

`redact` is applied to every line our log handler writes (docmesh_common.logging), whatever
the logger, the arguments, the `extra=` fields or the traceback; an upstream that echoes our
credentials back in its error text is thereby harmless in the logs.
"""

from __future__ import annotations

import re

MASK = "[REDACTED]"

# Characters a token is made of (base64, base64url, JWT dots), never a quote or a separator.
_TOKEN = r"[A-Za-z0-9._~+/=\-]+"

_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    # "Authorization: Basic xyz", authorization=..., "authorization": "..." - the whole value.
    (
        re.compile(
            r"((?:proxy-)?authorization[\"']?\s*[:=]\s*[\"']?)(?:(?:bearer|basic|token)\s+)?" + _TOKEN, re.I
        ),
        r"\1" + MASK,
    ),
    (re.compile(r"\b(bearer\s+)" + _TOKEN, re.I), r"\1" + MASK),
    # OpenAI-style keys (sk-..., sk-proj-...) and our own API keys (dmk_...).
    (re.compile(r"\bsk-[A-Za-z0-9_\-]{6,}"), "sk-" + MASK),
    (re.compile(r"\bdmk_[A-Za-z0-9_\-]{6,}"), "dmk_" + MASK),
    # key=value / "key": "value" where the key names a secret: api keys, DOCMESH_*KEY*, passwords.
    (
        re.compile(
            # No identifier characters before the word: the replacement keeps them either way, and
            # a leading [A-Za-z0-9_]* made this rule scan quadratically (134 of 200 us per line).
            r"((?:api[_-]?key|secret|password|passwd|access[_-]?token|DOCMESH_[A-Z0-9_]*KEY[A-Z0-9_]*)"
            r"[\"']?\s*[:=]\s*[\"']?)[^\s\"',;&}]+",
            re.I,
        ),
        r"\1" + MASK,
    ),
    # scheme://user:password@host
    (re.compile(r"([a-z][a-z0-9+.\-]*://[^\s:/@]*:)[^\s@/]+(@)", re.I), r"\1" + MASK + r"\2"),
)


# Every rule's match contains one of these (lower-cased): an ASCII line with none of them has no
# secret to mask, and finding that out costs a few substring searches instead of six regex scans.
# (Only ASCII: re.I also matches a few other letters to ASCII ones, such as 'ſ' to 's'.)
_WORDS = (
    "authorization",
    "bearer",
    "sk-",
    "dmk_",
    "apikey",
    "api_key",
    "api-key",
    "secret",
    "password",
    "passwd",
    "accesstoken",
    "access_token",
    "access-token",
    "docmesh_",
    "://",
)


def redact(text: str) -> str:
    """The text with every secret it contains replaced by [REDACTED]."""
    if text.isascii():
        lower = text.lower()
        if not any(word in lower for word in _WORDS):
            return text
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return text
