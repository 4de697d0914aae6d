"""API keys: stored as SHA-256 hashes, each mapped to the owner id the gateway forwards.

A key is never stored on disk or logged in clear. A lookup compares the presented key's hash
with every stored hash in constant time, so neither the result nor the timing says how close a
guess was; a key that matched is remembered in memory until the keys change (KeyStore).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import secrets
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

log = logging.getLogger("docmesh.gateway.auth")

HASH_PREFIX = "sha256:"
KEY_PREFIX = "dmk_"


class KeysFileError(ValueError):
    """The keys file cannot be read or has a bad entry."""


@dataclass(frozen=True)
class ApiKey:
    key_hash: str  # "sha256:<64 hex>"
    owner_id: str

    @property
    def digest(self) -> bytes:
        return bytes.fromhex(self.key_hash.removeprefix(HASH_PREFIX))


def generate_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_key(key: str) -> str:
    return HASH_PREFIX + hashlib.sha256(key.encode()).hexdigest()


def _entry(raw: Any, index: int) -> ApiKey:
    if not isinstance(raw, Mapping):
        raise KeysFileError(f"entry {index}: expected an object with key_hash and owner_id")
    key_hash, owner = raw.get("key_hash"), raw.get("owner_id")
    if not isinstance(owner, str) or not owner.strip():
        raise KeysFileError(f"entry {index}: owner_id must be a non-empty string")
    if not isinstance(key_hash, str):
        raise KeysFileError(f"entry {index}: key_hash must be a string")
    hex_part = key_hash.removeprefix(HASH_PREFIX).lower()
    if len(hex_part) != 64 or any(c not in "0123456789abcdef" for c in hex_part):
        raise KeysFileError(f"entry {index}: key_hash must be 'sha256:' and 64 hex digits")
    return ApiKey(HASH_PREFIX + hex_part, owner.strip())


def load_keys_file(path: str | Path, *, missing_ok: bool = False) -> list[ApiKey]:
    """Entries of a JSON or YAML keys file: a list of {key_hash, owner_id} (or {"keys": [...]})."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        if missing_ok:
            return []
        raise KeysFileError(f"keys file {file} does not exist") from None
    except OSError as error:
        raise KeysFileError(f"cannot read {file}: {error}") from None
    if not text.strip():
        return []
    try:
        data = json.loads(text) if file.suffix.lower() == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as error:
        raise KeysFileError(f"{file} is not valid JSON/YAML: {error}") from None
    if isinstance(data, Mapping):
        data = data.get("keys", [])
    if not isinstance(data, list):
        raise KeysFileError(f"{file}: expected a list of {{key_hash, owner_id}}")
    return [_entry(item, index) for index, item in enumerate(data)]


def save_keys_file(path: str | Path, keys: Iterable[ApiKey]) -> None:
    file = Path(path)
    entries = [{"key_hash": k.key_hash, "owner_id": k.owner_id} for k in keys]
    if file.suffix.lower() in (".yaml", ".yml"):
        text = yaml.safe_dump(entries, sort_keys=False)
    else:
        text = json.dumps(entries, indent=2) + "\n"
    file.parent.mkdir(parents=True, exist_ok=True)
    tmp = file.with_name(file.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.chmod(0o600)
    tmp.replace(file)


class KeyStore:
    """Resolves a presented key to its owner id, or None.

    With a file, the store re-reads it when it changes (checked at most every `check_seconds`),
    so keys can be added or revoked — e.g. by updating a mounted Kubernetes Secret — without a
    restart. A file that turns bad keeps the keys that were loaded last.
    """

    # Keys verified since the last (re)load, each mapped to what it resolved to: a client sends
    # its key on every request, and comparing it with every stored hash costs O(keys) per
    # request. Cleared whenever the keys change, so a revoked key stops at the reload; bounded,
    # and only keys that matched are kept (a flood of wrong keys cannot fill it).
    VERIFIED_MAX = 10_000

    def __init__(self, keys: Iterable[ApiKey], *, path: str = "", check_seconds: float = 5.0) -> None:
        self._keys = [(k.digest, k.owner_id, k.key_hash) for k in keys]
        self._verified: dict[str, tuple[str, str]] = {}
        self._path = path
        self._check_seconds = check_seconds
        self._checked = time.monotonic()
        self._stamp = self._file_stamp()

    @classmethod
    def from_file(cls, path: str, *, check_seconds: float = 5.0) -> KeyStore:
        return cls(load_keys_file(path), path=path, check_seconds=check_seconds)

    def _file_stamp(self) -> tuple[float, int] | None:
        if not self._path:
            return None
        try:
            info = os.stat(self._path)
        except OSError:
            return None
        return (info.st_mtime, info.st_size)

    def refresh(self) -> None:
        """Re-read the file if it changed since the last look (cheap when called per request)."""
        now = time.monotonic()
        if not self._path or now - self._checked < self._check_seconds:
            return
        self._checked = now
        stamp = self._file_stamp()
        if stamp == self._stamp:
            return
        try:
            keys = load_keys_file(self._path)
        except KeysFileError as error:
            log.error("keys file changed but cannot be used, keeping the previous keys: %s", error)
            return
        self._stamp = stamp
        self._keys = [(k.digest, k.owner_id, k.key_hash) for k in keys]
        self._verified = {}  # a revoked key must not outlive the reload
        log.info("keys file reloaded", extra={"keys": len(self._keys)})

    def __len__(self) -> int:
        return len(self._keys)

    def authenticate(self, presented: str) -> tuple[str, str] | None:
        """(owner id, key hash) for a valid key. A key not verified since the last load is
        compared with every stored hash, in constant time; a verified one is looked up."""
        found = self._verified.get(presented)
        if found is not None:
            return found
        digest = hashlib.sha256(presented.encode()).digest()
        for stored, owner, key_hash in self._keys:
            if hmac.compare_digest(stored, digest):
                found = (owner, key_hash)
        if found is not None:
            if len(self._verified) >= self.VERIFIED_MAX:
                self._verified.clear()
            self._verified[presented] = found
        return found


def presented_key(headers: Mapping[str, str]) -> str:
    """The key from X-API-Key or Authorization: Bearer (empty when neither is there)."""
    key = headers.get("x-api-key", "").strip()
    if key:
        return key
    authorization = headers.get("authorization", "")
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() == "bearer":
        return value.strip()
    return ""
