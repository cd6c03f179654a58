"""an invoice whose DWP share the UC award's childcare element limited (the parent owes the rest)

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-02 08:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("invoices") as batch:
        batch.add_column(sa.Column("award_limited", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("invoices") as batch:
        batch.drop_column("award_limited")
