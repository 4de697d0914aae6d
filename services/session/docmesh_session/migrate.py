"""Apply the database migrations: `python -m docmesh_session.migrate` (what `make migrate` runs).

The Alembic configuration lives in code so migrations run from the installed package,
without an alembic.ini in the working directory.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from docmesh_common.settings import load_settings
from docmesh_session.settings import SessionSettings

log = logging.getLogger(__name__)

SCRIPT_LOCATION = str(Path(__file__).resolve().parent / "alembic")


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    # ConfigParser interpolation would eat a `%` in a password.
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def ensure_sqlite_folder(database_url: str) -> None:
    """SQLite creates the file but not its folder (e.g. `.state/`)."""
    prefix = "sqlite+aiosqlite:///"
    if database_url.startswith(prefix):
        path = database_url[len(prefix) :].split("?", 1)[0]
        if path and path != ":memory:":
            Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)


def _upgrade(connection: Connection, database_url: str, target: str) -> None:
    config = alembic_config(database_url)
    config.attributes["connection"] = connection
    command.upgrade(config, target)


async def upgrade(engine: AsyncEngine, target: str = "head") -> None:
    """Upgrade to `target` (a revision id; the latest by default) on an existing engine (used
    at service start)."""
    url = engine.url.render_as_string(hide_password=False)
    async with engine.begin() as connection:
        # Several replicas may start at once: one migrates, the others wait for it and
        # then find nothing left to do.
        if connection.dialect.name == "postgresql":
            await connection.exec_driver_sql("SELECT pg_advisory_xact_lock(7412093)")
        elif connection.dialect.name == "sqlite":
            await connection.exec_driver_sql("BEGIN IMMEDIATE")
        await connection.run_sync(_upgrade, url, target)


async def upgrade_url(database_url: str, target: str = "head") -> None:
    ensure_sqlite_folder(database_url)
    engine = create_async_engine(
        database_url, connect_args={"timeout": 60} if database_url.startswith("sqlite") else {}
    )
    try:
        await upgrade(engine, target)
    finally:
        await engine.dispose()


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = load_settings(SessionSettings)
    asyncio.run(upgrade_url(settings.database_url))
    log.info("database migrated to head")


if __name__ == "__main__":
    main()
