"""Queries of an owner's business profile and logo (one of each per owner)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, bindparam, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite

from docmesh_session.database import Database
from docmesh_session.models import LOGOS, PROFILES


@dataclass(slots=True, frozen=True)
class StoredProfile:
    # The wire encoding of docmesh.session.v1.Profile, checked where it entered.
    profile: bytes
    update_time: dt.datetime


@dataclass(slots=True, frozen=True)
class Logo:
    content_type: str
    data: bytes
    width: int
    height: int


@dataclass(slots=True, frozen=True)
class LogoInfo:
    content_type: str
    size_bytes: int
    width: int
    height: int


# The owner's profile and logo facts in one row, each side NULL when missing (the owner is the
# anchor of both outer joins, so a logo without a profile is found too). A first chat turn's
# statement reads it too (repository/turns.py).
_OWNER = select(bindparam("p_owner", type_=String()).label("owner_id")).subquery("owner")
SELECT_PROFILE = select(
    PROFILES.c.profile,
    PROFILES.c.update_time,
    LOGOS.c.content_type,
    LOGOS.c.width,
    LOGOS.c.height,
    # The size without reading the image.
    func.length(LOGOS.c.data).label("size"),
).select_from(
    _OWNER.outerjoin(PROFILES, PROFILES.c.owner_id == _OWNER.c.owner_id).outerjoin(
        LOGOS, LOGOS.c.owner_id == _OWNER.c.owner_id
    )
)


def profile_from_row(row: Mapping[Any, Any]) -> tuple[StoredProfile | None, LogoInfo | None]:
    """The profile and its logo's facts of a row of SELECT_PROFILE's columns, as a mapping
    (SQLAlchemy's `row._mapping` or a driver record)."""
    profile = row["profile"]
    stored = StoredProfile(profile, row["update_time"]) if profile is not None else None
    content_type = row["content_type"]
    info = (
        LogoInfo(content_type, int(row["size"]), row["width"], row["height"])
        if content_type is not None
        else None
    )
    return stored, info


class ProfileQueries:
    def __init__(self, database: Database) -> None:
        self._db = database

    def _insert(self):  # type: ignore[no-untyped-def]
        return sqlite.insert if self._db.is_sqlite else postgresql.insert

    async def get(self, owner_id: str) -> tuple[StoredProfile | None, LogoInfo | None]:
        """The profile and what its logo is (not the logo's bytes), from one snapshot: one
        statement, so one round trip (a chat turn's first document reads it)."""
        async with self._db.read() as conn:
            row = (await conn.execute(SELECT_PROFILE, {"p_owner": owner_id})).one()
        return profile_from_row(row._mapping)

    async def put(self, owner_id: str, profile: bytes, now: dt.datetime) -> None:
        statement = self._insert()(PROFILES).values(owner_id=owner_id, profile=profile, update_time=now)
        statement = statement.on_conflict_do_update(
            index_elements=[PROFILES.c.owner_id], set_={"profile": profile, "update_time": now}
        )
        async with self._db.write() as conn:
            await conn.execute(statement)

    async def get_logo(self, owner_id: str) -> Logo | None:
        async with self._db.read() as conn:
            row = (await conn.execute(select(LOGOS).where(LOGOS.c.owner_id == owner_id))).first()
        return Logo(row.content_type, row.data, row.width, row.height) if row else None

    async def put_logo(self, owner_id: str, logo: Logo, now: dt.datetime) -> None:
        values = {
            "content_type": logo.content_type,
            "data": logo.data,
            "width": logo.width,
            "height": logo.height,
            "update_time": now,
        }
        statement = self._insert()(LOGOS).values(owner_id=owner_id, **values)
        statement = statement.on_conflict_do_update(index_elements=[LOGOS.c.owner_id], set_=values)
        async with self._db.write() as conn:
            await conn.execute(statement)

    async def delete_logo(self, owner_id: str) -> bool:
        async with self._db.write() as conn:
            result = await conn.execute(delete(LOGOS).where(LOGOS.c.owner_id == owner_id))
        return bool(result.rowcount)
