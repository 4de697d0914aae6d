"""The reference for the REST hop: one process doing what CreateSession and GetSession do through
the gateway and the session service, written plainly with FastAPI, SQLAlchemy (asyncpg) and redis.

Per request, like the mesh: the API key's SHA-256 looked up among the keys file's hashes, a
token bucket per key in Redis (the gateway's own Lua script, one round trip), the owner check,
then for a create a durable insert into the session service's `sessions` table (committed
before the answer) and a write-through of the cache entry; for a read the Redis cache first
(sliding TTL), else the row (owner in the WHERE clause) and a write-through. The JSON is the
gateway's: proto field names, zero values printed, enums by name, RFC 3339 UTC times.

Run: REF_DATABASE_URL=postgresql+asyncpg://... REF_REDIS_URL=redis://... REF_API_KEYS_FILE=keys.json \\
     .venv/bin/python -m uvicorn --app-dir bench reference_app.app:app --port 8090
(the database needs the session service's migrations: `make migrate` with DOCMESH_DATABASE_URL).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

import redis.asyncio as redis_asyncio
from fastapi import Depends, FastAPI, Header, HTTPException
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from docmesh_gateway.ratelimit import TOKEN_BUCKET_LUA
from docmesh_session.models import SESSIONS

SESSION_TTL = dt.timedelta(seconds=int(os.environ.get("REF_SESSION_TTL_SECONDS", "86400")))
CACHE_TTL_MS = int(os.environ.get("REF_CACHE_TTL_SECONDS", "86400")) * 1000
RATE = float(os.environ.get("REF_RATE_LIMIT_RPS", "20"))
BURST = int(os.environ.get("REF_RATE_LIMIT_BURST", "40"))
KIND_NAMES = {
    "invoice": "DOCUMENT_KIND_INVOICE",
    "quote": "DOCUMENT_KIND_QUOTE",
    "receipt": "DOCUMENT_KIND_RECEIPT",
    "purchase_order": "DOCUMENT_KIND_PURCHASE_ORDER",
    "credit_note": "DOCUMENT_KIND_CREDIT_NOTE",
}
KINDS_BY_NAME = {name: kind for kind, name in KIND_NAMES.items()}


def load_keys(path: str) -> dict[str, str]:
    """key hash (hex) → owner id, from a keys file of [{key_hash: "sha256:...", owner_id}]."""
    with open(path, encoding="utf-8") as handle:
        entries = json.load(handle)
    return {e["key_hash"].removeprefix("sha256:"): e["owner_id"] for e in entries}


class State:
    engine: AsyncEngine
    redis: Any
    bucket: Any
    keys: dict[str, str]


state = State()


@asynccontextmanager
async def lifespan(_: FastAPI) -> AsyncIterator[None]:
    state.engine = create_async_engine(
        os.environ["REF_DATABASE_URL"],
        pool_size=int(os.environ.get("REF_DB_POOL_SIZE", "10")),
        max_overflow=int(os.environ.get("REF_DB_MAX_OVERFLOW", "10")),
    )
    # A blocking pool, as the session service's: under a burst a request waits for a connection.
    pool = redis_asyncio.BlockingConnectionPool.from_url(os.environ["REF_REDIS_URL"], max_connections=64)
    state.redis = redis_asyncio.Redis(connection_pool=pool)
    state.bucket = state.redis.register_script(TOKEN_BUCKET_LUA)
    state.keys = load_keys(os.environ["REF_API_KEYS_FILE"])
    yield
    await state.redis.aclose()
    await state.engine.dispose()


app = FastAPI(lifespan=lifespan, openapi_url=None, docs_url=None, redoc_url=None)


class NewSession(BaseModel):
    title: str = Field("", max_length=200)
    metadata: dict[str, str] = Field(default_factory=dict, max_length=64)
    document_kind: str = "DOCUMENT_KIND_UNSPECIFIED"


async def caller(
    x_api_key: Annotated[str, Header()] = "", authorization: Annotated[str, Header()] = ""
) -> str:
    """The owner of the presented key, after its token bucket allowed the request."""
    key = x_api_key.strip()
    if not key and authorization.lower().startswith("bearer "):
        key = authorization[7:].strip()
    owner = state.keys.get(hashlib.sha256(key.encode()).hexdigest()) if key else None
    if owner is None:
        raise HTTPException(401, "the API key is not valid")
    allowed, _ = await state.bucket(keys=[f"ref:ratelimit:{owner}"], args=[RATE, BURST])
    if not int(allowed):
        raise HTTPException(429, "rate limit exceeded for this API key")
    return owner


Owner = Annotated[str, Depends(caller)]


def _time(value: dt.datetime | None) -> str | None:
    return None if value is None else value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def session_json(row: Any) -> dict[str, Any]:
    """A sessions row as the gateway prints a Session (absent times are left out, as unset messages)."""
    body = {
        "id": str(row["id"]),
        "owner_id": row["owner_id"],
        "title": row["title"],
        "status": "SESSION_STATUS_" + row["status"].upper(),
        "metadata": dict(row["metadata"] or {}),
        "document_kind": KIND_NAMES.get(row["document_kind"], "DOCUMENT_KIND_INVOICE"),
        "stage": "SESSION_STAGE_" + row["stage"].upper(),
        "token_count": row["token_count"],
        "version": row["version"],
        "message_count": row["message_count"],
        "latest_revision_number": row["latest_revision_number"],
        "document_number": row["document_number"] or "",
    }
    for name in (
        "create_time",
        "update_time",
        "last_activity_time",
        "expire_time",
        "complete_time",
        "delete_time",
        "finalize_time",
    ):
        text = _time(row[name])
        if text is not None:
            body[name] = text
    return body


async def cache_put(session: dict[str, Any]) -> None:
    await state.redis.set(f"ref:session:{session['id']}", json.dumps(session), px=CACHE_TTL_MS)


@app.post("/api/v1/sessions")
async def create_session(new: NewSession, owner: Owner) -> JSONResponse:
    if "\x00" in new.title:
        raise HTTPException(400, "session.title must not contain NUL characters")
    kind = (
        "invoice"
        if new.document_kind == "DOCUMENT_KIND_UNSPECIFIED"
        else KINDS_BY_NAME.get(new.document_kind)
    )
    if kind is None:
        raise HTTPException(400, f"session.document_kind has no known value {new.document_kind}")
    now = dt.datetime.now(dt.UTC)
    row = {
        "id": uuid.uuid4(),
        "owner_id": owner,
        "title": new.title,
        "status": "active",
        "stage": "collecting",
        "document_kind": kind,
        "metadata": new.metadata,
        "token_count": 0,
        "message_count": 0,
        "latest_revision_number": 0,
        "version": 1,
        "create_time": now,
        "update_time": now,
        "last_activity_time": now,
        "expire_time": now + SESSION_TTL,
        "complete_time": None,
        "delete_time": None,
        "document_number": None,
        "finalize_time": None,
    }
    async with state.engine.begin() as conn:  # committed before the answer
        await conn.execute(insert(SESSIONS), row)
    session = session_json(row)
    await cache_put(session)
    return JSONResponse({"session": session})


@app.get("/api/v1/sessions/{session_id}")
async def get_session(session_id: str, owner: Owner) -> JSONResponse:
    try:
        parsed = uuid.UUID(session_id)
    except ValueError:
        raise HTTPException(400, "session_id is not a valid UUID") from None
    cached = await state.redis.getex(f"ref:session:{parsed}", px=CACHE_TTL_MS)
    if cached is not None:
        session = json.loads(cached)
        if session["owner_id"] != owner:
            raise HTTPException(404, f"session {parsed} not found")
        return JSONResponse({"session": session, "messages": []})
    query = select(SESSIONS).where(SESSIONS.c.id == parsed, SESSIONS.c.owner_id == owner)
    async with state.engine.connect() as conn:
        found = (await conn.execute(query)).mappings().first()
    if found is None:
        raise HTTPException(404, f"session {parsed} not found")
    session = session_json(found)
    await cache_put(session)
    return JSONResponse({"session": session, "messages": []})
