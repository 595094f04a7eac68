"""School records carry the school's UAI and the school's own ids for guardians and students: the
import is a sync keyed by them (`parcours records import`)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 08:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'

TABLES = {'school_guardians': 'uq_school_guardians_school', 'school_students': 'uq_school_students_school'}


def upgrade() -> None:
    for table, constraint in TABLES.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('school_uai', sa.String(length=8), nullable=True))
            batch_op.add_column(sa.Column('school_id', sa.String(length=64), nullable=True))
            batch_op.create_unique_constraint(constraint, ['school_uai', 'school_id'])


def downgrade() -> None:
    for table, constraint in TABLES.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(constraint, type_='unique')
            batch_op.drop_column('school_id')
            batch_op.drop_column('school_uai')
