"""parents: consent-ending warnings sent, names from the identity provider (filled in by the parent-pages work)

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-02 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
