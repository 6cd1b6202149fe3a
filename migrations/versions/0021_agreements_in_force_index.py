"""The dashboard counts agreements in force from one index (status, dates and the status to resume)

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-30 07:20:00

"""
from alembic import op


revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('agreements', schema=None) as batch_op:
        batch_op.create_index('ix_agreements_in_force', ['status', 'start_date', 'end_date', 'review_date', 'resume_status'], unique=False)


def downgrade():
    with op.batch_alter_table('agreements', schema=None) as batch_op:
        batch_op.drop_index('ix_agreements_in_force')
