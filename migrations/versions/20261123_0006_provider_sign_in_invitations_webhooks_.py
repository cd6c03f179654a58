"""provider sign-in, invitations, webhooks, credit notes, uploads

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 12:36:43.625816
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('invoice_uploads',
    sa.Column('provider_id', sa.Uuid(), nullable=False),
    sa.Column('uploaded_by_id', sa.Uuid(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.Enum('checked', 'submitting', 'done', name='uploadstatus', native_enum=False, length=40), nullable=False),
    sa.Column('row_count', sa.Integer(), nullable=False),
    sa.Column('invoices', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('problems', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('only_good_rows', sa.Boolean(), nullable=False),
    sa.Column('processed', sa.Integer(), nullable=False),
    sa.Column('created', sa.Integer(), nullable=False),
    sa.Column('skipped', sa.Integer(), nullable=False),
    sa.Column('failed', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['provider_id'], ['providers.id'], name=op.f('fk_invoice_uploads_provider_id_providers')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['provider_users.id'], name=op.f('fk_invoice_uploads_uploaded_by_id_provider_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invoice_uploads'))
    )
    with op.batch_alter_table('invoice_uploads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invoice_uploads_provider_id'), ['provider_id'], unique=False)

    op.create_table('provider_invitations',
    sa.Column('provider_id', sa.Uuid(), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.Enum('admin', 'staff', name='provideruserrole', native_enum=False, length=40), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('invited_by_id', sa.Uuid(), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['invited_by_id'], ['provider_users.id'], name=op.f('fk_provider_invitations_invited_by_id_provider_users')),
    sa.ForeignKeyConstraint(['provider_id'], ['providers.id'], name=op.f('fk_provider_invitations_provider_id_providers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_provider_invitations')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_provider_invitations_token_hash'))
    )
    with op.batch_alter_table('provider_invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_provider_invitations_provider_id'), ['provider_id'], unique=False)

    op.create_table('webhook_deliveries',
    sa.Column('api_client_id', sa.Uuid(), nullable=False),
    sa.Column('provider_id', sa.Uuid(), nullable=False),
    sa.Column('event_type', sa.String(length=40), nullable=False),
    sa.Column('payload', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.Enum('pending', 'delivered', 'failed', name='webhookstatus', native_enum=False, length=40), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_response', sa.String(length=200), nullable=True),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['api_client_id'], ['api_clients.id'], name=op.f('fk_webhook_deliveries_api_client_id_api_clients')),
    sa.ForeignKeyConstraint(['provider_id'], ['providers.id'], name=op.f('fk_webhook_deliveries_provider_id_providers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_deliveries'))
    )
    with op.batch_alter_table('webhook_deliveries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_webhook_deliveries_api_client_id'), ['api_client_id'], unique=False)
        batch_op.create_index('ix_webhook_deliveries_due', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_webhook_deliveries_provider_id'), ['provider_id'], unique=False)

    op.create_table('credit_notes',
    sa.Column('provider_id', sa.Uuid(), nullable=False),
    sa.Column('invoice_id', sa.Uuid(), nullable=False),
    sa.Column('amount_pence', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('payment_id', sa.Uuid(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.CheckConstraint('amount_pence > 0', name=op.f('ck_credit_notes_amount_positive')),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], name=op.f('fk_credit_notes_invoice_id_invoices')),
    sa.ForeignKeyConstraint(['payment_id'], ['payments.id'], name=op.f('fk_credit_notes_payment_id_payments')),
    sa.ForeignKeyConstraint(['provider_id'], ['providers.id'], name=op.f('fk_credit_notes_provider_id_providers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_notes'))
    )
    with op.batch_alter_table('credit_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credit_notes_invoice_id'), ['invoice_id'], unique=False)
        batch_op.create_index('ix_credit_notes_provider_outstanding', ['provider_id', 'payment_id'], unique=False)

    with op.batch_alter_table('api_clients', schema=None) as batch_op:
        batch_op.add_column(sa.Column('webhook_secret', sa.String(length=64), nullable=True))

    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('credit_pence', sa.Integer(), server_default='0', nullable=False))

    with op.batch_alter_table('provider_users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failed_sign_ins', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('totp_secret', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('last_totp_step', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('sessions_valid_from', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('last_signed_in_at', sa.DateTime(timezone=True), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('provider_users', schema=None) as batch_op:
        batch_op.drop_column('last_signed_in_at')
        batch_op.drop_column('sessions_valid_from')
        batch_op.drop_column('last_totp_step')
        batch_op.drop_column('totp_secret')
        batch_op.drop_column('locked_until')
        batch_op.drop_column('failed_sign_ins')

    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_column('credit_pence')

    with op.batch_alter_table('api_clients', schema=None) as batch_op:
        batch_op.drop_column('webhook_secret')

    with op.batch_alter_table('credit_notes', schema=None) as batch_op:
        batch_op.drop_index('ix_credit_notes_provider_outstanding')
        batch_op.drop_index(batch_op.f('ix_credit_notes_invoice_id'))

    op.drop_table('credit_notes')
    with op.batch_alter_table('webhook_deliveries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webhook_deliveries_provider_id'))
        batch_op.drop_index('ix_webhook_deliveries_due')
        batch_op.drop_index(batch_op.f('ix_webhook_deliveries_api_client_id'))

    op.drop_table('webhook_deliveries')
    with op.batch_alter_table('provider_invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_provider_invitations_provider_id'))

    op.drop_table('provider_invitations')
    with op.batch_alter_table('invoice_uploads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invoice_uploads_provider_id'))

    op.drop_table('invoice_uploads')
