"""What the record of processing needs of each data flow: whom the data is about (a closed list and
words), how long it is kept, and the system or information asset it comes from with its owner

Revision ID: 0009_records_fields
Revises: 0008
Create Date: 2026-11-30 01:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0009_records_fields'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('data_flows', schema=None) as batch_op:
        batch_op.add_column(sa.Column('data_subject_categories', sa.JSON(), server_default=sa.text("'[]'"), nullable=False))
        batch_op.add_column(sa.Column('data_subjects', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('retention', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('source_system', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('asset_owner', sa.String(length=200), nullable=True))


def downgrade():
    with op.batch_alter_table('data_flows', schema=None) as batch_op:
        batch_op.drop_column('asset_owner')
        batch_op.drop_column('source_system')
        batch_op.drop_column('retention')
        batch_op.drop_column('data_subjects')
        batch_op.drop_column('data_subject_categories')
