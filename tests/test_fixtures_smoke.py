"""The shared fixtures give each run a database of its own."""

import asyncpg

from tests.pg_admin import _dsn


async def test_pg_url_is_a_fresh_database_of_this_run(pg_url: str, run_id: str) -> None:
    conn = await asyncpg.connect(_dsn(pg_url))
    try:
        name = await conn.fetchval("select current_database()")
    finally:
        await conn.close()
    assert name == f"docmesh_t_{run_id}"
