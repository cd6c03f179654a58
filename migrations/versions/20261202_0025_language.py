"""the language each parent and nursery user chose (en or cy), for their pages and their emails

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-02 05:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None

_CHECK = "language IN ('en', 'cy')"


def upgrade() -> None:
    for table in ("parents", "provider_users"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("language", sa.String(2), nullable=False, server_default="en"))
            batch.create_check_constraint("language", _CHECK)
    with op.batch_alter_table("notifications") as batch:
        batch.add_column(sa.Column("language", sa.String(2), nullable=False, server_default="en"))


def downgrade() -> None:
    with op.batch_alter_table("notifications") as batch:
        batch.drop_column("language")
    for table in ("parents", "provider_users"):
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint("language", type_="check")
            batch.drop_column("language")
