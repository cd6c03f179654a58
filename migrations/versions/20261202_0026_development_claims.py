"""the development claim system's tables: claims, per-AP facts, children on the claim, statements received

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-02 08:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dev_claims",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("reference", sa.String(40), nullable=False),
        sa.Column("situation", sa.String(200), nullable=False),
        sa.Column("claim_start_date", sa.Date(), nullable=False),
        sa.Column("joint", sa.Boolean(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("work_condition_met", sa.Boolean(), nullable=False),
        sa.Column("earnings_pence", sa.Integer(), nullable=False),
        sa.Column("childcare_element_pence", sa.Integer(), nullable=True),
        sa.CheckConstraint("earnings_pence >= 0", name=op.f("ck_dev_claims_earnings_not_negative")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dev_claims")),
        sa.UniqueConstraint("reference", name=op.f("uq_dev_claims_reference")),
    )
    op.create_table(
        "dev_claim_periods",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("reference", sa.String(40), nullable=False),
        sa.Column("ap_start", sa.Date(), nullable=False),
        sa.Column("work_condition_met", sa.Boolean(), nullable=True),
        sa.Column("earnings_pence", sa.Integer(), nullable=True),
        sa.Column("childcare_element_pence", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["reference"], ["dev_claims.reference"], name=op.f("fk_dev_claim_periods_reference_dev_claims")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dev_claim_periods")),
        sa.UniqueConstraint("reference", "ap_start", name=op.f("uq_dev_claim_periods_reference_ap_start")),
    )
    op.create_index(op.f("ix_dev_claim_periods_reference"), "dev_claim_periods", ["reference"])
    op.create_table(
        "dev_claim_children",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("reference", sa.String(40), nullable=False),
        sa.Column("first_name", sa.String(100), nullable=False),
        sa.Column("last_name", sa.String(100), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=False),
        sa.Column("childcare_costs", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["reference"], ["dev_claims.reference"], name=op.f("fk_dev_claim_children_reference_dev_claims")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dev_claim_children")),
    )
    op.create_index(op.f("ix_dev_claim_children_reference"), "dev_claim_children", ["reference"])
    op.create_table(
        "dev_claim_statements",
        sa.Column("statement_id", sa.Uuid(), nullable=False),
        sa.Column("reference", sa.String(40), nullable=False),
        sa.Column("ap_start", sa.Date(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("total_pence", sa.Integer(), nullable=False),
        sa.Column("body", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("statement_id", name=op.f("pk_dev_claim_statements")),
    )
    op.create_index(op.f("ix_dev_claim_statements_reference"), "dev_claim_statements", ["reference"])


def downgrade() -> None:
    op.drop_table("dev_claim_statements")
    op.drop_table("dev_claim_children")
    op.drop_table("dev_claim_periods")
    op.drop_table("dev_claims")
