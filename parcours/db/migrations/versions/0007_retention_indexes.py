"""Retention: an index for the purge to find accounts whose failed-tries hour is long past

Revision ID: 0007_retention
Revises: 0006
Create Date: 2026-12-05 09:00:00.000000
"""

from alembic import op

revision = '0007_retention'
down_revision = '0006'


def upgrade() -> None:
    op.create_index('ix_accounts_failed_tries_window_start', 'accounts', ['failed_tries_window_start'])


def downgrade() -> None:
    op.drop_index('ix_accounts_failed_tries_window_start', table_name='accounts')
