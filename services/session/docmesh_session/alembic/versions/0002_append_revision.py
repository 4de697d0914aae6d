"""Appends remember the revision a CommitTurn saved with them, so a retry can return it.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable, no default: adding it is a catalogue-only change on PostgreSQL and SQLite
    # (no table rewrite), and every earlier append simply saved no revision.
    with op.batch_alter_table("appends") as batch:
        batch.add_column(sa.Column("revision_number", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("appends") as batch:
        batch.drop_column("revision_number")
