"""Queries on the LLM usage records of sessions."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from docmesh_session.database import Database
from docmesh_session.domain import NewUsage, UsageRecord, UsageReport, UsageTotals
from docmesh_session.mapping import usage_to_row
from docmesh_session.models import USAGE

_INSERT_USAGE = insert(USAGE)


def new_usage_record(usage: NewUsage, now: dt.datetime) -> UsageRecord:
    return UsageRecord(
        id=uuid.uuid4(),
        session_id=usage.session_id,
        provider=usage.provider,
        model=usage.model,
        prompt_tokens=usage.prompt_tokens,
        completion_tokens=usage.completion_tokens,
        cost_usd=usage.cost_usd,
        latency_ms=usage.latency_ms,
        estimated=usage.estimated,
        create_time=now,
    )


async def insert_usage(conn: AsyncConnection, owner_id: str, records: Sequence[UsageRecord]) -> None:
    rows = [usage_to_row(record, owner_id) for record in records]
    # One row: a plain execute (an executemany costs more for a single row).
    await conn.execute(_INSERT_USAGE, rows[0] if len(rows) == 1 else rows)


class UsageQueries:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def record(self, owner_id: str, usage: NewUsage, now: dt.datetime) -> UsageRecord:
        record = new_usage_record(usage, now)
        async with self._db.write() as conn:
            await insert_usage(conn, owner_id, [record])
        return record

    async def report(self, owner_id: str, session_id: uuid.UUID | None) -> UsageReport:
        query = select(
            USAGE.c.model,
            func.count(),
            func.coalesce(func.sum(USAGE.c.prompt_tokens), 0),
            func.coalesce(func.sum(USAGE.c.completion_tokens), 0),
            func.coalesce(func.sum(USAGE.c.cost_usd), 0),
        ).where(USAGE.c.owner_id == owner_id)
        if session_id is not None:
            query = query.where(USAGE.c.session_id == session_id)
        async with self._db.read() as conn:
            rows = (await conn.execute(query.group_by(USAGE.c.model).order_by(USAGE.c.model))).all()
        report = UsageReport(totals=UsageTotals())
        for model, calls, prompt, completion, cost in rows:
            # SQLite sums NUMERIC as floats: quantise back to the column's scale.
            amount = Decimal(str(cost)).quantize(Decimal("1e-10"))
            per_model = UsageTotals(int(calls), int(prompt), int(completion), amount)
            report.by_model[model] = per_model
            report.totals.call_count += per_model.call_count
            report.totals.prompt_tokens += per_model.prompt_tokens
            report.totals.completion_tokens += per_model.completion_tokens
            report.totals.cost_usd += per_model.cost_usd
        return report
