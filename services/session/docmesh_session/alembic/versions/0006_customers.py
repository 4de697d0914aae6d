"""An owner's customers.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from docmesh_session.models import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "customers",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("owner_id", sa.String(128), nullable=False),
        sa.Column("sort_name", sa.String(200), nullable=False),
        sa.Column("party", sa.LargeBinary(), nullable=False),
        sa.Column("default_currency_code", sa.String(3), nullable=False),
        sa.Column("default_payment_terms", sa.String(200), nullable=False),
        sa.Column("default_payment_days", sa.Integer(), nullable=False),
        sa.Column("create_time", UTCDateTime(), nullable=False),
        sa.Column("update_time", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_customers_owner_name", "customers", ["owner_id", "sort_name", "id"])


def downgrade() -> None:
    op.drop_index("ix_customers_owner_name", table_name="customers")
    op.drop_table("customers")
