"""initial schema

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-23 10:19:50.178650
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


# The audit log is append-only: the database itself refuses UPDATE and DELETE on it.
_PG_APPEND_ONLY = """
CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP;
END
$$;
CREATE TRIGGER audit_events_no_update_or_delete
    BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
"""
_SQLITE_APPEND_ONLY = (
    "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
    "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only: UPDATE refused'); END",
    "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events "
    "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only: DELETE refused'); END",
)


def _make_audit_append_only() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_APPEND_ONLY)
    else:
        for statement in _SQLITE_APPEND_ONLY:
            op.execute(statement)


def _drop_audit_append_only() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_events_no_update_or_delete ON audit_events")
        op.execute("DROP FUNCTION audit_events_append_only()")
    else:
        op.execute("DROP TRIGGER audit_events_no_update")
        op.execute("DROP TRIGGER audit_events_no_delete")


def upgrade() -> None:
    op.create_table('audit_events',
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_kind', sa.String(length=20), nullable=False),
    sa.Column('actor_id', sa.String(length=36), nullable=True),
    sa.Column('actor_label', sa.String(length=200), nullable=False),
    sa.Column('action', sa.String(length=80), nullable=False),
    sa.Column('entity_type', sa.String(length=40), nullable=False),
    sa.Column('entity_id', sa.String(length=36), nullable=False),
    sa.Column('data', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events')),
    sa.UniqueConstraint('hash', name=op.f('uq_audit_events_hash')),
    sa.UniqueConstraint('prev_hash', name=op.f('uq_audit_events_prev_hash')),
    sa.UniqueConstraint('seq', name=op.f('uq_audit_events_seq'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index('ix_audit_events_entity', ['entity_type', 'entity_id', 'seq'], unique=False)

    op.create_table('job_locks',
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('holder', sa.String(length=120), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_job_locks'))
    )
    op.create_table('job_runs',
    sa.Column('job_name', sa.String(length=60), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.String(length=12), nullable=False),
    sa.Column('counts', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('host', sa.String(length=120), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_runs'))
    )
    with op.batch_alter_table('job_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_runs_job_name'), ['job_name'], unique=False)

    op.create_table('parents',
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('oidc_subject', sa.String(length=255), nullable=True),
    sa.Column('uc_claim_reference', sa.String(length=40), nullable=True),
    sa.Column('nino_hash', sa.String(length=64), nullable=True),
    sa.Column('nino_last', sa.String(length=4), nullable=True),
    sa.Column('claim_start_date', sa.Date(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_parents')),
    sa.UniqueConstraint('email', name=op.f('uq_parents_email')),
    sa.UniqueConstraint('nino_hash', name=op.f('uq_parents_nino_hash')),
    sa.UniqueConstraint('oidc_subject', name=op.f('uq_parents_oidc_subject')),
    sa.UniqueConstraint('uc_claim_reference', name=op.f('uq_parents_uc_claim_reference'))
    )
    op.create_table('staff_users',
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('roles', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('oidc_subject', sa.String(length=255), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_users')),
    sa.UniqueConstraint('email', name=op.f('uq_staff_users_email')),
    sa.UniqueConstraint('oidc_subject', name=op.f('uq_staff_users_oidc_subject'))
    )
    op.create_table('children',
    sa.Column('parent_id', sa.Uuid(), nullable=False),
    sa.Column('first_name', sa.String(length=100), nullable=False),
    sa.Column('last_name', sa.String(length=100), nullable=False),
    sa.Column('date_of_birth', sa.Date(), nullable=False),
    sa.Column('disabled', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['parents.id'], name=op.f('fk_children_parent_id_parents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_children'))
    )
    with op.batch_alter_table('children', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_children_parent_id'), ['parent_id'], unique=False)

    op.create_table('payment_batches',
    sa.Column('status', sa.Enum('draft', 'awaiting_approval', 'approved', 'submitted', 'settled', 'partially_failed', 'cancelled', name='batchstatus', native_enum=False, length=40), nullable=False),
    sa.Column('payment_date', sa.Date(), nullable=False),
    sa.Column('built_by_id', sa.Uuid(), nullable=True),
    sa.Column('built_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('approved_by_id', sa.Uuid(), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancel_reason', sa.String(length=1000), nullable=True),
    sa.Column('payment_count', sa.Integer(), nullable=False),
    sa.Column('invoice_count', sa.Integer(), nullable=False),
    sa.Column('total_pence', sa.Integer(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('approved_by_id <> built_by_id', name=op.f('ck_payment_batches_approver_is_not_builder')),
    sa.CheckConstraint('total_pence >= 0', name=op.f('ck_payment_batches_total_not_negative')),
    sa.ForeignKeyConstraint(['approved_by_id'], ['staff_users.id'], name=op.f('fk_payment_batches_approved_by_id_staff_users')),
    sa.ForeignKeyConstraint(['built_by_id'], ['staff_users.id'], name=op.f('fk_payment_batches_built_by_id_staff_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_batches'))
    )
    op.create_table('providers',
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('regulator', sa.Enum('ofsted', 'care_inspectorate_wales', 'care_inspectorate_scotland', 'approved_scheme', name='regulator', native_enum=False, length=40), nullable=False),
    sa.Column('registration_number', sa.String(length=20), nullable=False),
    sa.Column('address', sa.String(length=500), nullable=False),
    sa.Column('postcode', sa.String(length=10), nullable=False),
    sa.Column('region', sa.String(length=60), nullable=False),
    sa.Column('status', sa.Enum('pending_verification', 'active', 'suspended', name='providerstatus', native_enum=False, length=40), nullable=False),
    sa.Column('stripe_account_id', sa.String(length=64), nullable=True),
    sa.Column('verified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('verified_by_id', sa.Uuid(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['verified_by_id'], ['staff_users.id'], name=op.f('fk_providers_verified_by_id_staff_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_providers')),
    sa.UniqueConstraint('regulator', 'registration_number', name=op.f('uq_providers_regulator_registration_number'))
    )
    op.create_table('bank_accounts',
    sa.Column('provider_id', sa.Uuid(), nullable=False),
    sa.Column('sort_code', sa.String(length=6), nullable=False),
    sa.Column('account_number', sa.String(length=8), nullable=False),
    sa.Column('account_name', sa.String(length=200), nullable=False),
    sa.Column('is_current', sa.Boolean(), nullable=False),
    sa.Column('hold_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('released_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('released_by_id', sa.Uuid(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('length(account_number) = 8', name=op.f('ck_bank_accounts_account_number_eight_digits')),
    sa.CheckConstraint('length(sort_code) = 6', name=op.f('ck_bank_accounts_sort_code_six_digits')),
    sa.ForeignKeyConstraint(['provider_id'], ['providers.id'], name=op.f('fk_bank_accounts_provider_id_providers')),
    sa.ForeignKeyConstraint(['released_by_id'], ['staff_users.id'], name=op.f('fk_bank_accounts_released_by_id_staff_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bank_accounts'))
    )
    with op.batch_alter_table('bank_accounts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bank_accounts_provider_id'), ['provider_id'], unique=False)
        batch_op.create_index('uq_bank_accounts_one_current_per_provider', ['provider_id'], unique=True, sqlite_where=sa.text('is_current'), postgresql_where=sa.text('is_current'))

    op.create_table('consents',
    sa.Column('parent_id', sa.Uuid(), nullable=True),
    sa.Column('child_id', sa.Uuid(), nullable=True),
    sa.Column('requested_email', sa.String(length=320), nullable=True),
    sa.Column('requested_child_first_name', sa.String(length=100), nullable=True),
    sa.Column('provider_id', sa.Uuid(), nullable=False),
    sa.Column('status', sa.Enum('awaiting_authorisation', 'authorised', 'rejected', 'revoked', 'expired', name='consentstatus', native_enum=False, length=40), nullable=False),
    sa.Column('authorised_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['child_id'], ['children.id'], name=op.f('fk_consents_child_id_children')),
    sa.ForeignKeyConstraint(['parent_id'], ['parents.id'], name=op.f('fk_consents_parent_id_parents')),
    sa.ForeignKeyConstraint(['provider_id'], ['providers.id'], name=op.f('fk_consents_provider_id_providers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consents'))
    )
    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consents_child_id'), ['child_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_consents_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_consents_provider_id'), ['provider_id'], unique=False)
        batch_op.create_index('uq_consents_live_per_provider_child', ['provider_id', 'child_id'], unique=True, sqlite_where=sa.text("status IN ('awaiting_authorisation', 'authorised')"), postgresql_where=sa.text("status IN ('awaiting_authorisation', 'authorised')"))

    op.create_table('payments',
    sa.Column('batch_id', sa.Uuid(), nullable=False),
    sa.Column('provider_id', sa.Uuid(), nullable=False),
    sa.Column('amount_pence', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('created', 'sent', 'paid', 'failed', 'returned', 'unknown', name='paymentstatus', native_enum=False, length=40), nullable=False),
    sa.Column('rail', sa.Enum('stripe', 'bacs', name='rail', native_enum=False, length=40), nullable=False),
    sa.Column('reference', sa.String(length=18), nullable=False),
    sa.Column('destination_stripe_account', sa.String(length=64), nullable=True),
    sa.Column('destination_sort_code', sa.String(length=6), nullable=True),
    sa.Column('destination_account_number', sa.String(length=8), nullable=True),
    sa.Column('destination_account_name', sa.String(length=200), nullable=True),
    sa.Column('rail_reference', sa.String(length=64), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('paid_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('failed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('failure_reason', sa.String(length=500), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount_pence >= 0', name=op.f('ck_payments_amount_not_negative')),
    sa.ForeignKeyConstraint(['batch_id'], ['payment_batches.id'], name=op.f('fk_payments_batch_id_payment_batches')),
    sa.ForeignKeyConstraint(['provider_id'], ['providers.id'], name=op.f('fk_payments_provider_id_providers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payments')),
    sa.UniqueConstraint('batch_id', 'provider_id', name=op.f('uq_payments_batch_id_provider_id'))
    )
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.create_index('ix_payments_provider_created', ['provider_id', 'created_at'], unique=False)
        batch_op.create_index('ix_payments_status', ['status'], unique=False)

    op.create_table('provider_users',
    sa.Column('provider_id', sa.Uuid(), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.Enum('admin', 'staff', name='provideruserrole', native_enum=False, length=40), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['provider_id'], ['providers.id'], name=op.f('fk_provider_users_provider_id_providers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_provider_users')),
    sa.UniqueConstraint('email', name=op.f('uq_provider_users_email'))
    )
    with op.batch_alter_table('provider_users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_provider_users_provider_id'), ['provider_id'], unique=False)

    op.create_table('invoices',
    sa.Column('provider_id', sa.Uuid(), nullable=False),
    sa.Column('consent_id', sa.Uuid(), nullable=False),
    sa.Column('child_id', sa.Uuid(), nullable=False),
    sa.Column('parent_id', sa.Uuid(), nullable=False),
    sa.Column('invoice_number', sa.String(length=40), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('care_from', sa.Date(), nullable=False),
    sa.Column('care_to', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('submitted', 'awaiting_confirmation', 'confirmed', 'disputed', 'approved', 'on_hold', 'rejected', 'batched', 'paid', 'payment_failed', 'cancelled', name='invoicestatus', native_enum=False, length=40), nullable=False),
    sa.Column('total_pence', sa.Integer(), nullable=False),
    sa.Column('eligible_pence', sa.Integer(), nullable=False),
    sa.Column('dwp_pence', sa.Integer(), nullable=False),
    sa.Column('claimant_pence', sa.Integer(), nullable=False),
    sa.Column('ap_start', sa.Date(), nullable=False),
    sa.Column('ap_end', sa.Date(), nullable=False),
    sa.Column('flags', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('dispute_reason', sa.String(length=1000), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Uuid(), nullable=True),
    sa.Column('decision_reason', sa.String(length=1000), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('care_from <= care_to', name=op.f('ck_invoices_care_period_in_order')),
    sa.CheckConstraint('claimant_pence = total_pence - dwp_pence', name=op.f('ck_invoices_parts_add_up')),
    sa.CheckConstraint('dwp_pence >= 0 AND dwp_pence <= eligible_pence', name=op.f('ck_invoices_dwp_within_eligible')),
    sa.CheckConstraint('eligible_pence >= 0 AND eligible_pence <= total_pence', name=op.f('ck_invoices_eligible_within_total')),
    sa.CheckConstraint('total_pence >= 0', name=op.f('ck_invoices_total_not_negative')),
    sa.ForeignKeyConstraint(['child_id'], ['children.id'], name=op.f('fk_invoices_child_id_children')),
    sa.ForeignKeyConstraint(['consent_id'], ['consents.id'], name=op.f('fk_invoices_consent_id_consents')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['staff_users.id'], name=op.f('fk_invoices_decided_by_id_staff_users')),
    sa.ForeignKeyConstraint(['parent_id'], ['parents.id'], name=op.f('fk_invoices_parent_id_parents')),
    sa.ForeignKeyConstraint(['provider_id'], ['providers.id'], name=op.f('fk_invoices_provider_id_providers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invoices')),
    sa.UniqueConstraint('provider_id', 'invoice_number', name=op.f('uq_invoices_provider_id_invoice_number'))
    )
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.create_index('ix_invoices_child_care', ['child_id', 'care_from'], unique=False)
        batch_op.create_index(batch_op.f('ix_invoices_consent_id'), ['consent_id'], unique=False)
        batch_op.create_index('ix_invoices_parent_period', ['parent_id', 'ap_start'], unique=False)
        batch_op.create_index('ix_invoices_provider_created', ['provider_id', 'created_at'], unique=False)
        batch_op.create_index('ix_invoices_status_created', ['status', 'created_at'], unique=False)

    op.create_table('invoice_lines',
    sa.Column('invoice_id', sa.Uuid(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('description', sa.String(length=200), nullable=False),
    sa.Column('hours', sa.Numeric(precision=7, scale=2), nullable=True),
    sa.Column('amount_pence', sa.Integer(), nullable=False),
    sa.Column('eligible', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.CheckConstraint('amount_pence > 0', name=op.f('ck_invoice_lines_amount_positive')),
    sa.CheckConstraint('hours IS NULL OR hours >= 0', name=op.f('ck_invoice_lines_hours_not_negative')),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], name=op.f('fk_invoice_lines_invoice_id_invoices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invoice_lines')),
    sa.UniqueConstraint('invoice_id', 'position', name=op.f('uq_invoice_lines_invoice_id_position'))
    )
    op.create_table('payment_allocations',
    sa.Column('payment_id', sa.Uuid(), nullable=False),
    sa.Column('invoice_id', sa.Uuid(), nullable=False),
    sa.Column('amount_pence', sa.Integer(), nullable=False),
    sa.Column('live', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.CheckConstraint('amount_pence >= 0', name=op.f('ck_payment_allocations_amount_not_negative')),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], name=op.f('fk_payment_allocations_invoice_id_invoices')),
    sa.ForeignKeyConstraint(['payment_id'], ['payments.id'], name=op.f('fk_payment_allocations_payment_id_payments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_allocations')),
    sa.UniqueConstraint('payment_id', 'invoice_id', name=op.f('uq_payment_allocations_payment_id_invoice_id'))
    )
    with op.batch_alter_table('payment_allocations', schema=None) as batch_op:
        batch_op.create_index('uq_payment_allocations_one_live_per_invoice', ['invoice_id'], unique=True, sqlite_where=sa.text('live'), postgresql_where=sa.text('live'))
    _make_audit_append_only()


def downgrade() -> None:
    _drop_audit_append_only()
    with op.batch_alter_table('payment_allocations', schema=None) as batch_op:
        batch_op.drop_index('uq_payment_allocations_one_live_per_invoice', sqlite_where=sa.text('live'), postgresql_where=sa.text('live'))

    op.drop_table('payment_allocations')
    op.drop_table('invoice_lines')
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.drop_index('ix_invoices_status_created')
        batch_op.drop_index('ix_invoices_provider_created')
        batch_op.drop_index('ix_invoices_parent_period')
        batch_op.drop_index(batch_op.f('ix_invoices_consent_id'))
        batch_op.drop_index('ix_invoices_child_care')

    op.drop_table('invoices')
    with op.batch_alter_table('provider_users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_provider_users_provider_id'))

    op.drop_table('provider_users')
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_index('ix_payments_status')
        batch_op.drop_index('ix_payments_provider_created')

    op.drop_table('payments')
    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.drop_index('uq_consents_live_per_provider_child', sqlite_where=sa.text("status IN ('awaiting_authorisation', 'authorised')"), postgresql_where=sa.text("status IN ('awaiting_authorisation', 'authorised')"))
        batch_op.drop_index(batch_op.f('ix_consents_provider_id'))
        batch_op.drop_index(batch_op.f('ix_consents_parent_id'))
        batch_op.drop_index(batch_op.f('ix_consents_child_id'))

    op.drop_table('consents')
    with op.batch_alter_table('bank_accounts', schema=None) as batch_op:
        batch_op.drop_index('uq_bank_accounts_one_current_per_provider', sqlite_where=sa.text('is_current'), postgresql_where=sa.text('is_current'))
        batch_op.drop_index(batch_op.f('ix_bank_accounts_provider_id'))

    op.drop_table('bank_accounts')
    op.drop_table('providers')
    op.drop_table('payment_batches')
    with op.batch_alter_table('children', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_children_parent_id'))

    op.drop_table('children')
    op.drop_table('staff_users')
    op.drop_table('parents')
    with op.batch_alter_table('job_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_runs_job_name'))

    op.drop_table('job_runs')
    op.drop_table('job_locks')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_events_entity')

    op.drop_table('audit_events')
