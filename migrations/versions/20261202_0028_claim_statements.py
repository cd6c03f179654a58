"""statements of childcare costs paid direct, per parent and AP and version; award differences

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-02 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "ap_statements",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("parent_id", sa.Uuid(), nullable=False),
        sa.Column("claim_reference", sa.String(40), nullable=False),
        sa.Column("ap_start", sa.Date(), nullable=False),
        sa.Column("ap_end", sa.Date(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column("total_pence", sa.Integer(), nullable=False),
        sa.Column("lines", JSON, nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("receipt", sa.String(200), nullable=True),
        sa.CheckConstraint("total_pence >= 0", name=op.f("ck_ap_statements_total_not_negative")),
        sa.CheckConstraint("version >= 1", name=op.f("ck_ap_statements_version_positive")),
        sa.CheckConstraint(
            "sent_at IS NULL OR receipt IS NOT NULL", name=op.f("ck_ap_statements_sent_with_receipt")
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["parents.id"], name=op.f("fk_ap_statements_parent_id_parents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ap_statements")),
        sa.UniqueConstraint(
            "parent_id", "ap_start", "version", name=op.f("uq_ap_statements_parent_id_ap_start_version")
        ),
    )
    op.create_index(
        "uq_ap_statements_one_current",
        "ap_statements",
        ["parent_id", "ap_start"],
        unique=True,
        sqlite_where=sa.text("is_current"),
        postgresql_where=sa.text("is_current"),
    )
    op.create_index(
        "ix_ap_statements_unsent",
        "ap_statements",
        ["made_at"],
        sqlite_where=sa.text("sent_at IS NULL"),
        postgresql_where=sa.text("sent_at IS NULL"),
    )
    op.create_table(
        "award_differences",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("parent_id", sa.Uuid(), nullable=False),
        sa.Column("ap_start", sa.Date(), nullable=False),
        sa.Column("ap_end", sa.Date(), nullable=False),
        sa.Column("statement_id", sa.Uuid(), nullable=False),
        sa.Column("statement_version", sa.Integer(), nullable=False),
        sa.Column("paid_pence", sa.Integer(), nullable=False),
        sa.Column("element_pence", sa.Integer(), nullable=False),
        sa.Column("difference_pence", sa.Integer(), nullable=False),
        sa.Column("found_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("element_pence >= 0", name=op.f("ck_award_differences_element_not_negative")),
        sa.CheckConstraint("difference_pence > 0", name=op.f("ck_award_differences_difference_positive")),
        sa.CheckConstraint(
            "difference_pence = paid_pence - element_pence",
            name=op.f("ck_award_differences_difference_adds_up"),
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["parents.id"], name=op.f("fk_award_differences_parent_id_parents")
        ),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["ap_statements.id"],
            name=op.f("fk_award_differences_statement_id_ap_statements"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_award_differences")),
        sa.UniqueConstraint(
            "parent_id",
            "ap_start",
            "element_pence",
            name=op.f("uq_award_differences_parent_id_ap_start_element_pence"),
        ),
    )
    op.create_index(op.f("ix_award_differences_parent_id"), "award_differences", ["parent_id"])


def downgrade() -> None:
    op.drop_table("award_differences")
    op.drop_index("ix_ap_statements_unsent", table_name="ap_statements")
    op.drop_index("uq_ap_statements_one_current", table_name="ap_statements")
    op.drop_table("ap_statements")
