"""The render queue (protocol documents produced by the scheduler) and the scheduler's heartbeat

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 01:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('render_jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('protocol_version', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('queued', 'rendering', 'done', 'failed', name='renderstatus', native_enum=False, length=40), nullable=False),
    sa.Column('requested_by', sa.String(length=254), nullable=False),
    sa.Column('queued_at', sa.DateTime(), nullable=False),
    sa.Column('not_before', sa.DateTime(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('claimed_by', sa.String(length=200), nullable=True),
    sa.Column('lease_until', sa.DateTime(), nullable=True),
    sa.Column('started_at', sa.DateTime(), nullable=True),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('content_sha256', sa.String(length=64), nullable=True),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'], name=op.f('fk_render_jobs_agreement_id_agreements'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['document_id'], ['protocol_documents.id'], name=op.f('fk_render_jobs_document_id_protocol_documents'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_render_jobs'))
    )
    with op.batch_alter_table('render_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_render_jobs_agreement_id'), ['agreement_id'], unique=False)
        batch_op.create_index('ix_render_jobs_status_not_before', ['status', 'not_before'], unique=False)
        batch_op.create_index('uq_render_jobs_waiting', ['agreement_id'], unique=True,
                              sqlite_where=sa.text("status = 'queued'"), postgresql_where=sa.text("status = 'queued'"))
    op.create_table('scheduler_heartbeats',
    sa.Column('holder', sa.String(length=200), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('beat_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('holder', name=op.f('pk_scheduler_heartbeats'))
    )
    with op.batch_alter_table('scheduler_heartbeats', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scheduler_heartbeats_beat_at'), ['beat_at'], unique=False)
    # Every agreement gets one job: the scheduler stores its document, or finds it already stored
    # (a document of the same content) and renders nothing.
    op.execute(
        "INSERT INTO render_jobs (agreement_id, protocol_version, status, requested_by, queued_at, not_before, attempts) "
        "SELECT id, protocol_version, 'queued', 'isa', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 0 FROM agreements"
    )


def downgrade():
    with op.batch_alter_table('scheduler_heartbeats', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scheduler_heartbeats_beat_at'))
    op.drop_table('scheduler_heartbeats')
    with op.batch_alter_table('render_jobs', schema=None) as batch_op:
        batch_op.drop_index('uq_render_jobs_waiting', sqlite_where=sa.text("status = 'queued'"), postgresql_where=sa.text("status = 'queued'"))
        batch_op.drop_index('ix_render_jobs_status_not_before')
        batch_op.drop_index(batch_op.f('ix_render_jobs_agreement_id'))
    op.drop_table('render_jobs')
