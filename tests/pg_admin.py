"""CREATE/DROP DATABASE for the test run, through asyncpg (no extra driver needed)."""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

import asyncpg


def _dsn(sqlalchemy_url: str) -> str:
    parts = urlsplit(sqlalchemy_url)
    return f"postgresql://{parts.netloc}{parts.path or '/postgres'}"


async def _execute(url: str, statement: str) -> None:
    conn = await asyncpg.connect(_dsn(url))
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


def create_database(url: str, name: str) -> None:
    asyncio.run(_execute(url, f'CREATE DATABASE "{name}"'))


def drop_database(url: str, name: str) -> None:
    asyncio.run(_execute(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
