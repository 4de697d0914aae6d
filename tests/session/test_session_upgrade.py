"""A database of the previous release (migration 0002) upgrades in place: every row is kept
under its table's new name, and the service reads it as if it had written it."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from google.protobuf import json_format
from sqlalchemy.ext.asyncio import create_async_engine

from docmesh.session.v1 import session_service_pb2 as pb
from docmesh.type.v1 import invoice_pb2, money_pb2
from docmesh_session.migrate import upgrade_url
from docmesh_session.models import (
    Base,
    IdempotencyKeyRow,
    JSONType,
    MessageRow,
    RevisionRow,
    SessionRow,
    UsageRow,
    UTCDateTime,
)
from tests.session.conftest import invoice

PREVIOUS_RELEASE = "0002"
NOW = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)
TOTALS = invoice_pb2.InvoiceTotals(
    subtotal=money_pb2.Money(currency_code="USD", amount="1500"),
    total=money_pb2.Money(currency_code="USD", amount="1620"),
)

# The tables as release 0002 left them (only what the rows below fill).
_OLD = sa.MetaData()
_SESSIONS = sa.Table(
    "sessions",
    _OLD,
    sa.Column("id", sa.Uuid()),
    sa.Column("owner_id", sa.String()),
    sa.Column("title", sa.String()),
    sa.Column("status", sa.String()),
    sa.Column("stage", sa.String()),
    sa.Column("document_kind", sa.String()),
    sa.Column("metadata", JSONType),
    sa.Column("token_count", sa.BigInteger()),
    sa.Column("message_count", sa.BigInteger()),
    sa.Column("latest_revision_number", sa.Integer()),
    sa.Column("version", sa.BigInteger()),
    sa.Column("create_time", UTCDateTime()),
    sa.Column("update_time", UTCDateTime()),
    sa.Column("last_activity_time", UTCDateTime()),
    sa.Column("expire_time", UTCDateTime()),
)
_MESSAGES = sa.Table(
    "messages",
    _OLD,
    sa.Column("id", sa.Uuid()),
    sa.Column("session_id", sa.Uuid()),
    sa.Column("sequence", sa.BigInteger()),
    sa.Column("role", sa.String()),
    sa.Column("content", sa.Text()),
    sa.Column("token_count", sa.Integer()),
    sa.Column("create_time", UTCDateTime()),
    sa.Column("idempotency_key", sa.String()),
)
_APPENDS = sa.Table(
    "appends",
    _OLD,
    sa.Column("session_id", sa.Uuid()),
    sa.Column("idempotency_key", sa.String()),
    sa.Column("first_sequence", sa.BigInteger()),
    sa.Column("message_count", sa.Integer()),
    sa.Column("fingerprint", sa.String()),
    sa.Column("create_time", UTCDateTime()),
    sa.Column("revision_number", sa.Integer()),
)
_REVISIONS = sa.Table(
    "revisions",
    _OLD,
    sa.Column("session_id", sa.Uuid()),
    sa.Column("number", sa.Integer()),
    sa.Column("invoice", JSONType),
    sa.Column("totals", JSONType),
    sa.Column("msc", sa.Text()),
    sa.Column("message_id", sa.String()),
    sa.Column("summary", sa.String()),
    sa.Column("create_time", UTCDateTime()),
)
_USAGE = sa.Table(
    "usage_records",
    _OLD,
    sa.Column("id", sa.Uuid()),
    sa.Column("session_id", sa.Uuid()),
    sa.Column("owner_id", sa.String()),
    sa.Column("provider", sa.String()),
    sa.Column("model", sa.String()),
    sa.Column("prompt_tokens", sa.BigInteger()),
    sa.Column("completion_tokens", sa.BigInteger()),
    sa.Column("cost_usd", sa.Numeric(20, 10)),
    sa.Column("latency_ms", sa.BigInteger()),
    sa.Column("estimated", sa.Boolean()),
    sa.Column("create_time", UTCDateTime()),
)


@dataclass
class OldSession:
    """What release 0002 stored for one session: two messages (one idempotent append), two
    revisions (the second without totals) and one usage record."""

    url: str
    owner_id: str
    session_id: uuid.UUID
    message_ids: list[uuid.UUID]


async def _write_previous_release(url: str) -> OldSession:
    await upgrade_url(url, PREVIOUS_RELEASE)
    old = OldSession(url, f"owner-{uuid.uuid4().hex[:12]}", uuid.uuid4(), [uuid.uuid4(), uuid.uuid4()])
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                _SESSIONS.insert(),
                {
                    "id": old.session_id,
                    "owner_id": old.owner_id,
                    "title": "Invoice for Acme",
                    "status": "active",
                    "stage": "drafted",
                    "document_kind": "invoice",
                    "metadata": {"channel": "web"},
                    "token_count": 12,
                    "message_count": 2,
                    "latest_revision_number": 2,
                    "version": 4,
                    "create_time": NOW,
                    "update_time": NOW,
                    "last_activity_time": NOW,
                    "expire_time": NOW + dt.timedelta(days=3650),
                },
            )
            await conn.execute(
                _MESSAGES.insert(),
                [
                    {
                        "id": message_id,
                        "session_id": old.session_id,
                        "sequence": sequence,
                        "role": role,
                        "content": content,
                        "token_count": 6,
                        "create_time": NOW,
                        "idempotency_key": "turn-1",
                    }
                    for message_id, sequence, role, content in zip(
                        old.message_ids,
                        (1, 2),
                        ("user", "assistant"),
                        ("10 hours of consulting at 150", "Here is your invoice."),
                        strict=True,
                    )
                ],
            )
            await conn.execute(
                _APPENDS.insert(),
                {
                    "session_id": old.session_id,
                    "idempotency_key": "turn-1",
                    "first_sequence": 1,
                    "message_count": 2,
                    "fingerprint": "0" * 64,
                    "create_time": NOW,
                    "revision_number": 1,
                },
            )
            # Release 0002 kept the invoice and totals as protobuf JSON.
            await conn.execute(
                _REVISIONS.insert(),
                [
                    {
                        "session_id": old.session_id,
                        "number": 1,
                        "invoice": json_format.MessageToDict(invoice("10")),
                        "totals": json_format.MessageToDict(TOTALS),
                        "msc": "version:1.5\ncell:A1:t:10 hours\n",
                        "message_id": str(old.message_ids[1]),
                        "summary": "first draft",
                        "create_time": NOW,
                    },
                    {
                        "session_id": old.session_id,
                        "number": 2,
                        "invoice": json_format.MessageToDict(invoice("12", rate="160")),
                        "totals": None,
                        "msc": "version:1.5\ncell:A1:t:12 hours\n",
                        "message_id": "",
                        "summary": "",
                        "create_time": NOW,
                    },
                ],
            )
            await conn.execute(
                _USAGE.insert(),
                {
                    "id": uuid.uuid4(),
                    "session_id": old.session_id,
                    "owner_id": old.owner_id,
                    "provider": "openai",
                    "model": "gpt-4o-mini",
                    "prompt_tokens": 7,
                    "completion_tokens": 3,
                    "cost_usd": Decimal("0.25"),
                    "latency_ms": 120,
                    "estimated": False,
                    "create_time": NOW,
                },
            )
    finally:
        await engine.dispose()
    return old


@pytest.fixture(params=["sqlite", "postgres"])
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database of this test alone. Sync on purpose: the PostgreSQL fixture it pulls
    in lazily must not run inside the event loop."""
    if request.param == "postgres":
        return str(request.getfixturevalue("private_pg_url"))
    return f"sqlite+aiosqlite:///{tmp_path / 'previous-release.db'}"


