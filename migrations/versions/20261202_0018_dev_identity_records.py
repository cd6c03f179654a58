"""the development identity provider's shared records

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02 09:00:00

The development identity provider keeps its codes, tokens, nonces and client-assertion ids in
``dev_identity_records`` instead of one process's memory, so it works behind several gunicorn
workers. The table stays empty in production (which refuses the development provider).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'dev_identity_records',
        sa.Column('key_hash', sa.String(length=64), nullable=False),
        sa.Column('payload', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_dev_identity_records')),
        sa.UniqueConstraint('key_hash', name=op.f('uq_dev_identity_records_key_hash')),
    )
    with op.batch_alter_table('dev_identity_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dev_identity_records_expires_at'), ['expires_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('dev_identity_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dev_identity_records_expires_at'))
    op.drop_table('dev_identity_records')
