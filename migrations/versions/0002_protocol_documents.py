"""Protocol documents (the generated PDFs) and the signature record; each agreement's protocol
version, raised by material changes

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 23:31:33.808991

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('protocol_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('protocol_version', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content_sha256', sa.String(length=64), nullable=False),
    sa.Column('generated_by', sa.String(length=254), nullable=False),
    sa.Column('generated_at', sa.DateTime(), nullable=False),
    sa.Column('page_count', sa.Integer(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('pdf', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'], name=op.f('fk_protocol_documents_agreement_id_agreements'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_protocol_documents'))
    )
    with op.batch_alter_table('protocol_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_protocol_documents_agreement_id'), ['agreement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_protocol_documents_sha256'), ['sha256'], unique=False)

    op.create_table('signatures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('protocol_version', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('document_sha256', sa.String(length=64), nullable=True),
    sa.Column('signatory_name', sa.String(length=200), nullable=False),
    sa.Column('signatory_title', sa.String(length=200), nullable=True),
    sa.Column('signed_on', sa.Date(), nullable=False),
    sa.Column('method', sa.Enum('in_app', 'paper', name='signaturemethod', native_enum=False, length=40), nullable=False),
    sa.Column('recorded_by', sa.String(length=254), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'], name=op.f('fk_signatures_agreement_id_agreements'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['document_id'], ['protocol_documents.id'], name=op.f('fk_signatures_document_id_protocol_documents')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_signatures_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signatures'))
    )
    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signatures_agreement_id'), ['agreement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_signatures_organisation_id'), ['organisation_id'], unique=False)

    with op.batch_alter_table('agreements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('protocol_version', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('resume_status', sa.Enum('draft', 'consultation', 'awaiting_signatures', 'active', 'under_review', 'expired', 'terminated', 'superseded', name='agreementstatus', native_enum=False, length=40), nullable=True))



def downgrade():
    with op.batch_alter_table('agreements', schema=None) as batch_op:
        batch_op.drop_column('resume_status')
        batch_op.drop_column('protocol_version')

    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signatures_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_signatures_agreement_id'))

    op.drop_table('signatures')
    with op.batch_alter_table('protocol_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_protocol_documents_sha256'))
        batch_op.drop_index(batch_op.f('ix_protocol_documents_agreement_id'))

    op.drop_table('protocol_documents')
