"""Events out: link_events get refs for merges and contacts and a relay-given position; the
webhook subscribers' cursors

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 07:40:00.000000
"""

import sqlalchemy as sa
from alembic import op

from parcours.db.models import UtcDateTime

revision = '0006'
down_revision = '0005'


def upgrade() -> None:
    with op.batch_alter_table('link_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('other_account_ref', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('channel', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('position', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint('uq_link_events_position', ['position'])
    op.create_table('event_cursors',
                    sa.Column('subscriber', sa.String(length=100), nullable=False),
                    sa.Column('position', sa.Integer(), nullable=False),
                    sa.Column('updated_at', UtcDateTime(), nullable=False),
                    sa.PrimaryKeyConstraint('subscriber'))


def downgrade() -> None:
    op.drop_table('event_cursors')
    with op.batch_alter_table('link_events', schema=None) as batch_op:
        batch_op.drop_constraint('uq_link_events_position', type_='unique')
        batch_op.drop_column('position')
        batch_op.drop_column('channel')
        batch_op.drop_column('other_account_ref')
