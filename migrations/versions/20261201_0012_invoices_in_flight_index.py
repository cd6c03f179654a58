"""invoices in flight index

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 16:00:00

The index on (status, created_at) held every invoice ever sent; the queries it serves ask only for
invoices still on their way. A partial index over those leaves batched, paid and closed invoices
out: it stays small as they accumulate, and batching or paying an invoice no longer writes to it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

# As invoicing.models.IN_FLIGHT_PREDICATE when this was written (a migration keeps its own copy).
_IN_FLIGHT = (
    "status IN ('submitted', 'awaiting_confirmation', 'confirmed', 'disputed', 'on_hold', "
    "'approved', 'payment_failed')"
)


def upgrade() -> None:
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.drop_index('ix_invoices_status_created')
        batch_op.create_index(
            'ix_invoices_in_flight',
            ['status', 'created_at'],
            unique=False,
            postgresql_where=sa.text(_IN_FLIGHT),
            sqlite_where=sa.text(_IN_FLIGHT),
        )


def downgrade() -> None:
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.drop_index('ix_invoices_in_flight', postgresql_where=sa.text(_IN_FLIGHT), sqlite_where=sa.text(_IN_FLIGHT))
        batch_op.create_index('ix_invoices_status_created', ['status', 'created_at'], unique=False)
