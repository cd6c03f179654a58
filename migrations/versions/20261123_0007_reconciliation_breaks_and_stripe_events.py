"""reconciliation breaks and stripe events

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 12:55:18.020288
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('stripe_events',
    sa.Column('event_id', sa.String(length=100), nullable=False),
    sa.Column('event_type', sa.String(length=100), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('payload', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stripe_events')),
    sa.UniqueConstraint('event_id', name=op.f('uq_stripe_events_event_id'))
    )
    op.create_table('reconciliation_breaks',
    sa.Column('payment_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('expected', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('actual', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_by_id', sa.Uuid(), nullable=True),
    sa.Column('resolution_note', sa.String(length=1000), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['payment_id'], ['payments.id'], name=op.f('fk_reconciliation_breaks_payment_id_payments')),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['staff_users.id'], name=op.f('fk_reconciliation_breaks_resolved_by_id_staff_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reconciliation_breaks'))
    )
    with op.batch_alter_table('reconciliation_breaks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reconciliation_breaks_payment_id'), ['payment_id'], unique=False)
        batch_op.create_index('uq_reconciliation_breaks_one_open', ['payment_id', 'kind'], unique=True, sqlite_where=sa.text('resolved_at IS NULL'), postgresql_where=sa.text('resolved_at IS NULL'))



def downgrade() -> None:
    with op.batch_alter_table('reconciliation_breaks', schema=None) as batch_op:
        batch_op.drop_index('uq_reconciliation_breaks_one_open', sqlite_where=sa.text('resolved_at IS NULL'), postgresql_where=sa.text('resolved_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_reconciliation_breaks_payment_id'))

    op.drop_table('reconciliation_breaks')
    op.drop_table('stripe_events')
