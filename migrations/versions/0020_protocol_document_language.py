"""Protocol documents in English or Welsh: each document and each render job says its language,
and one job per agreement and language may wait at a time

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-30 07:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None

WAITING = sa.text("status = 'queued'")


def upgrade():
    with op.batch_alter_table('protocol_documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=8), server_default='en', nullable=False))
    with op.batch_alter_table('render_jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=8), server_default='en', nullable=False))
        batch_op.drop_index('uq_render_jobs_waiting', sqlite_where=WAITING, postgresql_where=WAITING)
        batch_op.create_index('uq_render_jobs_waiting', ['agreement_id', 'language'], unique=True,
                              sqlite_where=WAITING, postgresql_where=WAITING)


def downgrade():
    # The old schema waits for one job per agreement: the other languages' jobs go. Their documents
    # stay, since a party may have signed one.
    op.execute("DELETE FROM render_jobs WHERE language <> 'en'")
    with op.batch_alter_table('render_jobs', schema=None) as batch_op:
        batch_op.drop_index('uq_render_jobs_waiting', sqlite_where=WAITING, postgresql_where=WAITING)
        batch_op.create_index('uq_render_jobs_waiting', ['agreement_id'], unique=True,
                              sqlite_where=WAITING, postgresql_where=WAITING)
        batch_op.drop_column('language')
    with op.batch_alter_table('protocol_documents', schema=None) as batch_op:
        batch_op.drop_column('language')
