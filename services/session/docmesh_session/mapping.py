"""The one mapping between a database row, a Redis cache entry and a domain record.

Each conversion is written here once: the repository reads rows with the `*_from_row`
functions and writes with `*_to_row`; the cache encodes with `*_to_cache` and decodes with
`*_from_cache`. Conversions are spelled out field by field (no reflection): they run on
every request and explicit construction is the cheapest. A `*_from_record` reads a row as a
mapping: SQLAlchemy's `row._mapping` or a record of the asyncpg driver itself
(`Database.fetch`), whose JSONB comes as its JSON text.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Row

from docmesh_session.domain import (
    MessageRecord,
    RevisionRecord,
    Role,
    SessionRecord,
    Stage,
    Status,
    UsageRecord,
)

# ---- sessions -------------------------------------------------------------------------


def session_from_row(row: Row[Any]) -> SessionRecord:
    return session_from_record(row._mapping)


def session_from_record(m: Mapping[Any, Any]) -> SessionRecord:
    metadata = m["metadata"]
    if isinstance(metadata, str):  # the driver's JSONB text
        metadata = json.loads(metadata)
    return SessionRecord(
        id=m["id"],
        owner_id=m["owner_id"],
        title=m["title"],
        status=Status(m["status"]),
        stage=Stage(m["stage"]),
        document_kind=m["document_kind"],
        metadata=dict(metadata or {}),
        token_count=m["token_count"],
        message_count=m["message_count"],
        latest_revision_number=m["latest_revision_number"],
        version=m["version"],
        create_time=m["create_time"],
        update_time=m["update_time"],
        last_activity_time=m["last_activity_time"],
        expire_time=m["expire_time"],
        complete_time=m["complete_time"],
        delete_time=m["delete_time"],
        document_number=m["document_number"],
        finalize_time=m["finalize_time"],
    )


def session_to_row(s: SessionRecord) -> dict[str, Any]:
    return {
        "id": s.id,
        "owner_id": s.owner_id,
        "title": s.title,
        "status": s.status.value,
        "stage": s.stage.value,
        "document_kind": s.document_kind,
        "metadata": s.metadata,
        "token_count": s.token_count,
        "message_count": s.message_count,
        "latest_revision_number": s.latest_revision_number,
        "version": s.version,
        "create_time": s.create_time,
        "update_time": s.update_time,
        "last_activity_time": s.last_activity_time,
        "expire_time": s.expire_time,
        "complete_time": s.complete_time,
        "delete_time": s.delete_time,
        "document_number": s.document_number,
        "finalize_time": s.finalize_time,
    }


def session_to_cache(s: SessionRecord) -> dict[str, Any]:
    return {
        "id": str(s.id),
        "owner_id": s.owner_id,
        "title": s.title,
        "status": s.status.value,
        "stage": s.stage.value,
        "document_kind": s.document_kind,
        "metadata": s.metadata,
        "token_count": s.token_count,
        "message_count": s.message_count,
        "latest_revision_number": s.latest_revision_number,
        "version": s.version,
        "create_time": _text(s.create_time),
        "update_time": _text(s.update_time),
        "last_activity_time": _text(s.last_activity_time),
        "expire_time": _text(s.expire_time),
        "complete_time": _optional_text(s.complete_time),
        "delete_time": _optional_text(s.delete_time),
        "document_number": s.document_number,
        "finalize_time": _optional_text(s.finalize_time),
    }


def session_from_cache(s: dict[str, Any]) -> SessionRecord:
    return SessionRecord(
        id=uuid.UUID(s["id"]),
        owner_id=s["owner_id"],
        title=s["title"],
        status=Status(s["status"]),
        stage=Stage(s["stage"]),
        document_kind=s["document_kind"],
        metadata=dict(s["metadata"]),
        token_count=int(s["token_count"]),
        message_count=int(s["message_count"]),
        latest_revision_number=int(s["latest_revision_number"]),
        version=int(s["version"]),
        create_time=_time(s["create_time"]),
        update_time=_time(s["update_time"]),
        last_activity_time=_time(s["last_activity_time"]),
        expire_time=_time(s["expire_time"]),
        complete_time=_optional_time(s["complete_time"]),
        delete_time=_optional_time(s["delete_time"]),
        # An entry cached by the previous release has neither: its session was a draft.
        document_number=s.get("document_number"),
        finalize_time=_optional_time(s.get("finalize_time")),
    )


# ---- messages -------------------------------------------------------------------------


def message_from_row(row: Row[Any]) -> MessageRecord:
    return message_from_record(row._mapping)


def message_from_record(m: Mapping[Any, Any], prefix: str = "") -> MessageRecord:
    """A message row (its columns named `prefix` + the column's name in a row of a join)."""
    return MessageRecord(
        id=m[prefix + "id"],
        session_id=m[prefix + "session_id"],
        sequence=m[prefix + "sequence"],
        role=Role(m[prefix + "role"]),
        content=m[prefix + "content"],
        token_count=m[prefix + "token_count"],
        create_time=m[prefix + "create_time"],
    )


def message_to_row(m: MessageRecord, idempotency_key: str) -> dict[str, Any]:
    """`idempotency_key` names the append that wrote it ("" for none)."""
    return {
        "id": m.id,
        "session_id": m.session_id,
        "sequence": m.sequence,
        "role": m.role.value,
        "content": m.content,
        "token_count": m.token_count,
        "create_time": m.create_time,
        "idempotency_key": idempotency_key or None,
    }


# ---- revisions ------------------------------------------------------------------------


def revision_from_row(row: Row[Any], prefix: str = "") -> RevisionRecord:
    return revision_from_record(row._mapping, prefix)


def revision_from_record(m: Mapping[Any, Any], prefix: str = "") -> RevisionRecord:
    """A revision row (its columns named `prefix` + the column's name, when it is a row of a
    join); a listing leaves out the MSC text, which then reads as ""."""
    return RevisionRecord(
        session_id=m[prefix + "session_id"],
        number=m[prefix + "number"],
        invoice=m[prefix + "invoice"],
        totals=m[prefix + "totals"],
        msc=m.get(prefix + "msc", ""),
        message_id=m[prefix + "message_id"],
        summary=m[prefix + "summary"],
        create_time=m[prefix + "create_time"],
    )


def revision_to_row(r: RevisionRecord) -> dict[str, Any]:
    return {
        "session_id": r.session_id,
        "number": r.number,
        "invoice": r.invoice,
        "totals": r.totals,
        "msc": r.msc,
        "message_id": r.message_id,
        "summary": r.summary,
        "create_time": r.create_time,
    }


def revision_to_cache(r: RevisionRecord) -> dict[str, Any]:
    """The session id is the cache key's, so the entry does not repeat it; the invoice and
    totals are their wire bytes in base64."""
    return {
        "number": r.number,
        "invoice": base64.b64encode(r.invoice).decode(),
        "totals": None if r.totals is None else base64.b64encode(r.totals).decode(),
        "msc": r.msc,
        "message_id": r.message_id,
        "summary": r.summary,
        "create_time": _text(r.create_time),
    }


def revision_from_cache(session_id: uuid.UUID, r: dict[str, Any]) -> RevisionRecord:
    """Raises ValueError or TypeError on an entry of another form (e.g. an older release's
    protobuf JSON), which the cache then drops."""
    return RevisionRecord(
        session_id=session_id,
        number=int(r["number"]),
        invoice=base64.b64decode(r["invoice"], validate=True),
        totals=None if r["totals"] is None else base64.b64decode(r["totals"], validate=True),
        msc=r["msc"],
        message_id=r["message_id"],
        summary=r["summary"],
        create_time=_time(r["create_time"]),
    )


# ---- usage ----------------------------------------------------------------------------


def usage_to_row(u: UsageRecord, owner_id: str) -> dict[str, Any]:
    """`owner_id` is the session's, denormalised so per-owner totals need no join."""
    return {
        "id": u.id,
        "session_id": u.session_id,
        "owner_id": owner_id,
        "provider": u.provider,
        "model": u.model,
        "prompt_tokens": u.prompt_tokens,
        "completion_tokens": u.completion_tokens,
        "cost_usd": u.cost_usd,
        "latency_ms": u.latency_ms,
        "estimated": u.estimated,
        "create_time": u.create_time,
    }


# ---- timestamps in cache entries (ISO 8601 with the UTC offset) -------------------------


def _text(value: dt.datetime) -> str:
    return value.isoformat()


def _optional_text(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def _time(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value)


def _optional_time(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None
