"""Finalized documents have a number: sessions.document_number / finalize_time, unique per
owner, and one counter row per (owner, series).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from docmesh_session.models import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMNs and a unique index, never batch mode: SQLite's batch mode copies the
    # table and drops the old one, and with foreign keys on that drop would cascade to every
    # message and revision. Nullable, no default: every earlier session is a draft, and no
    # table is rewritten on PostgreSQL either.
    op.add_column("sessions", sa.Column("document_number", sa.String(64), nullable=True))
    op.add_column("sessions", sa.Column("finalize_time", UTCDateTime(), nullable=True))
    op.create_index(
        "uq_sessions_owner_document_number", "sessions", ["owner_id", "document_number"], unique=True
    )
    op.create_table(
        "document_counters",
        sa.Column("owner_id", sa.String(128), primary_key=True),
        sa.Column("series_key", sa.String(64), primary_key=True),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("document_counters")
    op.drop_index("uq_sessions_owner_document_number", table_name="sessions")
    op.drop_column("sessions", "finalize_time")
    op.drop_column("sessions", "document_number")
