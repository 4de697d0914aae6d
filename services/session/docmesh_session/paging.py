"""Opaque, tamper-evident page tokens for keyset pagination.

A token is base64url(JSON {kind, key, filter hash}) plus an HMAC of it: a client can neither
forge a cursor nor reuse one with other filters; either gives INVALID_ARGUMENT on `page_token`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from typing import Any

from docmesh_common.errors import InvalidArgument

FIELD = "page_token"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def filter_hash(*parts: Any) -> str:
    """A short digest of the filters a token belongs to."""
    return hashlib.sha256(json.dumps(parts, default=str, sort_keys=True).encode()).hexdigest()[:16]


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
