"""nursery work: saved invoice drafts

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-02 09:00:00

``invoice_drafts`` keeps the invoice form a nursery saved without sending (also a setting still
waiting for DWP's verification), and the drafts "copy last month's invoices" makes. A draft has no
state: it is not an invoice until it is sent.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "invoice_drafts",
        sa.Column("provider_id", sa.Uuid(), nullable=False),
        sa.Column("saved_by_id", sa.Uuid(), nullable=False),
        sa.Column(
            "form",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("consent_id", sa.Uuid(), nullable=True),
        sa.Column("invoice_number", sa.String(length=40), nullable=True),
        sa.Column("care_from", sa.Date(), nullable=True),
        sa.Column("care_to", sa.Date(), nullable=True),
        sa.Column("copied_from_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["consent_id"], ["consents.id"], name=op.f("fk_invoice_drafts_consent_id_consents")
        ),
        sa.ForeignKeyConstraint(
            ["copied_from_id"], ["invoices.id"], name=op.f("fk_invoice_drafts_copied_from_id_invoices")
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"], ["providers.id"], name=op.f("fk_invoice_drafts_provider_id_providers")
        ),
        sa.ForeignKeyConstraint(
            ["saved_by_id"], ["provider_users.id"], name=op.f("fk_invoice_drafts_saved_by_id_provider_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice_drafts")),
    )
    with op.batch_alter_table("invoice_drafts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_invoice_drafts_provider_id"), ["provider_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_invoice_drafts_copied_from_id"), ["copied_from_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("invoice_drafts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invoice_drafts_copied_from_id"))
        batch_op.drop_index(batch_op.f("ix_invoice_drafts_provider_id"))
    op.drop_table("invoice_drafts")
