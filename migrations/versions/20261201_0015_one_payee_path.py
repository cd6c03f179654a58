"""one payee path

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 23:00:00

Where a provider is paid was in two places changed two ways: bank details (a new row, held, released
by a second person) and a Stripe connected account (a column one officer could overwrite). Both
are payees now, in one table written by one module: a change is a new row, and a row's
destination can never be changed or deleted (a trigger refuses it). A payment remembers the payee
its batch was built for. A provider's verification records who checked it, and a second person
verifies it (a check constraint).
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

_CURRENT = 'is_current'
_FIXED = "a payee's destination never changes, and a payee is never deleted: record a new payee"
_DESTINATION = ('provider_id', 'rail', 'sort_code', 'account_number', 'account_name', 'stripe_account_id')

_POSTGRESQL_TRIGGERS = f"""
CREATE FUNCTION payees_destination_fixed() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' OR {' OR '.join(f'NEW.{c} IS DISTINCT FROM OLD.{c}' for c in _DESTINATION)} THEN
        RAISE EXCEPTION '{_FIXED.replace("'", "''")}';
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER payees_destination_fixed BEFORE UPDATE OR DELETE ON payees
    FOR EACH ROW EXECUTE FUNCTION payees_destination_fixed();
"""
_SQLITE_TRIGGERS = (
    f"CREATE TRIGGER payees_destination_fixed BEFORE UPDATE OF {', '.join(_DESTINATION)} ON payees "
    f"WHEN {' OR '.join(f'NEW.{c} IS NOT OLD.{c}' for c in _DESTINATION)} "
    f"BEGIN SELECT RAISE(ABORT, '{_FIXED.replace(chr(39), chr(39) * 2)}'); END",
    f"CREATE TRIGGER payees_never_deleted BEFORE DELETE ON payees "
    f"BEGIN SELECT RAISE(ABORT, '{_FIXED.replace(chr(39), chr(39) * 2)}'); END",
)


def upgrade() -> None:
    op.create_table(
        'payees',
        sa.Column('provider_id', sa.Uuid(), nullable=False),
        sa.Column('rail', sa.Enum('bacs', 'stripe', name='payeerail', native_enum=False, length=40), nullable=False),
        sa.Column('sort_code', sa.String(length=6), nullable=True),
        sa.Column('account_number', sa.String(length=8), nullable=True),
        sa.Column('account_name', sa.String(length=200), nullable=True),
        sa.Column('stripe_account_id', sa.String(length=64), nullable=True),
        sa.Column('is_current', sa.Boolean(), nullable=False),
        sa.Column('requested_by_kind', sa.String(length=20), nullable=False),
        sa.Column('requested_by_id', sa.Uuid(), nullable=True),
        sa.Column('requested_by_label', sa.String(length=200), nullable=False),
        sa.Column('reason', sa.String(length=500), nullable=True),
        sa.Column('hold_until', sa.DateTime(timezone=True), nullable=True),
        sa.Column('released_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('released_by_id', sa.Uuid(), nullable=True),
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(rail = 'bacs' AND length(sort_code) = 6 AND length(account_number) = 8"
            " AND account_name IS NOT NULL AND stripe_account_id IS NULL)"
            " OR (rail = 'stripe' AND stripe_account_id IS NOT NULL AND sort_code IS NULL"
            " AND account_number IS NULL)",
            name=op.f('ck_payees_one_destination'),
        ),
        sa.CheckConstraint(
            "released_by_id IS NULL OR requested_by_kind <> 'staff' OR released_by_id <> requested_by_id",
            name=op.f('ck_payees_released_by_someone_else'),
        ),
        sa.ForeignKeyConstraint(['provider_id'], ['providers.id'], name=op.f('fk_payees_provider_id_providers')),
        sa.ForeignKeyConstraint(
            ['released_by_id'], ['staff_users.id'], name=op.f('fk_payees_released_by_id_staff_users')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_payees')),
    )
    with op.batch_alter_table('payees', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payees_provider_id'), ['provider_id'], unique=False)
        batch_op.create_index(
            'uq_payees_one_current_per_provider',
            ['provider_id'],
            unique=True,
            sqlite_where=sa.text(_CURRENT),
            postgresql_where=sa.text(_CURRENT),
        )
    connection = op.get_bind()
    stripe = dict(
        connection.execute(
            sa.text('SELECT id, stripe_account_id FROM providers WHERE stripe_account_id IS NOT NULL')
        ).all()
    )
    connection.execute(
        sa.text(
            "INSERT INTO payees (id, provider_id, rail, sort_code, account_number, account_name, is_current,"
            " requested_by_kind, requested_by_label, hold_until, released_at, released_by_id, created_at,"
            " updated_at)"
            " SELECT id, provider_id, 'bacs', sort_code, account_number, account_name, is_current,"
            " CASE WHEN hold_until IS NULL THEN 'registration' ELSE 'provider_user' END, '', hold_until,"
            " released_at, released_by_id, created_at, updated_at FROM bank_accounts"
        )
    )
    for provider_id, account in stripe.items():
        connection.execute(
            sa.text('UPDATE payees SET is_current = false WHERE provider_id = :p'), {'p': provider_id}
        )
        connection.execute(
            sa.text(
                "INSERT INTO payees (id, provider_id, rail, stripe_account_id, is_current, requested_by_kind,"
                " requested_by_label, created_at, updated_at) VALUES (:id, :p, 'stripe', :a, true,"
                " 'registration', 'recorded before payee changes were', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            ),
            {'id': uuid.uuid4(), 'p': provider_id, 'a': account},
        )
    op.drop_table('bank_accounts')
    with op.batch_alter_table('providers', schema=None) as batch_op:
        batch_op.drop_column('stripe_account_id')
        batch_op.add_column(sa.Column('checked_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('checked_by_id', sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(
            op.f('fk_providers_checked_by_id_staff_users'), 'staff_users', ['checked_by_id'], ['id']
        )
        batch_op.create_check_constraint(
            'verified_by_a_second_person', 'verified_by_id IS NULL OR verified_by_id <> checked_by_id'
        )
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('payee_id', sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(op.f('fk_payments_payee_id_payees'), 'payees', ['payee_id'], ['id'])
    if connection.dialect.name == 'postgresql':
        op.execute(_POSTGRESQL_TRIGGERS)
    else:
        for statement in _SQLITE_TRIGGERS:
            op.execute(statement)


def downgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name == 'postgresql':
        op.execute('DROP TRIGGER payees_destination_fixed ON payees')
        op.execute('DROP FUNCTION payees_destination_fixed()')
    else:
        op.execute('DROP TRIGGER payees_destination_fixed')
        op.execute('DROP TRIGGER payees_never_deleted')
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('fk_payments_payee_id_payees'), type_='foreignkey')
        batch_op.drop_column('payee_id')
    with op.batch_alter_table('providers', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_providers_verified_by_a_second_person'), type_='check')
        batch_op.drop_constraint(op.f('fk_providers_checked_by_id_staff_users'), type_='foreignkey')
        batch_op.drop_column('checked_by_id')
        batch_op.drop_column('checked_at')
        batch_op.add_column(sa.Column('stripe_account_id', sa.String(length=64), nullable=True))
    op.create_table(
        'bank_accounts',
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
        sa.ForeignKeyConstraint(
            ['released_by_id'], ['staff_users.id'], name=op.f('fk_bank_accounts_released_by_id_staff_users')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_bank_accounts')),
    )
    with op.batch_alter_table('bank_accounts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bank_accounts_provider_id'), ['provider_id'], unique=False)
        batch_op.create_index(
            'uq_bank_accounts_one_current_per_provider',
            ['provider_id'],
            unique=True,
            sqlite_where=sa.text(_CURRENT),
            postgresql_where=sa.text(_CURRENT),
        )
    op.execute(
        "INSERT INTO bank_accounts (id, provider_id, sort_code, account_number, account_name, is_current,"
        " hold_until, released_at, released_by_id, created_at, updated_at)"
        " SELECT id, provider_id, sort_code, account_number, account_name, is_current, hold_until,"
        " released_at, released_by_id, created_at, updated_at FROM payees WHERE rail = 'bacs'"
    )
    op.execute(
        "UPDATE providers SET stripe_account_id = (SELECT stripe_account_id FROM payees"
        " WHERE payees.provider_id = providers.id AND payees.is_current AND payees.rail = 'stripe')"
    )
    op.drop_table('payees')
