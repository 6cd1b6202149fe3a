"""Data protection impact assessments: one per agreement, with its risks

Revision ID: 0010_dpia
Revises: 0009_records_fields
Create Date: 2026-11-30 01:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0010_dpia'
down_revision = '0009_records_fields'
branch_labels = None
depends_on = None


def _enum(name, *values):
    return sa.Enum(*values, name=name, native_enum=False, length=40)


def upgrade():
    op.create_table(
        'dpias',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('agreement_id', sa.Integer(), nullable=False),
        sa.Column('screening', sa.JSON(), nullable=False),
        sa.Column('screening_notes', sa.Text(), nullable=False),
        sa.Column('required', sa.Boolean(), nullable=False),
        sa.Column('screened_on', sa.Date(), nullable=False),
        sa.Column('nature', sa.Text(), nullable=False),
        sa.Column('scope', sa.Text(), nullable=False),
        sa.Column('context', sa.Text(), nullable=False),
        sa.Column('purposes', sa.Text(), nullable=False),
        sa.Column('consultation', sa.Text(), nullable=False),
        sa.Column('necessity', sa.Text(), nullable=False),
        sa.Column('dpo_name', sa.String(length=200), nullable=True),
        sa.Column('dpo_advice', sa.Text(), nullable=False),
        sa.Column('dpo_advice_on', sa.Date(), nullable=True),
        sa.Column('dpo_outcome', _enum('dpooutcome', 'accepted', 'overruled'), nullable=True),
        sa.Column('dpo_overruled_reason', sa.Text(), nullable=False),
        sa.Column('dpo_decided_by', sa.String(length=200), nullable=True),
        sa.Column('signed_off_by', sa.String(length=200), nullable=True),
        sa.Column('signed_off_on', sa.Date(), nullable=True),
        sa.Column('ico_consulted_on', sa.Date(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'], name=op.f('fk_dpias_agreement_id_agreements')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_dpias')),
        sa.UniqueConstraint('agreement_id', name=op.f('uq_dpias_agreement_id')),
    )
    op.create_table(
        'dpia_risks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('dpia_id', sa.Integer(), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('likelihood', _enum('likelihood', 'remote', 'possible', 'probable'), nullable=False),
        sa.Column('severity', _enum('severity', 'minimal', 'significant', 'severe'), nullable=False),
        sa.Column('measures', sa.Text(), nullable=False),
        sa.Column('residual_likelihood', _enum('likelihood', 'remote', 'possible', 'probable'), nullable=False),
        sa.Column('residual_severity', _enum('severity', 'minimal', 'significant', 'severe'), nullable=False),
        sa.ForeignKeyConstraint(['dpia_id'], ['dpias.id'], name=op.f('fk_dpia_risks_dpia_id_dpias')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_dpia_risks')),
    )
    with op.batch_alter_table('dpia_risks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dpia_risks_dpia_id'), ['dpia_id'], unique=False)


def downgrade():
    with op.batch_alter_table('dpia_risks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dpia_risks_dpia_id'))
    op.drop_table('dpia_risks')
    op.drop_table('dpias')
