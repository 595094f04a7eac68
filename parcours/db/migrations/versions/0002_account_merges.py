"""Account merges recorded with the key of the journey step that made them (a retried merge
recognises its own finished work)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

import parcours.db.models

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('account_merges',
    sa.Column('idempotency_key', sa.String(length=200), nullable=False),
    sa.Column('kept_account_id', sa.Integer(), nullable=False),
    sa.Column('merged_account_id', sa.Integer(), nullable=False),
    sa.Column('moved_students', sa.Integer(), nullable=False),
    sa.Column('merged_at', parcours.db.models.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['kept_account_id'], ['accounts.id'], ),
    sa.ForeignKeyConstraint(['merged_account_id'], ['accounts.id'], ),
    sa.PrimaryKeyConstraint('idempotency_key'),
    sa.UniqueConstraint('merged_account_id')
    )
    op.create_index(op.f('ix_account_merges_kept_account_id'), 'account_merges', ['kept_account_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_account_merges_kept_account_id'), table_name='account_merges')
    op.drop_table('account_merges')
