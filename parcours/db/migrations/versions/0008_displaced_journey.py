"""A code keeps the journey its issuance took the account over from: journeys claim an account
when their first code or link is issued, no longer at the identity match

Revision ID: 0008_displaced_journey
Revises: 0007_retention
Create Date: 2026-12-04 12:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = '0008_displaced_journey'
down_revision = '0007_retention'


def upgrade() -> None:
    with op.batch_alter_table('verification_codes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('displaced_journey_id', sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('verification_codes', schema=None) as batch_op:
        batch_op.drop_column('displaced_journey_id')
