"""Record documents: the Art 30 record as PDF, queued for the scheduler when someone asks for it

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 04:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'record_documents',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('content_sha256', sa.String(length=64), nullable=False),
        sa.Column('status', sa.Enum('queued', 'rendering', 'done', 'failed', name='renderstatus', native_enum=False, create_constraint=False, length=40), nullable=False),
        sa.Column('requested_by', sa.String(length=254), nullable=False),
        sa.Column('queued_at', sa.DateTime(), nullable=False),
        sa.Column('not_before', sa.DateTime(), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('claimed_by', sa.String(length=200), nullable=True),
        sa.Column('lease_until', sa.DateTime(), nullable=True),
        sa.Column('finished_at', sa.DateTime(), nullable=True),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.Column('filename', sa.String(length=200), nullable=True),
        sa.Column('sha256', sa.String(length=64), nullable=True),
        sa.Column('pdf', sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_record_documents_organisation_id_organisations'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_record_documents')),
        sa.UniqueConstraint('organisation_id', 'kind', 'content_sha256', name='uq_record_documents_content'),
    )
    op.create_index('ix_record_documents_status_not_before', 'record_documents', ['status', 'not_before'], unique=False)
    op.create_index(op.f('ix_record_documents_organisation_id'), 'record_documents', ['organisation_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_record_documents_organisation_id'), table_name='record_documents')
    op.drop_index('ix_record_documents_status_not_before', table_name='record_documents')
    op.drop_table('record_documents')
