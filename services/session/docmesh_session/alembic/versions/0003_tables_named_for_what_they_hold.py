"""Tables named for what they hold; a revision keeps its invoice and totals as protobuf wire bytes.

`appends` becomes `idempotency_keys`, `revisions` `document_revisions` and `usage_records`
`llm_usage` (renamed in place: rows, indexes and foreign keys stay). The revision's
`invoice` and `totals` change from protobuf JSON to the wire encoding of the same messages:
each row is converted once here, so the service stores what it is sent and parses it only
into a reply. SQLite databases get this like every migration, at the service's start.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from alembic import op
from google.protobuf import json_format
from google.protobuf.message import Message
from sqlalchemy.dialects.postgresql import JSONB

from docmesh.type.v1 import invoice_pb2

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# (name until 0002, name from 0003)
RENAMED = (
    ("appends", "idempotency_keys"),
    ("revisions", "document_revisions"),
    ("usage_records", "llm_usage"),
)
# Constraints PostgreSQL named after the table (SQLite's are unnamed).
_PG_CONSTRAINTS = ("pkey", "session_id_fkey")
_BATCH = 500
# JSONB on PostgreSQL, JSON text on SQLite (as models.JSONType was when 0002 was current).
_JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    for old, new in RENAMED:
        _rename_table(old, new)
    _change_encoding(
        "document_revisions",
        old_type=_JSON,
        new_type=sa.LargeBinary(),
        convert=_json_to_wire,
    )


def downgrade() -> None:
    _change_encoding(
        "document_revisions",
        old_type=sa.LargeBinary(),
        new_type=_JSON,
        convert=_wire_to_json,
    )
    for old, new in reversed(RENAMED):
        _rename_table(new, old)


def _rename_table(old: str, new: str) -> None:
    op.rename_table(old, new)
    if op.get_bind().dialect.name == "postgresql":
        for suffix in _PG_CONSTRAINTS:
            op.execute(f'ALTER TABLE "{new}" RENAME CONSTRAINT "{old}_{suffix}" TO "{new}_{suffix}"')


def _change_encoding(
    table_name: str,
    *,
    old_type: sa.types.TypeEngine[Any],
    new_type: sa.types.TypeEngine[Any],
    convert: Callable[[Any, type[Message]], Any],
) -> None:
    """`invoice` and `totals` re-encoded row by row: new columns beside the old ones, filled,
    then put in their place (SQLite rebuilds the table for that, in the same transaction)."""
    with op.batch_alter_table(table_name) as batch:
        batch.add_column(sa.Column("invoice_new", new_type, nullable=True))
        batch.add_column(sa.Column("totals_new", new_type, nullable=True))
    table = sa.table(
        table_name,
        sa.column("session_id", sa.Uuid()),
        sa.column("number", sa.Integer()),
        sa.column("invoice", old_type),
        sa.column("totals", old_type),
        sa.column("invoice_new", new_type),
        sa.column("totals_new", new_type),
    )
    fill = (
        sa.update(table)
        .where(table.c.session_id == sa.bindparam("b_session"), table.c.number == sa.bindparam("b_number"))
        .values(invoice_new=sa.bindparam("b_invoice"), totals_new=sa.bindparam("b_totals"))
    )
    connection = op.get_bind()
    key = sa.tuple_(table.c.session_id, table.c.number)
    last: tuple[Any, int] | None = None
    while True:
        # Keyset batches, so a large table is never held in memory at once.
        query = sa.select(table.c.session_id, table.c.number, table.c.invoice, table.c.totals)
        if last is not None:
            query = query.where(
                key > sa.tuple_(sa.literal(last[0], sa.Uuid()), sa.literal(last[1], sa.Integer()))
            )
        rows = connection.execute(query.order_by(table.c.session_id, table.c.number).limit(_BATCH)).all()
        if not rows:
            break
        connection.execute(
            fill,
            [
                {
                    "b_session": session_id,
                    "b_number": number,
                    "b_invoice": convert(invoice, invoice_pb2.Invoice),
                    "b_totals": None if totals is None else convert(totals, invoice_pb2.InvoiceTotals),
                }
                for session_id, number, invoice, totals in rows
            ],
        )
        last = (rows[-1][0], rows[-1][1])
    with op.batch_alter_table(table_name) as batch:
        batch.drop_column("invoice")
        batch.drop_column("totals")
        batch.alter_column("invoice_new", new_column_name="invoice", existing_type=new_type, nullable=False)
        batch.alter_column("totals_new", new_column_name="totals", existing_type=new_type, nullable=True)


def _json_to_wire(value: Any, message_type: type[Message]) -> bytes:
    # The driver may hand JSON back as text (SQLite without the JSON type's processing).
    data = json.loads(value) if isinstance(value, str) else value
    message = json_format.ParseDict(data, message_type(), ignore_unknown_fields=True)
    return message.SerializeToString(deterministic=True)


def _wire_to_json(value: bytes, message_type: type[Message]) -> dict[str, Any]:
    return json_format.MessageToDict(message_type.FromString(value))
