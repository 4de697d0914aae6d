"""Sessions, messages, idempotent appends, revisions and usage records.

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from docmesh_session.models import JSONType, UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sessions",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("owner_id", sa.String(128), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("stage", sa.String(16), nullable=False),
        sa.Column("document_kind", sa.String(32), nullable=False),
        sa.Column("metadata", JSONType, nullable=False),
        sa.Column("token_count", sa.BigInteger(), nullable=False),
        sa.Column("message_count", sa.BigInteger(), nullable=False),
        sa.Column("latest_revision_number", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("create_time", UTCDateTime(), nullable=False),
        sa.Column("update_time", UTCDateTime(), nullable=False),
        sa.Column("last_activity_time", UTCDateTime(), nullable=False),
        sa.Column("expire_time", UTCDateTime(), nullable=False),
        sa.Column("complete_time", UTCDateTime(), nullable=True),
        sa.Column("delete_time", UTCDateTime(), nullable=True),
    )
    op.create_index("ix_sessions_owner_create", "sessions", ["owner_id", "create_time", "id"])
    op.create_index("ix_sessions_owner_update", "sessions", ["owner_id", "update_time", "id"])
    op.create_index("ix_sessions_status_expire", "sessions", ["status", "expire_time"])
    op.create_index("ix_sessions_delete_time", "sessions", ["delete_time"])

    op.create_table(
        "messages",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("session_id", sa.Uuid(), sa.ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
        sa.Column("sequence", sa.BigInteger(), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("token_count", sa.Integer(), nullable=False),
        sa.Column("create_time", UTCDateTime(), nullable=False),
        sa.Column("idempotency_key", sa.String(128), nullable=True),
        sa.UniqueConstraint("session_id", "sequence", name="uq_messages_session_sequence"),
    )

    op.create_table(
        "appends",
        sa.Column(
            "session_id", sa.Uuid(), sa.ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("idempotency_key", sa.String(128), primary_key=True),
        sa.Column("first_sequence", sa.BigInteger(), nullable=False),
        sa.Column("message_count", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("create_time", UTCDateTime(), nullable=False),
    )

    op.create_table(
        "revisions",
        sa.Column(
            "session_id", sa.Uuid(), sa.ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("number", sa.Integer(), primary_key=True),
        sa.Column("invoice", JSONType, nullable=False),
        sa.Column("totals", JSONType, nullable=True),
        sa.Column("msc", sa.Text(), nullable=False),
        sa.Column("message_id", sa.String(64), nullable=False),
        sa.Column("summary", sa.String(500), nullable=False),
        sa.Column("create_time", UTCDateTime(), nullable=False),
    )

    op.create_table(
        "usage_records",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("session_id", sa.Uuid(), sa.ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
        sa.Column("owner_id", sa.String(128), nullable=False),
        sa.Column("provider", sa.String(64), nullable=False),
        sa.Column("model", sa.String(128), nullable=False),
        sa.Column("prompt_tokens", sa.BigInteger(), nullable=False),
        sa.Column("completion_tokens", sa.BigInteger(), nullable=False),
        sa.Column("cost_usd", sa.Numeric(20, 10), nullable=False),
        sa.Column("latency_ms", sa.BigInteger(), nullable=False),
        sa.Column("estimated", sa.Boolean(), nullable=False),
        sa.Column("create_time", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_usage_session", "usage_records", ["session_id", "model"])
    op.create_index("ix_usage_owner", "usage_records", ["owner_id", "model"])


def downgrade() -> None:
    op.drop_table("usage_records")
    op.drop_table("revisions")
    op.drop_table("appends")
    op.drop_table("messages")
    op.drop_table("sessions")
