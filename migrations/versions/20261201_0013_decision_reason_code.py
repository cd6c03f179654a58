"""decision reason code

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 22:00:00

A caseworker's decision kept its reason code and note together in one string ("duplicate: rang
the nursery, suspected fraud"). The code's words are for the nursery and the parent; the note is
DWP's own. They are kept apart now; an old decision's code is split off its note.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

_CODES = (
    'checked_eligible', 'dispute_upheld', 'dispute_not_upheld', 'duplicate', 'not_eligible',
    'over_limit', 'need_information',
)


def upgrade() -> None:
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('decision_reason_code', sa.String(length=40), nullable=True))
    invoices = sa.table(
        'invoices', sa.column('decision_reason', sa.String), sa.column('decision_reason_code', sa.String)
    )
    for code in _CODES:
        prefix = f'{code}: '
        op.execute(
            invoices.update()
            .where(invoices.c.decision_reason.like(prefix + '%'))
            .values(
                decision_reason_code=code,
                decision_reason=sa.func.substr(invoices.c.decision_reason, len(prefix) + 1),
            )
        )


def downgrade() -> None:
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.drop_column('decision_reason_code')
