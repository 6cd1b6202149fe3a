"""Calendar feed secrets: tokens of their own kind that read only the review-dates calendar

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 01:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scope', sa.String(length=20), server_default='api', nullable=False))


def downgrade():
    op.execute("DELETE FROM api_tokens WHERE scope = 'calendar'")
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_column('scope')