@pytest.fixture
async def old_session(empty_database_url: str) -> AsyncIterator[OldSession]:
    """A database at the previous release holding one session, then upgraded to head."""
    old = await _write_previous_release(empty_database_url)
    await upgrade_url(empty_database_url)
    yield old


async def test_every_row_of_the_previous_release_is_kept_under_the_new_table_names(
    old_session: OldSession,
) -> None:
    engine = create_async_engine(old_session.url)
    try:
        async with engine.connect() as conn:
            counts = {
                model.__tablename__: await conn.scalar(sa.select(sa.func.count()).select_from(model))
                for model in (SessionRow, MessageRow, IdempotencyKeyRow, RevisionRow, UsageRow)
            }
            key = (await conn.execute(sa.select(IdempotencyKeyRow))).one()
    finally:
        await engine.dispose()
    assert counts == {
        "sessions": 1,
        "messages": 2,
        "idempotency_keys": 1,
        "document_revisions": 2,
        "llm_usage": 1,
    }
    assert (key.idempotency_key, key.first_sequence, key.message_count, key.revision_number) == (
        "turn-1",
        1,
        2,
        1,
    )


async def test_the_upgraded_schema_is_the_one_the_models_describe(old_session: OldSession) -> None:
    engine = create_async_engine(old_session.url)
    try:
        async with engine.connect() as conn:
            diff = await conn.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata)
            )
    finally:
        await engine.dispose()
    assert diff == []


