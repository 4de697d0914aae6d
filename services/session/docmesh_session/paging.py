"""Keyset pagination, the token side: opaque, tamper-evident page tokens and the page cut.

A token is base64url(JSON {kind, key, filter hash}) plus an HMAC of it: a client can neither
forge a cursor nor reuse one with other filters; either gives INVALID_ARGUMENT on `page_token`.
Every listing pages the same way (`PageTokens.after`, one row more than the page from the
repository, `PageTokens.page`); what differs is described by its `Keyset`. The query side is
`docmesh_session.repository.keyset`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from docmesh_common.errors import InvalidArgument
from docmesh_session.domain import Page

T = TypeVar("T")
K = TypeVar("K")

FIELD = "page_token"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def filter_hash(*parts: Any) -> str:
    """A short digest of the filters a token belongs to."""
    return hashlib.sha256(json.dumps(parts, default=str, sort_keys=True).encode()).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Keyset(Generic[T, K]):
    """How one listing pages: the kind its tokens carry, the key of the row a page ends
    with, and that key read back from a token (raising ValueError, TypeError or IndexError
    when it is malformed)."""

    kind: str
    key_of: Callable[[T], list[Any]]
    parse: Callable[[list[Any]], K]


def int_key(key: list[Any]) -> int:
    """A key of one integer (a sequence or a revision number)."""
    if len(key) != 1 or not isinstance(key[0], int) or isinstance(key[0], bool):
        raise ValueError("not a one-integer key")
    return key[0]


class PageTokens:
    def __init__(self, secret: str) -> None:
        self._secret = secret.encode()

    def _sign(self, body: bytes) -> bytes:
        return hmac.new(self._secret, body, hashlib.sha256).digest()[:16]

    def encode(self, kind: str, key: list[Any], filters: str) -> str:
        body = json.dumps({"t": kind, "k": key, "f": filters}, separators=(",", ":")).encode()
        return f"{_b64(body)}.{_b64(self._sign(body))}"

    def decode(self, token: str, kind: str, filters: str) -> list[Any]:
        """The key inside `token`; INVALID_ARGUMENT when it is malformed, forged or for other filters."""
        try:
            body_text, _, signature_text = token.partition(".")
            body = _unb64(body_text)
            signature = _unb64(signature_text)
        except (ValueError, binascii.Error):
            raise InvalidArgument("page_token is not a token this service issued", field=FIELD) from None
        if not hmac.compare_digest(signature, self._sign(body)):
            raise InvalidArgument("page_token is not a token this service issued", field=FIELD)
        try:
            data = json.loads(body)
            if data["t"] != kind or not isinstance(data["k"], list):
                raise ValueError
        except (ValueError, KeyError, TypeError):
            raise InvalidArgument("page_token is not a token this service issued", field=FIELD) from None
        if data["f"] != filters:
            raise InvalidArgument(
                "page_token was issued for a different request; keep the filters unchanged while paging",
                field=FIELD,
            )
        return data["k"]

    def after(self, keyset: Keyset[Any, K], token: str, filters: str) -> K | None:
        """The key a page continues after; None for the first page (no token)."""
        if not token:
            return None
        key = self.decode(token, keyset.kind, filters)
        try:
            return keyset.parse(key)
        except (ValueError, IndexError, TypeError):
            raise InvalidArgument("page_token is malformed", field=FIELD) from None

    def page(self, keyset: Keyset[T, Any], rows: Sequence[T], size: int, filters: str) -> Page[T]:
        """The page of `size` from `rows` (read with one row more than a page, so a further
        row says that another page follows) and the token of that next page."""
        if len(rows) <= size:
            return Page(list(rows))
        items = list(rows[:size])
        return Page(items, self.encode(keyset.kind, keyset.key_of(items[-1]), filters))
