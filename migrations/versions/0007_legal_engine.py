"""The legal engine: organisations with statutory law-enforcement functions, and what each
protocol version said (the version in force while an amendment awaits signatures)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 01:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('law_enforcement_functions', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_table(
        'agreement_versions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('agreement_id', sa.Integer(), nullable=False),
        sa.Column('protocol_version', sa.Integer(), nullable=False),
        sa.Column('fully_signed', sa.Boolean(), nullable=False),
        sa.Column('status', sa.Enum('draft', 'consultation', 'awaiting_signatures', 'active', 'under_review', 'expired',
                                    'terminated', 'superseded', name='agreementstatus', native_enum=False, length=40),
                  nullable=False),
        sa.Column('record', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'], name=op.f('fk_agreement_versions_agreement_id_agreements'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_agreement_versions')),
        sa.UniqueConstraint('agreement_id', 'protocol_version', name='uq_agreement_versions_version'),
    )
    with op.batch_alter_table('agreement_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agreement_versions_agreement_id'), ['agreement_id'], unique=False)


def downgrade():
    with op.batch_alter_table('agreement_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agreement_versions_agreement_id'))
    op.drop_table('agreement_versions')
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_column('law_enforcement_functions')
