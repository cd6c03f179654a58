"""no staff account holds both the finance officer's and the approver's role

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-02 11:00:00

Sign-in already refuses such claims and ``Actor.require_role`` refuses such an actor; this makes
the data say so too. An existing account holding both stops the upgrade with its email: which role
it keeps is its manager's decision, not a migration's.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None

BOTH = (
    "CAST(roles AS TEXT) LIKE '%\"finance_officer\"%' AND CAST(roles AS TEXT) LIKE '%\"approver\"%'"
)


def upgrade() -> None:
    both = op.get_bind().execute(sa.text(f"SELECT email FROM staff_users WHERE {BOTH}")).scalars().all()
    if both:
        raise RuntimeError(
            "These staff accounts hold both finance_officer and approver; remove one role from each "
            f"first: {', '.join(both)}"
        )
    with op.batch_alter_table('staff_users', schema=None) as batch_op:
        batch_op.create_check_constraint('not_builder_and_approver', f"NOT ({BOTH})")


def downgrade() -> None:
    with op.batch_alter_table('staff_users', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_staff_users_not_builder_and_approver'), type_='check')
