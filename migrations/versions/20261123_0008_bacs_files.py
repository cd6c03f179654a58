"""bacs files

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 13:02:35.151353
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('bacs_files',
    sa.Column('batch_id', sa.Uuid(), nullable=False),
    sa.Column('serial', sa.Integer(), nullable=False),
    sa.Column('created_on', sa.Date(), nullable=False),
    sa.Column('processing_day', sa.Date(), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('content_sha256', sa.String(length=64), nullable=False),
    sa.Column('made_by_id', sa.Uuid(), nullable=True),
    sa.Column('made_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['payment_batches.id'], name=op.f('fk_bacs_files_batch_id_payment_batches')),
    sa.ForeignKeyConstraint(['made_by_id'], ['staff_users.id'], name=op.f('fk_bacs_files_made_by_id_staff_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bacs_files')),
    sa.UniqueConstraint('batch_id', name=op.f('uq_bacs_files_batch_id')),
    sa.UniqueConstraint('created_on', 'serial', name=op.f('uq_bacs_files_created_on_serial'))
    )


def downgrade() -> None:
    op.drop_table('bacs_files')
