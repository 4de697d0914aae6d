"""Document number patterns: checking one and rendering it for a date and a sequence.

A pattern holds {seq} (or {seq:N}, zero-padded to N digits) once, and may hold {YYYY}, {YY}
and {MM}. The series key is the pattern rendered without {seq}: the counter of each
(owner, series key) restarts at 1 whenever the text around {seq} changes (a new year with
{YYYY}).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from docmesh_common.errors import InvalidArgument

MAX_PATTERN_LENGTH = 64
MAX_SEQ_WIDTH = 12
_TOKEN = re.compile(r"\{([^{}]*)\}")
_SEQ = re.compile(r"seq(?::(\d{1,2}))?")
_DATE_TOKENS = frozenset({"YYYY", "YY", "MM"})
# The placeholder {seq} leaves in the series key: a character no pattern may hold.
_SEQ_MARK = "\x00"


@dataclass(frozen=True, slots=True)
class NumberPattern:
    text: str

    def series_key(self, issue_date: dt.date) -> str:
        """The pattern rendered for `issue_date` with {seq} left out, e.g. "INV-2026-"."""
        return self._render(issue_date, _SEQ_MARK).replace(_SEQ_MARK, "")

    def number(self, issue_date: dt.date, seq: int) -> str:
        return self._render(issue_date, seq)

    def _render(self, issue_date: dt.date, seq: int | str) -> str:
        def token(match: re.Match[str]) -> str:
            name = match.group(1)
            if name == "YYYY":
                return f"{issue_date.year:04d}"
            if name == "YY":
                return f"{issue_date.year % 100:02d}"
            if name == "MM":
                return f"{issue_date.month:02d}"
            if isinstance(seq, str):
                return seq
            seq_token = _SEQ.fullmatch(name)
            width = seq_token.group(1) if seq_token else None
            return f"{seq:0{int(width)}d}" if width else str(seq)

        return _TOKEN.sub(token, self.text)


def parse_pattern(text: str, field: str) -> NumberPattern:
    """The pattern, or INVALID_ARGUMENT naming `field`: one {seq}/{seq:N}, only known tokens."""
    if not text:
        raise InvalidArgument(f"{field} is required", field=field)
    if len(text) > MAX_PATTERN_LENGTH:
        raise InvalidArgument(f"{field} is longer than {MAX_PATTERN_LENGTH} characters", field=field)
    if any(ord(c) < 32 for c in text):
        raise InvalidArgument(f"{field} holds control characters", field=field)
    seqs = 0
    for match in _TOKEN.finditer(text):
        name = match.group(1)
        seq = _SEQ.fullmatch(name)
        if seq:
            if seq.group(1) and not 1 <= int(seq.group(1)) <= MAX_SEQ_WIDTH:
                raise InvalidArgument(f"{field}: {{seq:N}} pads to 1..{MAX_SEQ_WIDTH} digits", field=field)
            seqs += 1
        elif name not in _DATE_TOKENS:
            raise InvalidArgument(
                f"{field} holds the unknown token {{{name}}}; known: {{seq}}, {{seq:N}}, {{YYYY}}, {{YY}}, {{MM}}",
                field=field,
            )
    if seqs != 1:
        raise InvalidArgument(f"{field} must hold {{seq}} or {{seq:N}} exactly once", field=field)
    if "{" in _TOKEN.sub("", text) or "}" in _TOKEN.sub("", text):
        raise InvalidArgument(f"{field} has an unmatched brace", field=field)
    return NumberPattern(text)
