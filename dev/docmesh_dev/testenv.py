"""Preflight of `make test`: are the PostgreSQL and Redis the tests use reachable?

Prints one line per missing store saying how to point the tests at one. Exits non-zero
only under CI=true, where those tests must never be skipped.
"""

from __future__ import annotations

import os
import socket
import sys
from urllib.parse import urlsplit

DEFAULT_DATABASE_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


def database_url() -> str:
    return os.environ.get("DOCMESH_TEST_DATABASE_URL", DEFAULT_DATABASE_URL)


def redis_url() -> str:
    return os.environ.get("DOCMESH_TEST_REDIS_URL", DEFAULT_REDIS_URL)


def reachable(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or default_port), timeout=2):
            return True
    except OSError:
        return False


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def main() -> int:
    missing = []
    if not reachable(database_url(), 5432):
        missing.append(
            f"PostgreSQL not reachable at {database_url()}: its tests will skip; "
            "set DOCMESH_TEST_DATABASE_URL=postgresql+asyncpg://user@host:port/db to point them at one."
        )
    if not reachable(redis_url(), 6379):
        missing.append(
            f"Redis not reachable at {redis_url()}: its tests will skip; "
            "set DOCMESH_TEST_REDIS_URL=redis://host:port/db to point them at one."
        )
    for line in missing:
        print(line, file=sys.stderr)
    return 1 if missing and in_ci() else 0


if __name__ == "__main__":
    raise SystemExit(main())
