"""sharing with councils: parents' agreements (council_sharing) and each provider's local authority

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-02 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None

_IN_FORCE = "withdrawn_at IS NULL"


def upgrade() -> None:
    op.create_table(
        "council_sharing",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("parent_id", sa.Uuid(), nullable=False),
        sa.Column("agreed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "withdrawn_at IS NULL OR withdrawn_at >= agreed_at",
            name=op.f("ck_council_sharing_withdrawn_after_agreed"),
        ),
        sa.ForeignKeyConstraint(["parent_id"], ["parents.id"], name=op.f("fk_council_sharing_parent_id_parents")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_council_sharing")),
    )
    op.create_index(op.f("ix_council_sharing_parent_id"), "council_sharing", ["parent_id"])
    op.create_index(
        "uq_council_sharing_in_force_per_parent",
        "council_sharing",
        ["parent_id"],
        unique=True,
        sqlite_where=sa.text(_IN_FORCE),
        postgresql_where=sa.text(_IN_FORCE),
    )
    with op.batch_alter_table("providers") as batch:
        batch.add_column(sa.Column("local_authority_code", sa.String(9), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("providers") as batch:
        batch.drop_column("local_authority_code")
    op.drop_index("uq_council_sharing_in_force_per_parent", table_name="council_sharing")
    op.drop_index(op.f("ix_council_sharing_parent_id"), table_name="council_sharing")
    op.drop_table("council_sharing")
