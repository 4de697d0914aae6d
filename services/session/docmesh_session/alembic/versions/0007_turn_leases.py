"""The turn lease of a session in a table of its own (it was a session metadata entry, which
an UpdateSession of the metadata could overwrite).

A new table only: `sessions` is not altered (on SQLite a batch-mode rebuild of `sessions` would
cascade deletes to its messages).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from docmesh_session.models import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "turn_leases",
        sa.Column(
            "session_id",
            sa.Uuid(),
            sa.ForeignKey("sessions.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("holder", sa.String(64), nullable=False),
        sa.Column("expire_time", UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("turn_leases")
