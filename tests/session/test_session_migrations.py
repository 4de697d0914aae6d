"""Migrations run from the installed package and create exactly the tables the models describe."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import create_async_engine

from docmesh_session.migrate import upgrade_url
from docmesh_session.models import Base


def _env(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCMESH_")}
    env.update(values)
    return env


def test_migrate_module_creates_the_sqlite_file_and_its_folder(tmp_path: Path) -> None:
    target = tmp_path / "state" / "nested" / "docmesh.db"
    result = subprocess.run(
        [sys.executable, "-m", "docmesh_session.migrate"],
        env=_env(DOCMESH_DATABASE_URL=f"sqlite+aiosqlite:///{target}"),
        cwd=tmp_path,  # no alembic.ini here: the configuration comes from the package
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert target.exists()
    import sqlite3

    with sqlite3.connect(target) as conn:
        tables = {row[0] for row in conn.execute("select name from sqlite_master where type='table'")}
        version = conn.execute("select version_num from alembic_version").fetchone()[0]
    assert {"sessions", "messages", "idempotency_keys", "document_revisions", "llm_usage"} <= tables
    assert version == "0007"  # head


def test_bad_database_url_exits_2_naming_the_variable(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "docmesh_session.migrate"],
        env=_env(DOCMESH_DATABASE_URL="mysql://nope"),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "DOCMESH_DATABASE_URL" in result.stderr


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, sqlite_url: str) -> str:
    return request.getfixturevalue("migrated_pg_url") if request.param == "postgres" else sqlite_url


async def test_migrated_schema_matches_the_models(database_url: str) -> None:
    url = database_url
    await upgrade_url(url)
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            diff = await conn.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata)
            )
    finally:
        await engine.dispose()
    assert diff == []


async def test_upgrading_twice_is_a_no_op(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'twice.db'}"
    await upgrade_url(url)
    await upgrade_url(url)


def test_replicas_migrating_one_sqlite_file_at_once_all_succeed(tmp_path: Path) -> None:
    env = _env(DOCMESH_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'shared.db'}")
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "docmesh_session.migrate"],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for process in processes:
        _, stderr = process.communicate(timeout=60)
        assert process.returncode == 0, stderr
