"""bacs files made, then submitted

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 22:30:00

A Bacs file was made by downloading it, and its payments counted as sent there and then. It is
made now by an approver's deliberate step, and its payments are sent when the approver records it
as submitted to the bank; a file not yet submitted can be voided and another made, so a batch may
have several files, at most one of them not voided. The VOL1 serial is unique across all files
(it was per day), and the UHL1 file number counts one processing day's files from 1.

Files made before this were sent when made: they are recorded as submitted then. Their serials
are renumbered in the order they were made (no file has gone to a bank from this service yet).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

_LIVE = 'voided_at IS NULL'


def upgrade() -> None:
    with op.batch_alter_table('bacs_files', schema=None) as batch_op:
        batch_op.drop_constraint('uq_bacs_files_batch_id', type_='unique')
        batch_op.drop_constraint('uq_bacs_files_created_on_serial', type_='unique')
        batch_op.add_column(sa.Column('file_number', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('submitted_by_id', sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column('voided_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('voided_by_id', sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column('void_reason', sa.String(length=500), nullable=True))
        batch_op.create_foreign_key(
            op.f('fk_bacs_files_submitted_by_id_staff_users'), 'staff_users', ['submitted_by_id'], ['id']
        )
        batch_op.create_foreign_key(
            op.f('fk_bacs_files_voided_by_id_staff_users'), 'staff_users', ['voided_by_id'], ['id']
        )
        batch_op.create_check_constraint(
            'submitted_or_voided', 'submitted_at IS NULL OR voided_at IS NULL'
        )
    files = sa.table(
        'bacs_files',
        sa.column('id', sa.Uuid),
        sa.column('serial', sa.Integer),
        sa.column('file_number', sa.Integer),
        sa.column('processing_day', sa.Date),
        sa.column('made_at', sa.DateTime(timezone=True)),
        sa.column('made_by_id', sa.Uuid),
        sa.column('submitted_at', sa.DateTime(timezone=True)),
        sa.column('submitted_by_id', sa.Uuid),
    )
    connection = op.get_bind()
    made = connection.execute(
        sa.select(files.c.id, files.c.processing_day, files.c.made_at, files.c.made_by_id).order_by(
            files.c.made_at, files.c.id
        )
    ).all()
    per_day: dict[object, int] = {}
    for serial, (file_id, day, made_at, made_by_id) in enumerate(made, start=1):
        per_day[day] = per_day.get(day, 0) + 1
        connection.execute(
            files.update()
            .where(files.c.id == file_id)
            .values(
                serial=serial,
                file_number=per_day[day],
                submitted_at=made_at,
                submitted_by_id=made_by_id,
            )
        )
    with op.batch_alter_table('bacs_files', schema=None) as batch_op:
        batch_op.create_unique_constraint(op.f('uq_bacs_files_serial'), ['serial'])
        batch_op.create_unique_constraint(
            op.f('uq_bacs_files_processing_day_file_number'), ['processing_day', 'file_number']
        )
        batch_op.create_index(op.f('ix_bacs_files_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index(
            'uq_bacs_files_one_live_per_batch',
            ['batch_id'],
            unique=True,
            sqlite_where=sa.text(_LIVE),
            postgresql_where=sa.text(_LIVE),
        )


def downgrade() -> None:
    with op.batch_alter_table('bacs_files', schema=None) as batch_op:
        batch_op.drop_index('uq_bacs_files_one_live_per_batch')
        batch_op.drop_index(op.f('ix_bacs_files_batch_id'))
        batch_op.drop_constraint(op.f('uq_bacs_files_processing_day_file_number'), type_='unique')
        batch_op.drop_constraint(op.f('uq_bacs_files_serial'), type_='unique')
        batch_op.drop_constraint(op.f('ck_bacs_files_submitted_or_voided'), type_='check')
        batch_op.drop_constraint(op.f('fk_bacs_files_voided_by_id_staff_users'), type_='foreignkey')
        batch_op.drop_constraint(op.f('fk_bacs_files_submitted_by_id_staff_users'), type_='foreignkey')
        batch_op.drop_column('void_reason')
        batch_op.drop_column('voided_by_id')
        batch_op.drop_column('voided_at')
        batch_op.drop_column('submitted_by_id')
        batch_op.drop_column('submitted_at')
        batch_op.drop_column('file_number')
        batch_op.create_unique_constraint('uq_bacs_files_created_on_serial', ['created_on', 'serial'])
        batch_op.create_unique_constraint('uq_bacs_files_batch_id', ['batch_id'])
