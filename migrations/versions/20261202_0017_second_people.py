"""second people

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 00:30:00

Money that one person could once move alone now needs two:
- batch_approvals: each approver's approval of a batch's content; a batch over the configured
  limits needs two different approvers, and a trigger refuses "approved" with fewer approvals
  than it requires (payment_batches.approvals_required);
- bacs_returns_imports: a bank's returns file waits, matched line by line, for a second person;
- reconciliation breaks are resolved with an outcome, written off or sent again only by a second
  person (a check constraint).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

_TOO_FEW = 'a batch is approved only with as many different approvers as it requires'
_POSTGRESQL = f"""
CREATE FUNCTION batches_enough_approvals() RETURNS trigger AS $$
BEGIN
    IF NEW.status = 'approved' AND OLD.status <> 'approved' AND (
        SELECT count(*) FROM batch_approvals WHERE batch_id = NEW.id
    ) < NEW.approvals_required THEN
        RAISE EXCEPTION '{_TOO_FEW}';
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER batches_enough_approvals BEFORE UPDATE ON payment_batches
    FOR EACH ROW EXECUTE FUNCTION batches_enough_approvals();
"""
_SQLITE = (
    "CREATE TRIGGER batches_enough_approvals BEFORE UPDATE OF status ON payment_batches "
    "WHEN NEW.status = 'approved' AND OLD.status <> 'approved' AND "
    "(SELECT count(*) FROM batch_approvals WHERE batch_id = NEW.id) < NEW.approvals_required "
    f"BEGIN SELECT RAISE(ABORT, '{_TOO_FEW}'); END"
)


def upgrade() -> None:
    with op.batch_alter_table('payment_batches', schema=None) as batch_op:
        batch_op.add_column(sa.Column('approvals_required', sa.Integer(), server_default='1', nullable=False))
    op.create_table(
        'batch_approvals',
        sa.Column('batch_id', sa.Uuid(), nullable=False),
        sa.Column('approver_id', sa.Uuid(), nullable=False),
        sa.Column('built_by_id', sa.Uuid(), nullable=True),
        sa.Column('content_hash', sa.String(length=64), nullable=False),
        sa.Column('approved_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            'built_by_id IS NULL OR approver_id <> built_by_id', name=op.f('ck_batch_approvals_approver_did_not_build')
        ),
        sa.ForeignKeyConstraint(['approver_id'], ['staff_users.id'], name=op.f('fk_batch_approvals_approver_id_staff_users')),
        sa.ForeignKeyConstraint(['batch_id'], ['payment_batches.id'], name=op.f('fk_batch_approvals_batch_id_payment_batches')),
        sa.ForeignKeyConstraint(['built_by_id'], ['staff_users.id'], name=op.f('fk_batch_approvals_built_by_id_staff_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_batch_approvals')),
        sa.UniqueConstraint('batch_id', 'approver_id', name=op.f('uq_batch_approvals_batch_id_approver_id')),
    )
    with op.batch_alter_table('batch_approvals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_batch_approvals_batch_id'), ['batch_id'], unique=False)
    # Batches approved before kept their approver on the batch: give each its approval row.
    op.execute(
        "INSERT INTO batch_approvals (id, batch_id, approver_id, built_by_id, content_hash, approved_at)"
        " SELECT id, id, approved_by_id, built_by_id, content_hash, approved_at FROM payment_batches"
        " WHERE approved_by_id IS NOT NULL AND content_hash IS NOT NULL"
    )
    op.create_table(
        'bacs_returns_imports',
        sa.Column('imported_by_id', sa.Uuid(), nullable=False),
        sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('filename', sa.String(length=200), nullable=False),
        sa.Column('lines', sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), 'postgresql'), nullable=False),
        sa.Column(
            'status',
            sa.Enum('pending', 'confirmed', 'rejected', name='returnsimportstatus', native_enum=False, length=40),
            nullable=False,
        ),
        sa.Column('decided_by_id', sa.Uuid(), nullable=True),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "status <> 'confirmed' OR (decided_by_id IS NOT NULL AND decided_by_id <> imported_by_id)",
            name=op.f('ck_bacs_returns_imports_confirmed_by_someone_else'),
        ),
        sa.ForeignKeyConstraint(['decided_by_id'], ['staff_users.id'], name=op.f('fk_bacs_returns_imports_decided_by_id_staff_users')),
        sa.ForeignKeyConstraint(['imported_by_id'], ['staff_users.id'], name=op.f('fk_bacs_returns_imports_imported_by_id_staff_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_bacs_returns_imports')),
    )
    with op.batch_alter_table('reconciliation_breaks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('outcome', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('proposed_outcome', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('proposed_by_id', sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column('proposed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(
            op.f('fk_reconciliation_breaks_proposed_by_id_staff_users'), 'staff_users', ['proposed_by_id'], ['id']
        )
        batch_op.create_check_constraint(
            'second_person_settles',
            "outcome IS NULL OR outcome = 'matched' OR (proposed_by_id IS NOT NULL AND resolved_by_id <> proposed_by_id)",
        )
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(_POSTGRESQL)
    else:
        op.execute(_SQLITE)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TRIGGER batches_enough_approvals ON payment_batches')
        op.execute('DROP FUNCTION batches_enough_approvals()')
    else:
        op.execute('DROP TRIGGER batches_enough_approvals')
    with op.batch_alter_table('reconciliation_breaks', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_reconciliation_breaks_second_person_settles'), type_='check')
        batch_op.drop_constraint(op.f('fk_reconciliation_breaks_proposed_by_id_staff_users'), type_='foreignkey')
        batch_op.drop_column('proposed_at')
        batch_op.drop_column('proposed_by_id')
        batch_op.drop_column('proposed_outcome')
        batch_op.drop_column('outcome')
    op.drop_table('bacs_returns_imports')
    with op.batch_alter_table('batch_approvals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_batch_approvals_batch_id'))
    op.drop_table('batch_approvals')
    with op.batch_alter_table('payment_batches', schema=None) as batch_op:
        batch_op.drop_column('approvals_required')
