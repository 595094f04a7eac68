"""Initial schema: school records, accounts, codes, message ledger, link events (as of the
security work: per-account failed tries, destination index, abandoned deliveries)

Revision ID: 0001
Revises:
Create Date: 2026-11-23 21:29:18.435186
"""

import sqlalchemy as sa
from alembic import op

import parcours.db.models

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('link_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('account_ref', sa.String(length=32), nullable=False),
    sa.Column('student_ref', sa.String(length=32), nullable=True),
    sa.Column('created_at', parcours.db.models.UtcDateTime(timezone=True), nullable=False),
    sa.Column('published_at', parcours.db.models.UtcDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('idempotency_key')
    )
    op.create_table('message_deliveries',
    sa.Column('idempotency_key', sa.String(length=200), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('template', sa.String(length=50), nullable=False),
    sa.Column('destination_digest', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('created_at', parcours.db.models.UtcDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', parcours.db.models.UtcDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('idempotency_key')
    )
    with op.batch_alter_table('message_deliveries', schema=None) as batch_op:
        batch_op.create_index('ix_message_deliveries_destination', ['destination_digest', 'channel', 'created_at'],
                              unique=False)

    op.create_table('school_guardians',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('last_name', sa.String(length=100), nullable=False),
    sa.Column('first_name', sa.String(length=100), nullable=False),
    sa.Column('mobile', sa.String(length=20), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('school_guardians', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_school_guardians_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_school_guardians_mobile'), ['mobile'], unique=False)

    op.create_table('school_students',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(length=32), nullable=False),
    sa.Column('last_name', sa.String(length=100), nullable=False),
    sa.Column('first_name', sa.String(length=100), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=False),
    sa.Column('school', sa.String(length=200), nullable=False),
    sa.Column('class_name', sa.String(length=50), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('ref')
    )
    op.create_table('accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('guardian_id', sa.Integer(), nullable=True),
    sa.Column('student_id', sa.Integer(), nullable=True),
    sa.Column('identifier', sa.String(length=120), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('email_status', sa.String(length=20), nullable=False),
    sa.Column('mobile', sa.String(length=20), nullable=True),
    sa.Column('mobile_status', sa.String(length=20), nullable=False),
    sa.Column('pending_email', sa.String(length=254), nullable=True),
    sa.Column('pending_mobile', sa.String(length=20), nullable=True),
    sa.Column('password_hash', sa.String(length=200), nullable=True),
    sa.Column('franceconnect_subject', sa.String(length=200), nullable=True),
    sa.Column('failed_sign_ins', sa.Integer(), nullable=False),
    sa.Column('sign_in_locked_until', parcours.db.models.UtcDateTime(timezone=True), nullable=True),
    sa.Column('failed_tries_window_start', parcours.db.models.UtcDateTime(timezone=True), nullable=True),
    sa.Column('failed_tries_in_window', sa.Integer(), nullable=False),
    sa.Column('password_changed_at', parcours.db.models.UtcDateTime(timezone=True), nullable=True),
    sa.Column('provisional_password_hash', sa.String(length=200), nullable=True),
    sa.Column('merged_into_id', sa.Integer(), nullable=True),
    sa.Column('activated_at', parcours.db.models.UtcDateTime(timezone=True), nullable=True),
    sa.Column('activated_by_journey', sa.String(length=100), nullable=True),
    sa.ForeignKeyConstraint(['guardian_id'], ['school_guardians.id'], ),
    sa.ForeignKeyConstraint(['merged_into_id'], ['accounts.id'], ),
    sa.ForeignKeyConstraint(['student_id'], ['school_students.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('franceconnect_subject'),
    sa.UniqueConstraint('guardian_id'),
    sa.UniqueConstraint('identifier'),
    sa.UniqueConstraint('ref'),
    sa.UniqueConstraint('student_id')
    )
    op.create_table('school_guardian_student_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('guardian_id', sa.Integer(), nullable=False),
    sa.Column('student_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=30), nullable=False),
    sa.ForeignKeyConstraint(['guardian_id'], ['school_guardians.id'], ),
    sa.ForeignKeyConstraint(['student_id'], ['school_students.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('guardian_id', 'student_id')
    )
    op.create_table('account_students',
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('student_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('updated_at', parcours.db.models.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], ),
    sa.ForeignKeyConstraint(['student_id'], ['school_students.id'], ),
    sa.PrimaryKeyConstraint('account_id', 'student_id')
    )
    op.create_table('journey_claims',
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('journey_id', sa.String(length=100), nullable=False),
    sa.Column('superseded_journey_id', sa.String(length=100), nullable=True),
    sa.Column('claimed_at', parcours.db.models.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], ),
    sa.PrimaryKeyConstraint('kind', 'account_id')
    )
    op.create_table('verification_codes',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('idempotency_key', sa.String(length=200), nullable=False),
    sa.Column('journey_id', sa.String(length=100), nullable=False),
    sa.Column('purpose', sa.String(length=30), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('issued_at', parcours.db.models.UtcDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', parcours.db.models.UtcDateTime(timezone=True), nullable=False),
    sa.Column('max_wrong_tries', sa.Integer(), nullable=False),
    sa.Column('wrong_tries', sa.Integer(), nullable=False),
    sa.Column('last_attempt_key', sa.String(length=200), nullable=True),
    sa.Column('last_attempt_status', sa.String(length=20), nullable=True),
    sa.Column('consumed_at', parcours.db.models.UtcDateTime(timezone=True), nullable=True),
    sa.Column('voided_at', parcours.db.models.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('idempotency_key')
    )
    with op.batch_alter_table('verification_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_verification_codes_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_verification_codes_journey_id'), ['journey_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('verification_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_verification_codes_journey_id'))
        batch_op.drop_index(batch_op.f('ix_verification_codes_account_id'))

    op.drop_table('verification_codes')
    op.drop_table('journey_claims')
    op.drop_table('account_students')
    op.drop_table('school_guardian_student_links')
    op.drop_table('accounts')
    op.drop_table('school_students')
    with op.batch_alter_table('school_guardians', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_school_guardians_mobile'))
        batch_op.drop_index(batch_op.f('ix_school_guardians_email'))

    op.drop_table('school_guardians')
    with op.batch_alter_table('message_deliveries', schema=None) as batch_op:
        batch_op.drop_index('ix_message_deliveries_destination')

    op.drop_table('message_deliveries')
    op.drop_table('link_events')
