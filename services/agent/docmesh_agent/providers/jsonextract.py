"""Finding the JSON object in what a model wrote, and the reply text while it is being written.

Models without structured output wrap JSON in markdown fences, put prose around it, or
leave trailing commas. `extract_json` tries, in order: the whole text, each fenced block,
then each balanced `{...}` span; each candidate as is and with trailing commas removed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

_FENCE = re.compile(r"```[ \t]*(?:json|JSON|javascript|js)?[ \t]*\r?\n?(.*?)```", re.DOTALL)
_REPLY_KEY = re.compile(r'"reply"\s*:\s*"')
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


class NoJsonFound(ValueError):
    """The text holds no JSON object."""


def extract_json(text: str) -> dict[str, Any]:
    """The first JSON object in `text`; raises NoJsonFound with a reason a model can act on."""
    stripped = text.strip()
    if not stripped:
        raise NoJsonFound("the answer was empty; answer with one JSON object")
    errors: list[str] = []
    for candidate in _candidates(text, stripped):
        for variant in _variants(candidate):
            try:
                value = json.loads(variant)
            except json.JSONDecodeError as error:
                errors.append(f"{error.msg} at line {error.lineno} column {error.colno}")
                continue
            if isinstance(value, dict):
                return value
            errors.append(f"the JSON is a {type(value).__name__}, not an object")
    reason = errors[0] if errors else "no '{' found"
    raise NoJsonFound(f"no valid JSON object in the answer ({reason})")


def _variants(candidate: str) -> Iterator[str]:
    """The candidate as is, then without trailing commas: a generator, so that a candidate
    that parses as is never pays for the character-by-character repair."""
    yield candidate
    yield remove_trailing_commas(candidate)


def _candidates(text: str, stripped: str) -> Iterator[str]:
    """Cheapest first: a clean answer never pays for the scans."""
    yield stripped
    for match in _FENCE.finditer(text):
        yield match.group(1).strip()
    yield from _balanced_objects(text)


def _balanced_objects(text: str) -> list[str]:
    """Every top-level `{...}` span, honouring strings, in order of appearance."""
    spans: list[str] = []
    depth = 0
    start = -1
    in_string = False
    escaped = False
    for index, char in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
            continue
        if char == '"' and depth > 0:
            in_string = True
        elif char == "{":
            if depth == 0:
                start = index
            depth += 1
        elif char == "}" and depth > 0:
            depth -= 1
            if depth == 0:
                spans.append(text[start : index + 1])
    # Longest first: a small object quoted in the prose is less likely the answer.
    return sorted(spans, key=len, reverse=True)


def remove_trailing_commas(text: str) -> str:
    """Drop commas that directly precede `}` or `]` (outside strings)."""
    out: list[str] = []
    in_string = False
    escaped = False
    length = len(text)
    for index, char in enumerate(text):
        if in_string:
            out.append(char)
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
            continue
        if char == '"':
            in_string = True
        elif char == ",":
            following = index + 1
            while following < length and text[following] in " \t\r\n":
                following += 1
            if following < length and text[following] in "}]":
                continue
        out.append(char)
    return "".join(out)


class ReplyStreamer:
    """Pulls the value of the top-level "reply" string out of JSON that arrives in pieces.

    Each `feed` returns the newly decoded reply text (possibly empty), so a client sees the
    reply while the model is still writing the invoice after it.
    """

    def __init__(self) -> None:
        self._buffer = ""
        self._position = -1  # index just after the opening quote of the reply, once found
        self.done = False
        self.text = ""

    def feed(self, chunk: str) -> str:
        self._buffer += chunk
        if self.done:
            return ""
        if self._position < 0:
            match = _REPLY_KEY.search(self._buffer)
            if match is None:
                return ""
            self._position = match.end()
        decoded: list[str] = []
        buffer = self._buffer
        index = self._position
        while index < len(buffer):
            char = buffer[index]
            if char == '"':
                self.done = True
                index += 1
                break
            if char != "\\":
                decoded.append(char)
                index += 1
                continue
            if index + 1 >= len(buffer):
                break  # the escape is split across chunks
            code = buffer[index + 1]
            if code == "u":
                if index + 6 > len(buffer):
                    break
                try:
                    point = int(buffer[index + 2 : index + 6], 16)
                except ValueError:
                    point = 0xFFFD
                if 0xD800 <= point < 0xDC00:
                    # A surrogate pair is two escapes; a lone surrogate cannot go on the wire.
                    if index + 12 > len(buffer):
                        break
                    try:
                        low = int(buffer[index + 8 : index + 12], 16)
                    except ValueError:
                        low = 0
                    if buffer[index + 6 : index + 8] == "\\u" and 0xDC00 <= low < 0xE000:
                        decoded.append(chr(0x10000 + ((point - 0xD800) << 10) + (low - 0xDC00)))
                        index += 12
                        continue
                    point = 0xFFFD
                elif 0xDC00 <= point < 0xE000:
                    point = 0xFFFD
                decoded.append(chr(point))
                index += 6
                continue
            decoded.append(_ESCAPES.get(code, code))
            index += 2
        self._position = index
        piece = "".join(decoded)
        self.text += piece
        return piece
