"""review queue partial index

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23 16:44:05.469740
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invoices_status_updated'))
        batch_op.create_index('ix_invoices_review_queue', ['updated_at', 'id'], unique=False, postgresql_where=sa.text("status IN ('on_hold', 'disputed')"), sqlite_where=sa.text("status IN ('on_hold', 'disputed')"))



def downgrade() -> None:
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.drop_index('ix_invoices_review_queue', postgresql_where=sa.text("status IN ('on_hold', 'disputed')"), sqlite_where=sa.text("status IN ('on_hold', 'disputed')"))
        batch_op.create_index(batch_op.f('ix_invoices_status_updated'), ['status', 'updated_at'], unique=False)

