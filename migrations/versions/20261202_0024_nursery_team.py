"""nursery team: invitations resent or cancelled, members removed or their role changed; a new
API client's secret shown once after a redirect

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-02 09:10:00

- provider_invitations: ``cancelled_at`` (an admin cancelled it: its link stops working) and
  ``times_sent`` (sending it again makes a new link). A removed colleague is
  ``provider_users.active = false``, which already exists.
- provider_secret_reveals: a new API client secret, XORed with a pad kept in the admin's
  session, until the page after the form shows it once.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('provider_invitations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('times_sent', sa.Integer(), server_default='1', nullable=False))
    op.create_table(
        'provider_secret_reveals',
        sa.Column('api_client_id', sa.Uuid(), nullable=False),
        sa.Column('shown_to_id', sa.Uuid(), nullable=False),
        sa.Column('sealed', sa.String(length=200), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ['api_client_id'], ['api_clients.id'],
            name=op.f('fk_provider_secret_reveals_api_client_id_api_clients'),
        ),
        sa.ForeignKeyConstraint(
            ['shown_to_id'], ['provider_users.id'],
            name=op.f('fk_provider_secret_reveals_shown_to_id_provider_users'),
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_provider_secret_reveals')),
    )
    with op.batch_alter_table('provider_secret_reveals', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_provider_secret_reveals_api_client_id'), ['api_client_id'], unique=False
        )
        batch_op.create_index(
            batch_op.f('ix_provider_secret_reveals_expires_at'), ['expires_at'], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table('provider_secret_reveals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_provider_secret_reveals_expires_at'))
        batch_op.drop_index(batch_op.f('ix_provider_secret_reveals_api_client_id'))
    op.drop_table('provider_secret_reveals')
    with op.batch_alter_table('provider_invitations', schema=None) as batch_op:
        batch_op.drop_column('times_sent')
        batch_op.drop_column('cancelled_at')
