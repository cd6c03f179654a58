"""nursery sign-in: throttles per account and address, password resets, recovery codes

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02 10:00:00

Failed sign-ins are counted per account name and address (``provider_sign_in_throttles``)
instead of on the account (``provider_users.failed_sign_ins`` and ``locked_until`` go), so a
stranger can no longer lock a nursery out of its account. ``provider_password_resets`` holds the
hashes of emailed single-use reset links; ``provider_recovery_codes`` the hashes of each user's
recovery codes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'provider_sign_in_throttles',
        sa.Column('account_key', sa.String(length=64), nullable=False),
        sa.Column('address_key', sa.String(length=64), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_failure_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('owner_told_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_provider_sign_in_throttles')),
        sa.UniqueConstraint('account_key', 'address_key', name=op.f('uq_provider_sign_in_throttles_account_key_address_key')),
    )
    with op.batch_alter_table('provider_sign_in_throttles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_provider_sign_in_throttles_account_key'), ['account_key'], unique=False)
    op.create_table(
        'provider_password_resets',
        sa.Column('user_id', sa.Uuid(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['provider_users.id'], name=op.f('fk_provider_password_resets_user_id_provider_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_provider_password_resets')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_provider_password_resets_token_hash')),
    )
    with op.batch_alter_table('provider_password_resets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_provider_password_resets_user_id'), ['user_id'], unique=False)
    op.create_table(
        'provider_recovery_codes',
        sa.Column('user_id', sa.Uuid(), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['provider_users.id'], name=op.f('fk_provider_recovery_codes_user_id_provider_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_provider_recovery_codes')),
        sa.UniqueConstraint('code_hash', name=op.f('uq_provider_recovery_codes_code_hash')),
    )
    with op.batch_alter_table('provider_recovery_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_provider_recovery_codes_user_id'), ['user_id'], unique=False)
    with op.batch_alter_table('provider_users', schema=None) as batch_op:
        batch_op.drop_column('failed_sign_ins')
        batch_op.drop_column('locked_until')


def downgrade() -> None:
    with op.batch_alter_table('provider_users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('failed_sign_ins', sa.Integer(), server_default='0', nullable=False))
    for table in ('provider_recovery_codes', 'provider_password_resets'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f'ix_{table}_user_id'))
        op.drop_table(table)
    with op.batch_alter_table('provider_sign_in_throttles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_provider_sign_in_throttles_account_key'))
    op.drop_table('provider_sign_in_throttles')