async def test_an_upgraded_session_reads_with_its_messages_and_latest_revision(
    old_session: OldSession, start_instance
) -> None:
    instance = await start_instance(old_session.url)
    owner = instance.owner(old_session.owner_id)
    view = await owner.get(str(old_session.session_id), pb.SESSION_VIEW_FULL)
    assert (view.session.title, view.session.version, view.session.message_count) == (
        "Invoice for Acme",
        4,
        2,
    )
    assert dict(view.session.metadata) == {"channel": "web"}
    assert [m.content for m in view.messages] == ["10 hours of consulting at 150", "Here is your invoice."]
    assert view.latest_revision.number == 2
    assert view.latest_revision.invoice == invoice("12", rate="160")
    assert not view.latest_revision.HasField("totals")


async def test_an_upgraded_revision_keeps_its_invoice_totals_and_message(
    old_session: OldSession, start_instance
) -> None:
    instance = await start_instance(old_session.url)
    owner = instance.owner(old_session.owner_id)
    first = (
        await owner.stub.GetRevision(
            pb.GetRevisionRequest(session_id=str(old_session.session_id), revision_number=1),
            metadata=owner.md,
        )
    ).revision
    assert first.invoice == invoice("10")
    assert first.totals == TOTALS
    assert (first.message_id, first.summary) == (str(old_session.message_ids[1]), "first draft")
    assert first.msc == "version:1.5\ncell:A1:t:10 hours\n"


async def test_upgraded_usage_still_adds_up(old_session: OldSession, start_instance) -> None:
    instance = await start_instance(old_session.url)
    owner = instance.owner(old_session.owner_id)
    usage = await owner.stub.GetUsage(pb.GetUsageRequest(), metadata=owner.md)
    assert (usage.totals.call_count, usage.totals.prompt_tokens, usage.totals.cost_usd) == (1, 7, "0.25")


async def test_an_upgraded_session_takes_new_messages_after_its_old_ones(
    old_session: OldSession, start_instance
) -> None:
    instance = await start_instance(old_session.url)
    owner = instance.owner(old_session.owner_id)
    appended = await owner.append(str(old_session.session_id), "add 2 hours of QA")
    assert [m.sequence for m in appended.messages] == [3]
    assert appended.session.version == 5


async def test_a_sqlite_database_of_the_previous_release_is_upgraded_by_the_service_at_its_start(
    tmp_path: Path, start_instance
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'embedded.db'}"
    old = await _write_previous_release(url)

    instance = await start_instance(url, DOCMESH_AUTO_MIGRATE=None)

    owner = instance.owner(old.owner_id)
    view = await owner.get(str(old.session_id), pb.SESSION_VIEW_FULL)
    assert len(view.messages) == 2
    assert view.latest_revision.invoice == invoice("12", rate="160")
