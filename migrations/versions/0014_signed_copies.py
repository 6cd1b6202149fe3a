"""Protocol documents know whether they are the signed copy of their version (every party had
signed it, and the signature page shows the signatures)

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 01:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('protocol_documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('signed_copy', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('protocol_documents', schema=None) as batch_op:
        batch_op.drop_column('signed_copy')
