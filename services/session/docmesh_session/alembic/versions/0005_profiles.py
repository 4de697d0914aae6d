"""An owner's business profile and its logo, each in a table of its own.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from docmesh_session.models import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "profiles",
        sa.Column("owner_id", sa.String(128), primary_key=True),
        sa.Column("profile", sa.LargeBinary(), nullable=False),
        sa.Column("update_time", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "logos",
        sa.Column("owner_id", sa.String(128), primary_key=True),
        sa.Column("content_type", sa.String(32), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("update_time", UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("logos")
    op.drop_table("profiles")
