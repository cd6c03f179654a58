"""joint claims: a partner's parent row points at the lead's (the household); partner invitations

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-02 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("parents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("partner_of_id", sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_parents_partner_of_id_parents"), "parents", ["partner_of_id"], ["id"]
        )
        batch_op.create_index(batch_op.f("ix_parents_partner_of_id"), ["partner_of_id"], unique=False)
    op.create_table(
        "partner_invitations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("household_id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("accepted_by_id", sa.Uuid(), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failed_tries", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"], ["parents.id"], name=op.f("fk_partner_invitations_household_id_parents")
        ),
        sa.ForeignKeyConstraint(
            ["accepted_by_id"], ["parents.id"], name=op.f("fk_partner_invitations_accepted_by_id_parents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_invitations")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_partner_invitations_token_hash")),
    )
    with op.batch_alter_table("partner_invitations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_partner_invitations_household_id"), ["household_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("partner_invitations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partner_invitations_household_id"))
    op.drop_table("partner_invitations")
    with op.batch_alter_table("parents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_parents_partner_of_id"))
        batch_op.drop_constraint(batch_op.f("fk_parents_partner_of_id_parents"), type_="foreignkey")
        batch_op.drop_column("partner_of_id")
