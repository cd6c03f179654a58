"""nursery work: saved invoice drafts (filled in by the nursery-pages work)

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-02 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
