"""registration drafts and token families

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01 22:00:00

Registration answers move out of the signed session cookie into ``registration_drafts`` (the
cookie keeps only a random token whose hash is the key). ``oauth_tokens.family_id`` ties every
token to the authorization code it descends from, so reusing a code or a rotated refresh token
revokes the whole family.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'registration_drafts',
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('answers', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_registration_drafts')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_registration_drafts_token_hash')),
    )
    with op.batch_alter_table('registration_drafts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registration_drafts_expires_at'), ['expires_at'], unique=False)
    with op.batch_alter_table('oauth_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('family_id', sa.Uuid(), nullable=True))
        batch_op.create_index(batch_op.f('ix_oauth_tokens_family_id'), ['family_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('oauth_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_oauth_tokens_family_id'))
        batch_op.drop_column('family_id')
    with op.batch_alter_table('registration_drafts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registration_drafts_expires_at'))
    op.drop_table('registration_drafts')
