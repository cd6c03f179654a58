"""parents: which consent-ending warnings each parent has been sent

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-02 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Which warnings before a consent ends (30 days, then 7) its parent has been sent.
    with op.batch_alter_table("consents") as batch:
        batch.add_column(sa.Column("ending_warnings_sent", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("consents") as batch:
        batch.drop_column("ending_warnings_sent")
